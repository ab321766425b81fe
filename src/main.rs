//! `trygg`: the incident reporting service and its command line.

mod config;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use trygg::Application;
use trygg_api::TokenRequest;
use trygg_storage::{BackupError, Breakage, Database};

#[derive(Parser)]
#[command(
    name = "trygg",
    version,
    about = "Incident reporting for safety and crime prevention"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint a development token signed with the shared secret.
    Token {
        /// The user's id (`sub`).
        #[arg(long)]
        sub: String,
        /// An app role: reporter, handler, security_manager, analyst or admin. Repeatable.
        #[arg(long = "role", default_value = "reporter")]
        roles: Vec<String>,
        /// The handler's office code.
        #[arg(long)]
        office: Option<String>,
        /// How long the token is valid: seconds, or with a unit (`30m`, `8h`, `2d`).
        #[arg(long, default_value = "8h", value_parser = parse_ttl)]
        ttl: Duration,
    },
    /// Print the OpenAPI document for the built-in catalogue (a running service serves its own
    /// catalogue's at `/openapi.json`).
    Openapi,
    /// Remove the content of cases closed longer ago than the retention period
    /// (`TRYGG_RETENTION_DAYS`); their coded facts stay for the statistics.
    Purge {
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
        /// Judge the retention period as of this instant (RFC 3339) instead of now: to see
        /// ahead what a later purge removes, or to purge as the service's clock stands.
        #[arg(long)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Write a consistent copy of the SQLite database to a new file while the service runs,
    /// and check the copy (integrity, the access log, its cases). On PostgreSQL, names the
    /// server's own tools instead.
    Backup {
        /// Where the copy goes; never an existing file.
        path: PathBuf,
    },
    /// Work with the access log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Work with the statistics rollups.
    Statistics {
        #[command(subcommand)]
        command: StatisticsCommand,
    },
}

#[derive(Subcommand)]
enum StatisticsCommand {
    /// Recompute the rollups from the cases (after restoring a backup, for instance).
    Rebuild,
    /// Publish the statistics the calendar has made due (the service does so by itself);
    /// with `--revision`, revise every published month at once, so that late reports and
    /// reclassifications reach the published figures now.
    Publish {
        #[arg(long)]
        revision: bool,
        /// Publish as the calendar stands at this instant (RFC 3339) instead of now: as the
        /// service's clock stands (the tests' clocks stand in the future too). An instant
        /// ahead of the real one freezes months that are not over: do not.
        #[arg(long)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the access log's hash chains; exits non-zero at an entry that does not hold, or
    /// when an anchor (a head the service wrote outside the database) is in no chain.
    Verify {
        /// A head from the service log ("access log head"), to check that the chain still
        /// reaches it. Repeatable.
        #[arg(long = "anchor")]
        anchors: Vec<String>,
        /// A heads file the service wrote (`TRYGG_ACCESS_LOG_HEADS`): every head in it is an
        /// anchor.
        #[arg(long = "anchors-from", value_name = "FILE")]
        anchors_from: Option<PathBuf>,
    },
}

fn parse_ttl(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{unit}` is not a unit: use s, m, h or d")),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("TRYGG_LOG_FORMAT").is_ok_and(|format| format == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    let settings = config::load(|name| std::env::var(name).ok())?;
    match command {
        Command::Serve => {
            let web = config::web(|name| std::env::var(name).ok(), settings.bind)?;
            let application = Application::build(trygg::Settings {
                web: Some(web),
                ..settings
            })
            .await?;
            tracing::info!(address = %application.address(), "listening");
            application.run().await?;
        }
        Command::Migrate => {
            let applied = actix_web::web::block(move || {
                Database::connect(&settings.database_url, 1, settings.clock)?.migrate()
            })
            .await??;
            tracing::info!(applied, "migrations applied");
        }
        Command::Token {
            sub,
            roles,
            office,
            ttl,
        } => {
            let Some(secret) = settings.auth.keys.shared_secret() else {
                return Err("tokens can only be minted with a shared secret (HS256)".into());
            };
            let request = TokenRequest {
                subject: sub,
                roles,
                office,
                ttl,
            };
            println!(
                "{}",
                trygg_api::mint_token(secret, &settings.auth, &request)?
            );
        }
        Command::Openapi => print!("{}", trygg_api::openapi_document()),
        Command::Purge { dry_run, as_of } => {
            let now = as_of.unwrap_or_else(|| settings.clock.now());
            let closed_before = now - config::retention(|name| std::env::var(name).ok())?;
            let cases = actix_web::web::block(move || {
                let database = Database::connect(&settings.database_url, 1, settings.clock)?;
                if dry_run {
                    database.purgeable(closed_before)
                } else {
                    database.purge(closed_before)
                }
            })
            .await??;
            let verb = if dry_run { "would purge" } else { "purged" };
            for case in &cases {
                let closed = case.closed_at.to_rfc3339();
                println!("{verb} {} ({}), closed {closed}", case.case_number, case.id);
            }
            println!(
                "{verb} {} case(s) closed before {}",
                cases.len(),
                closed_before.to_rfc3339()
            );
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    mut anchors,
                    anchors_from,
                },
        } => {
            // The service's own heads file (beside an SQLite database, or as configured).
            let anchors_from = anchors_from.or_else(|| {
                settings
                    .access_log_heads
                    .clone()
                    .filter(|heads| heads.exists())
            });
            let anchored = anchors_from.is_some() || !anchors.is_empty();
            if let Some(path) = &anchors_from {
                let heads = trygg_storage::anchors_in(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                anchors.extend(heads);
            }
            let keys = settings.access_log_keys;
            let report = actix_web::web::block(move || {
                Database::connect(&settings.database_url, 1, settings.clock)?
                    .seal_access_log_with(keys)
                    .verify_access_log(&anchors)
            })
            .await??;
            for (chain, entries, head) in &report.heads {
                println!("chain {chain:?}: {entries} entries, head {head}");
            }
            if let Some((seq, why)) = &report.first_broken {
                let why = match why {
                    Breakage::Altered => "edited, removed or inserted".to_owned(),
                    Breakage::UnknownKey(id) => format!(
                        "sealed with key {id}, which was not given \
                         (TRYGG_ACCESS_LOG_KEY, TRYGG_ACCESS_LOG_PREVIOUS_KEYS)"
                    ),
                    Breakage::Unsealed => "not sealed with any key: written before entries \
                         were sealed, or rewritten by someone without the key"
                        .to_owned(),
                };
                return Err(format!(
                    "access log broken at entry {seq}: {why} ({} entries verified)",
                    report.entries
                )
                .into());
            }
            if !report.missing_anchors.is_empty() {
                return Err(format!(
                    "access log cut short: no chain reaches {}",
                    report.missing_anchors.join(", ")
                )
                .into());
            }
            if report.entries == 0 {
                println!("access log empty: nothing to verify");
            } else {
                println!("access log intact: {} entries verified", report.entries);
            }
            if !anchored {
                println!(
                    "no anchor: without the heads written outside the database, entries cut off \
                     the end of a chain cannot be seen (--anchors-from FILE, TRYGG_ACCESS_LOG_HEADS)"
                );
            }
        }
        Command::Backup { path } => {
            let keys = settings.access_log_keys;
            let backup = actix_web::web::block(move || {
                Database::connect(&settings.database_url, 1, settings.clock)
                    .map_err(BackupError::from)?
                    .back_up_to(&path, keys)
            })
            .await??;
            println!(
                "backed up {} cases to {} ({} bytes) in {:.1} s: integrity check ok, \
                 access log intact ({} entries verified)",
                backup.cases,
                backup.path.display(),
                backup.bytes,
                backup.took.as_secs_f64(),
                backup.access_log_entries
            );
        }
        Command::Statistics {
            command: StatisticsCommand::Rebuild,
        } => {
            let cases = actix_web::web::block(move || {
                Database::connect(&settings.database_url, 1, settings.clock)?.rebuild_statistics()
            })
            .await??;
            println!("statistics rebuilt from {cases} cases");
        }
        Command::Statistics {
            command: StatisticsCommand::Publish { revision, as_of },
        } => {
            let calendar = settings.disclosure.calendar;
            let clock = as_of.map_or(settings.clock, |at| {
                trygg_domain::ManualClock::new(at).clock()
            });
            let published = actix_web::web::block(move || {
                Database::connect(&settings.database_url, 1, clock)?
                    .publish_statistics(calendar, revision)
            })
            .await??;
            match published {
                Some(publication) => println!(
                    "published statistics through {} ({}) at {}",
                    publication.through_month.format("%Y-%m"),
                    if publication.revision {
                        "a revision"
                    } else {
                        "the new months"
                    },
                    publication.published_at
                ),
                None => println!("nothing is due for publication"),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_take_units() {
        assert_eq!(parse_ttl("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_ttl("8h"), Ok(Duration::from_secs(28_800)));
        assert!(parse_ttl("8 weeks").is_err());
        assert!(parse_ttl("h").is_err());
    }
}
