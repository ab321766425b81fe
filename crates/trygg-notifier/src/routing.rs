//! Routing rules: which receivers a case alerts.

use std::collections::HashSet;

use serde::Deserialize;
use trygg_domain::{
    AlertReason, Catalogue, Channel, IncidentKind, NewReport, OfficeCode, PlannedAlert,
    PlannedDelivery, Principal, Role, Severity,
};
use uuid::Uuid;

use crate::address::{AddressError, EmailAddress, WebhookUrl};

const BUILTIN: &str = include_str!("../routing.toml");

/// Someone who can be alerted: e-mail addresses and webhooks, at least one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    pub name: String,
    /// How pages name it, where the rules give a name (else by the office or role that
    /// acknowledges its alerts).
    pub label: Option<ReceiverLabel>,
    pub email: Vec<EmailAddress>,
    pub webhooks: Vec<Webhook>,
    /// Who acknowledges this receiver's alerts in Trygg: the handlers of an office, or
    /// security managers. Without either, only the alert e-mail reaches them.
    pub acknowledged_by: Option<Acknowledger>,
}

/// A receiver's name in Swedish, and in English where given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverLabel {
    pub sv: String,
    pub en: Option<String>,
}

/// Who may acknowledge a receiver's alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acknowledger {
    Office(String),
    SecurityManagers,
}

impl Receiver {
    /// Whether `principal` acknowledges for this receiver.
    pub fn is_acknowledged_by(&self, principal: &Principal) -> bool {
        match &self.acknowledged_by {
            Some(Acknowledger::SecurityManagers) => principal.has(Role::SecurityManager),
            Some(Acknowledger::Office(office)) => principal
                .office()
                .is_some_and(|mine| mine.as_str() == office),
            None => false,
        }
    }
}

/// A webhook and the secret its payloads are signed with (Standard Webhooks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: WebhookUrl,
    pub secret: String,
    /// Whether the URL may resolve to a loopback or private address when delivering.
    pub allow_private: bool,
}

/// The facts of a case that routing looks at; never names or free text.
#[derive(Debug, Clone, Copy)]
pub struct AlertFacts<'a> {
    pub focus_area: &'a str,
    pub offices: &'a [OfficeCode],
    pub district: &'a str,
    pub kind: IncidentKind,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    receiver: usize,
    focus_area: Option<Vec<String>>,
    office: Option<Vec<String>>,
    district: Option<Vec<String>>,
    kind: Option<Vec<IncidentKind>>,
    severity: Option<Vec<Severity>>,
    continue_: bool,
}

impl Route {
    fn matches(&self, case: &AlertFacts<'_>) -> bool {
        fn holds<T: PartialEq>(condition: &Option<Vec<T>>, value: impl Fn(&T) -> bool) -> bool {
            condition
                .as_ref()
                .is_none_or(|accepted| accepted.iter().any(value))
        }
        holds(&self.focus_area, |code| code == case.focus_area)
            && holds(&self.office, |code| {
                case.offices.iter().any(|office| office.as_str() == code)
            })
            && holds(&self.district, |code| code == case.district)
            && holds(&self.kind, |kind| *kind == case.kind)
            && holds(&self.severity, |severity| *severity == case.severity)
    }

    fn is_catch_all(&self) -> bool {
        self.focus_area.is_none()
            && self.office.is_none()
            && self.district.is_none()
            && self.kind.is_none()
            && self.severity.is_none()
    }
}

/// Validated routing rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    receivers: Vec<Receiver>,
    routes: Vec<Route>,
    default_receiver: usize,
    escalation_receiver: usize,
}

fn alert(receiver: &Receiver, reason: AlertReason) -> PlannedAlert {
    let email = receiver.email.iter().map(|address| PlannedDelivery {
        channel: Channel::Email,
        target: address.to_string(),
        message_id: format!("<{}@trygg>", Uuid::now_v7()),
    });
    let webhooks = receiver.webhooks.iter().map(|hook| PlannedDelivery {
        channel: Channel::Webhook,
        target: hook.url.as_str().to_owned(),
        message_id: format!("msg_{}", Uuid::now_v7().simple()),
    });
    PlannedAlert {
        id: Uuid::now_v7(),
        receiver: receiver.name.clone(),
        reason,
        deliveries: email.chain(webhooks).collect(),
    }
}

/// Why routing rules are refused at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("the routing rules are not valid TOML: {0}")]
    Syntax(String),
    #[error("receiver `{0}` is defined more than once")]
    DuplicateReceiver(String),
    #[error("receiver `{0}` has no e-mail address and no webhook")]
    NoAddress(String),
    #[error("receiver `{receiver}`: {error}")]
    Address {
        receiver: String,
        error: AddressError,
    },
    #[error("receiver `{receiver}`: its webhook secret `{variable}` is not set in the environment")]
    MissingSecret { receiver: String, variable: String },
    #[error("route {route} names the unknown receiver `{receiver}`")]
    UnknownReceiver { route: usize, receiver: String },
    #[error("the default receiver `{0}` is not defined")]
    UnknownDefault(String),
    #[error("receiver `{receiver}`: {reason}")]
    Acknowledger { receiver: String, reason: String },
    #[error("the escalation receiver `{0}` is not defined")]
    UnknownEscalation(String),
    #[error("route {route}: {error}")]
    Catalogue {
        route: usize,
        error: trygg_domain::CatalogueError,
    },
    #[error(
        "route {route} matches every case and does not continue, so the routes after it never apply"
    )]
    Unreachable { route: usize },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRouting {
    routing: RawRoutes,
    #[serde(default)]
    receivers: Vec<RawReceiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoutes {
    default_receiver: String,
    /// Who unacknowledged alerts escalate to, and who is reminded of Arbetsmiljöverket
    /// deadlines; the default receiver unless named.
    escalation_receiver: Option<String>,
    #[serde(default)]
    routes: Vec<RawRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    receiver: String,
    focus_area: Option<Vec<String>>,
    office: Option<Vec<String>>,
    district: Option<Vec<String>>,
    kind: Option<Vec<IncidentKind>>,
    severity: Option<Vec<Severity>>,
    #[serde(default, rename = "continue")]
    continue_: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    name: String,
    /// How pages name the receiver, in Swedish and in English.
    label: Option<String>,
    label_en: Option<String>,
    /// The office whose handlers acknowledge this receiver's alerts.
    office: Option<String>,
    /// `security_manager`: security managers acknowledge this receiver's alerts.
    role: Option<String>,
    #[serde(default)]
    email: Vec<String>,
    #[serde(default)]
    webhooks: Vec<RawWebhook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: String,
    /// The environment variable holding the signing secret: secrets stay out of the file.
    secret_env: String,
    #[serde(default)]
    allow_private: bool,
}

impl RawReceiver {
    fn parse(
        self,
        catalogue: &Catalogue,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Receiver, RoutingError> {
        let acknowledged_by = match (&self.office, self.role.as_deref()) {
            (None, None) => None,
            (Some(office), None) => {
                catalogue
                    .office(office)
                    .map_err(|error| RoutingError::Acknowledger {
                        receiver: self.name.clone(),
                        reason: error.to_string(),
                    })?;
                Some(Acknowledger::Office(office.clone()))
            }
            (None, Some("security_manager")) => Some(Acknowledger::SecurityManagers),
            (None, Some(role)) => {
                return Err(RoutingError::Acknowledger {
                    receiver: self.name.clone(),
                    reason: format!(
                        "`{role}` is not a role that acknowledges alerts; use `security_manager`"
                    ),
                });
            }
            (Some(_), Some(_)) => {
                return Err(RoutingError::Acknowledger {
                    receiver: self.name.clone(),
                    reason: "name an `office` or a `role`, not both".into(),
                });
            }
        };
        let address = |error| RoutingError::Address {
            receiver: self.name.clone(),
            error,
        };
        if self.email.is_empty() && self.webhooks.is_empty() {
            return Err(RoutingError::NoAddress(self.name));
        }
        let email = self
            .email
            .iter()
            .map(|a| EmailAddress::parse(a).map_err(address))
            .collect::<Result<_, _>>()?;
        let webhooks = self
            .webhooks
            .iter()
            .map(|hook| {
                let url = WebhookUrl::parse(&hook.url, hook.allow_private).map_err(address)?;
                let secret = env(&hook.secret_env)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| RoutingError::MissingSecret {
                        receiver: self.name.clone(),
                        variable: hook.secret_env.clone(),
                    })?;
                Ok(Webhook {
                    url,
                    secret,
                    allow_private: hook.allow_private,
                })
            })
            .collect::<Result<_, RoutingError>>()?;
        Ok(Receiver {
            name: self.name,
            label: self.label.map(|sv| ReceiverLabel {
                sv,
                en: self.label_en,
            }),
            email,
            webhooks,
            acknowledged_by,
        })
    }
}

/// Checks that every code a condition names is in the catalogue.
fn known(
    codes: Option<Vec<String>>,
    route: usize,
    lookup: impl Fn(&str) -> Result<(), trygg_domain::CatalogueError>,
) -> Result<Option<Vec<String>>, RoutingError> {
    if let Some(codes) = &codes {
        for code in codes {
            lookup(code).map_err(|error| RoutingError::Catalogue { route, error })?;
        }
    }
    Ok(codes)
}

impl Routing {
    /// The shipped rules, which follow the strategy (addresses to be replaced).
    pub fn builtin(catalogue: &Catalogue) -> Result<Routing, RoutingError> {
        Routing::from_toml(BUILTIN, catalogue, |_| None)
    }

    /// Parses and checks routing rules against the catalogue; `env` looks up webhook secrets.
    pub fn from_toml(
        text: &str,
        catalogue: &Catalogue,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Routing, RoutingError> {
        let raw: RawRouting =
            toml::from_str(text).map_err(|e| RoutingError::Syntax(e.message().to_owned()))?;
        let mut names = HashSet::new();
        let receivers = raw
            .receivers
            .into_iter()
            .map(|receiver| {
                if !names.insert(receiver.name.clone()) {
                    return Err(RoutingError::DuplicateReceiver(receiver.name));
                }
                receiver.parse(catalogue, &env)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let index = |name: &str| receivers.iter().position(|receiver| receiver.name == name);
        let default_receiver = index(&raw.routing.default_receiver)
            .ok_or_else(|| RoutingError::UnknownDefault(raw.routing.default_receiver.clone()))?;
        let escalation_name = raw
            .routing
            .escalation_receiver
            .unwrap_or(raw.routing.default_receiver);
        let escalation_receiver =
            index(&escalation_name).ok_or(RoutingError::UnknownEscalation(escalation_name))?;
        let mut routes = Vec::new();
        for (number, route) in raw
            .routing
            .routes
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r))
        {
            let receiver = index(&route.receiver).ok_or_else(|| RoutingError::UnknownReceiver {
                route: number,
                receiver: route.receiver.clone(),
            })?;
            routes.push(Route {
                receiver,
                focus_area: known(route.focus_area, number, |c| {
                    catalogue.focus_area(c).map(drop)
                })?,
                office: known(route.office, number, |c| catalogue.office(c).map(drop))?,
                district: known(route.district, number, |c| catalogue.district(c).map(drop))?,
                kind: route.kind,
                severity: route.severity,
                continue_: route.continue_,
            });
        }
        let last = routes.len().saturating_sub(1);
        if let Some(index) = routes.iter().position(|r| r.is_catch_all() && !r.continue_)
            && index < last
        {
            return Err(RoutingError::Unreachable { route: index + 1 });
        }
        Ok(Routing {
            receivers,
            routes,
            default_receiver,
            escalation_receiver,
        })
    }

    /// The alerts a case raises for `reason`: one per receiver, one delivery per address, each
    /// with a message id that stays the same however often it is sent.
    pub fn alerts_for(&self, case: &AlertFacts<'_>, reason: AlertReason) -> Vec<PlannedAlert> {
        self.receivers_for(case)
            .into_iter()
            .map(|receiver| alert(receiver, reason))
            .collect()
    }

    /// The alerts filing `report` raises.
    pub fn alerts_on_filing(&self, report: &NewReport) -> Vec<PlannedAlert> {
        let facts = AlertFacts {
            focus_area: report.focus_area.as_str(),
            offices: &report.offices,
            district: report.district.as_str(),
            kind: report.circumstances.kind,
            severity: report.circumstances.severity,
        };
        self.alerts_for(&facts, AlertReason::Filed)
    }

    /// An alert for the escalation receiver: escalations and Arbetsmiljöverket reminders.
    pub fn escalation_alert(&self, reason: AlertReason) -> PlannedAlert {
        alert(&self.receivers[self.escalation_receiver], reason)
    }

    pub fn escalation_receiver(&self) -> &str {
        &self.receivers[self.escalation_receiver].name
    }

    /// A receiver by name.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|receiver| receiver.name == name)
    }

    /// The receivers a case alerts, each once, in route order.
    pub fn receivers_for(&self, case: &AlertFacts<'_>) -> Vec<&Receiver> {
        let mut chosen: Vec<usize> = Vec::new();
        for route in self.routes.iter().filter(|route| route.matches(case)) {
            if !chosen.contains(&route.receiver) {
                chosen.push(route.receiver);
            }
            if !route.continue_ {
                break;
            }
        }
        if chosen.is_empty() {
            chosen.push(self.default_receiver);
        }
        chosen
            .into_iter()
            .map(|index| &self.receivers[index])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(routing: &'a Routing, case: &AlertFacts<'_>) -> Vec<&'a str> {
        routing
            .receivers_for(case)
            .into_iter()
            .map(|r| r.name.as_str())
            .collect()
    }

    fn offices(codes: &[&str]) -> Vec<OfficeCode> {
        codes
            .iter()
            .map(|code| OfficeCode::stored(code).unwrap())
            .collect()
    }

    fn case<'a>(
        focus_area: &'a str,
        offices: &'a [OfficeCode],
        district: &'a str,
        severity: Severity,
    ) -> AlertFacts<'a> {
        AlertFacts {
            focus_area,
            offices,
            district,
            kind: IncidentKind::Threat,
            severity,
        }
    }

    #[test]
    fn the_shipped_rules_follow_the_strategy() {
        let routing = Routing::builtin(&Catalogue::builtin()).unwrap();
        let public_space = offices(&["kommunledning", "samhallsbyggnad"]);
        assert_eq!(
            names(
                &routing,
                &case("public_space", &public_space, "west", Severity::Serious)
            ),
            [
                "sakerhetschef",
                "kommunledning",
                "samhallsbyggnad",
                "brottsforebyggande_west"
            ]
        );
        let school = offices(&["utbildning"]);
        assert_eq!(
            names(&routing, &case("school", &school, "east", Severity::Low)),
            ["utbildning", "brottsforebyggande_east"]
        );
    }

    const RULES: &str = r#"
        [routing]
        default_receiver = "fallback"

        [[routing.routes]]
        receiver = "schools"
        focus_area = ["school"]

        [[routing.routes]]
        receiver = "manager"
        severity = ["serious"]
        continue = true

        [[routing.routes]]
        receiver = "west"
        district = ["west"]

        [[receivers]]
        name = "fallback"
        email = ["fallback@kommun.example"]

        [[receivers]]
        name = "schools"
        email = ["skola@kommun.example"]

        [[receivers]]
        name = "manager"
        email = ["chef@kommun.example"]

        [[receivers]]
        name = "west"
        webhooks = [{ url = "https://relay.kommun.example/west", secret_env = "WEST_SECRET" }]
    "#;

    fn rules() -> Routing {
        let env = |name: &str| (name == "WEST_SECRET").then(|| "s3cret".to_owned());
        Routing::from_toml(RULES, &Catalogue::builtin(), env).unwrap()
    }

    #[test]
    fn first_match_wins_unless_a_route_continues() {
        let routing = rules();
        let none: [OfficeCode; 0] = [];
        // The school route matches first and stops, though the case is serious and in the west.
        assert_eq!(
            names(&routing, &case("school", &none, "west", Severity::Serious)),
            ["schools"]
        );
        assert_eq!(
            names(
                &routing,
                &case("public_space", &none, "west", Severity::Serious)
            ),
            ["manager", "west"]
        );
        assert_eq!(
            names(
                &routing,
                &case("public_space", &none, "east", Severity::Serious)
            ),
            ["manager"]
        );
        assert_eq!(
            names(
                &routing,
                &case("public_space", &none, "east", Severity::Low)
            ),
            ["fallback"]
        );
        assert_eq!(
            routing.receivers_for(&case("x", &none, "west", Severity::Low))[0].webhooks[0].secret,
            "s3cret"
        );
    }

    #[test]
    fn each_receiver_gets_an_alert_with_a_delivery_per_address() {
        let routing = rules();
        let none: [OfficeCode; 0] = [];
        let facts = case("public_space", &none, "west", Severity::Serious);
        let alerts = routing.alerts_for(&facts, AlertReason::Filed);
        let shape: Vec<(&str, Vec<(Channel, &str)>)> = alerts
            .iter()
            .map(|alert| {
                let deliveries = alert
                    .deliveries
                    .iter()
                    .map(|d| (d.channel, d.target.as_str()));
                (alert.receiver.as_str(), deliveries.collect())
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("manager", vec![(Channel::Email, "chef@kommun.example")]),
                (
                    "west",
                    vec![(Channel::Webhook, "https://relay.kommun.example/west")]
                ),
            ]
        );
        let message_id = &alerts[0].deliveries[0].message_id;
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@trygg>"),
            "{message_id}"
        );
        assert_ne!(alerts[0].id, alerts[1].id);
    }

    #[test]
    fn broken_rules_are_refused_with_the_reason() {
        let catalogue = Catalogue::builtin();
        let env = |_: &str| Some("s".to_owned());
        let cases = [
            (
                RULES.replace(r#"focus_area = ["school"]"#, r#"focus_area = ["parks"]"#),
                "route 1: `parks` is not a known focus area",
            ),
            (
                RULES.replace(r#"district = ["west"]"#, r#"district = ["north"]"#),
                "route 3: `north` is not a known district",
            ),
            (
                RULES.replace(r#"severity = ["serious"]"#, r#"severity = ["grave"]"#),
                "the routing rules are not valid TOML",
            ),
            (
                RULES.replace(r#"email = ["chef@kommun.example"]"#, ""),
                "receiver `manager` has no e-mail address and no webhook",
            ),
            (
                RULES.replace("chef@kommun.example", "chef"),
                "receiver `manager`: `chef` is not an e-mail address",
            ),
            (
                RULES.replace(r#"receiver = "west""#, r#"receiver = "east""#),
                "route 3 names the unknown receiver `east`",
            ),
            (
                RULES.replace(
                    r#"default_receiver = "fallback""#,
                    r#"default_receiver = "nobody""#,
                ),
                "the default receiver `nobody` is not defined",
            ),
            (
                RULES.replace(r#"name = "west""#, r#"name = "manager""#),
                "receiver `manager` is defined more than once",
            ),
            (
                RULES.replace(
                    "https://relay.kommun.example/west",
                    "http://169.254.169.254/",
                ),
                "receiver `west`: `http://169.254.169.254/` points into this machine",
            ),
            (
                RULES.replace(
                    "receiver = \"schools\"\n        focus_area = [\"school\"]",
                    "receiver = \"schools\"",
                ),
                "route 1 matches every case and does not continue",
            ),
        ];
        for (text, expected) in cases {
            let error = Routing::from_toml(&text, &catalogue, env)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{error}");
        }
        let no_secret = Routing::from_toml(RULES, &catalogue, |_| None).unwrap_err();
        assert_eq!(
            no_secret.to_string(),
            "receiver `west`: its webhook secret `WEST_SECRET` is not set in the environment"
        );
    }
}
