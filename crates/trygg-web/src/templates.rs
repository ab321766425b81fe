//! The pages' templates (askama: checked when compiling, escaped by default) and what each
//! one shows.

use askama::Template;
use chrono::{DateTime, Utc};
use trygg_domain::Role;
use trygg_domain::time::local_time;

use crate::case_work::Deadline;
use crate::i18n::Lang;
use crate::session::{SessionUser, Visitor};
use crate::statistics::Figure;

/// What every page shows around its content: language, the visitor, the links.
#[derive(Debug)]
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub signed_in_as: Option<String>,
    pub csrf: String,
    /// The language link: this page in the other language.
    pub other_lang_href: String,
    /// The development sign-in is on: every page says so.
    pub development: bool,
    /// The visitor may file a report, or is not signed in yet: the menu leads to the form.
    pub files_reports: bool,
    /// The visitor works cases: the menu leads to the queue.
    pub works_cases: bool,
    /// The visitor is a security manager: the menu leads to the alerts and the access log.
    pub security_manager: bool,
    /// The visitor reads statistics: the menu leads to them.
    pub reads_statistics: bool,
}

impl Layout {
    pub fn new(visitor: &Visitor, title_id: &str) -> Layout {
        Layout {
            lang: visitor.lang,
            title: visitor.lang.text(title_id),
            signed_in_as: visitor
                .user
                .as_ref()
                .map(|user: &SessionUser| user.name.clone()),
            csrf: visitor.csrf.clone(),
            other_lang_href: format!(
                "/sprak?lang={}&tillbaka={}",
                visitor.lang.other().code(),
                crate::urlencode(&visitor.here)
            ),
            development: visitor.development,
            files_reports: visitor.user.is_none() || has_role(visitor, &Role::FILERS),
            works_cases: has_role(visitor, &[Role::Handler, Role::SecurityManager]),
            security_manager: has_role(visitor, &[Role::SecurityManager]),
            reads_statistics: has_role(visitor, &[Role::Analyst, Role::SecurityManager]),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.lang.text(id)
    }

    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        self.lang.text_with(id, &[(name, value)])
    }

    /// A time as people here read it: local time, day first.
    pub fn local(&self, at: &DateTime<Utc>) -> String {
        local_time(*at).format("%Y-%m-%d %H:%M").to_string()
    }

    pub fn other_lang_name(&self) -> String {
        self.t("other-language")
    }
}

/// Whether the signed-in visitor has one of `roles`, for what the menu offers (each page
/// checks for itself).
fn has_role(visitor: &Visitor, roles: &[Role]) -> bool {
    visitor.user.as_ref().is_some_and(|user| {
        user.roles
            .iter()
            .filter_map(|claim| Role::from_claim(claim))
            .any(|role| roles.contains(&role))
    })
}

/// An error, in as few words as help.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub title: String,
    pub body: String,
}

/// One link of an error summary: the field's id and what is wrong with it.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// Where the field is: this page (`#field-…`) or another step's.
    pub href: String,
}

/// One choice of a radio group or a set of checkboxes.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    pub checked: bool,
}

/// How a question is answered.
#[derive(Debug, Clone)]
pub enum Input {
    Radios(Vec<Choice>),
    Checkboxes(Vec<Choice>),
    Date(String),
    Time(String),
    Text { value: String, max: usize },
}

/// One question of a step: a fieldset with its legend for choices, a label otherwise.
#[derive(Debug, Clone)]
pub struct Question {
    pub name: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub input: Input,
}

impl Question {
    /// The id of the question's first input, where the error summary leads.
    pub fn id(&self) -> String {
        format!("field-{}", self.name)
    }

    /// The id of the n-th choice; the first is the question's own.
    /// The id of a choice's own hint: never the question's (`{id}-hint`), which the first
    /// choice's id would otherwise give.
    pub fn choice_hint_id(&self, index: &usize) -> String {
        format!("field-{}-choice-{index}-hint", self.name)
    }

    pub fn choice_id(&self, index: &usize) -> String {
        match index {
            0 => self.id(),
            n => format!("field-{}-{n}", self.name),
        }
    }

    /// The ids that describe an input: its hint and its error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id()));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id()));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "question.html")]
pub struct QuestionPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: Option<String>,
    pub action: String,
    pub back: Option<String>,
    pub errors: Vec<FieldError>,
    /// Something the visitor must know first (their session ran out).
    pub notice: Option<String>,
    pub questions: Vec<Question>,
    pub return_to_check: bool,
    pub step_label: String,
}

/// One answer on the check-your-answers page.
#[derive(Debug, Clone)]
pub struct Answer {
    pub question: String,
    pub answer: String,
    pub change_href: String,
    pub change_label: String,
}

#[derive(Template)]
#[template(path = "check.html")]
pub struct CheckPage {
    pub layout: Layout,
    pub answers: Vec<Answer>,
    pub errors: Vec<FieldError>,
}

/// What a phone shows when it cannot reach the service (kept by the service worker).
#[derive(Template)]
#[template(path = "offline.html")]
pub struct OfflinePage {
    /// The municipality's switchboard, as written and as dialled.
    pub phone: Option<String>,
    pub phone_digits: String,
}

/// A report was begun and not sent: continue it, or throw it away and start anew.
#[derive(Template)]
#[template(path = "draft.html")]
pub struct DraftPage {
    pub layout: Layout,
    /// The answers given so far, as (question, answer).
    pub answered: Vec<(String, String)>,
    pub continue_href: String,
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub layout: Layout,
    pub case_number: String,
    pub report_href: String,
}

#[derive(Template)]
#[template(path = "start.html")]
pub struct StartPage {
    pub layout: Layout,
    pub has_draft: bool,
}

/// A report in the reporter's list.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub href: String,
    pub case_number: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub status: String,
    /// Messages from case workers the reporter has not seen yet, in words.
    pub unread: Option<String>,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub layout: Layout,
    pub reports: Vec<ReportRow>,
    pub older_href: Option<String>,
}

/// A comment the reporter sees: their own additions and what case workers wrote to them.
#[derive(Debug, Clone)]
pub struct CommentRow {
    pub at: DateTime<Utc>,
    pub from_me: bool,
    /// A case worker's message the reporter had not seen before this page.
    pub new: bool,
    pub body: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub case_number: String,
    pub status: String,
    /// What the status means for the reporter, in words.
    pub status_explained: String,
    pub facts: Vec<(String, String)>,
    pub description: String,
    pub comments: Vec<CommentRow>,
    pub action: String,
    pub addition: String,
    pub errors: Vec<FieldError>,
    pub added: bool,
}

/// A user the development sign-in offers.
#[derive(Debug, Clone)]
pub struct DevelopmentUser {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "development_sign_in.html")]
pub struct DevelopmentSignInPage {
    pub layout: Layout,
    pub users: Vec<DevelopmentUser>,
    pub return_to: String,
}

/// A page of text only: about the service, the accessibility statement, signed out.
#[derive(Template)]
#[template(path = "text.html")]
pub struct TextPage {
    pub layout: Layout,
    /// Sections of a heading (absent for the first) and paragraphs.
    pub sections: Vec<(Option<String>, Vec<String>)>,
}

/// A link among others of its kind (tabs, orderings), one of which may be the current one.
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A case in a queue list.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub href: String,
    pub case_number: String,
    pub received_at: DateTime<Utc>,
    /// What happened and where: the kind of incident and the district.
    pub kind: String,
    pub district: String,
    pub focus_area: String,
    pub severity: String,
    pub status: String,
    pub assignee: Option<String>,
    /// Time left to notify Arbetsmiljöverket, where it must be notified and has not been.
    pub deadline: Option<Deadline>,
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub layout: Layout,
    pub tabs: Vec<Link>,
    pub orders: Vec<Link>,
    pub list_title: String,
    /// What puts a case in the list shown.
    pub list_explained: String,
    pub rows: Vec<QueueRow>,
    pub page: u32,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
}

/// A change just saved: which form's section says so, and in what words.
#[derive(Debug, Clone)]
pub struct Saved {
    pub form: String,
    pub message: String,
}

/// The assignment form: to whom, for which of the case's offices.
#[derive(Debug, Clone)]
pub struct AssignForm {
    /// The case workers the case may go to, the current or chosen one checked.
    pub assignees: Vec<Choice>,
    pub offices: Vec<Choice>,
}

/// The reclassification form: each field as it is (or as sent), and a reason.
#[derive(Debug, Clone)]
pub struct ClassifyForm {
    pub focus_areas: Vec<Choice>,
    pub severities: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub reason: String,
}

/// The follow-up form; Arbetsmiljöverket's notification as a local date and time.
#[derive(Debug, Clone)]
pub struct FollowUpForm {
    pub police_report_filed: bool,
    pub police_reference: String,
    pub notified_date: String,
    pub notified_time: String,
    pub support_offered: bool,
}

/// An action on the case page.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: String,
    pub description: String,
    pub owner: String,
    /// The local date it is due.
    pub due: String,
    pub status: String,
    pub open: bool,
    pub overdue: bool,
}

/// The new-action form.
#[derive(Debug, Clone)]
pub struct ActionForm {
    pub description: String,
    /// The case workers an action may go to, the chosen one checked.
    pub owners: Vec<Choice>,
    pub due: String,
}

/// A comment on the case page: an internal note, or a message the reporter sees.
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub at: DateTime<Utc>,
    pub author: String,
    pub body: String,
}

/// A change in the case's timeline, in words.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub field: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub layout: Layout,
    pub id: String,
    /// The case page's path; the forms post below it.
    pub base: String,
    pub case_number: String,
    pub status: String,
    pub outcome: Option<String>,
    /// The case's version as read, which every form sends back.
    pub version: i64,
    /// How many timeline entries the page shows, which every form sends back.
    pub seen: usize,
    /// What was just saved, said in its form's section.
    pub saved: Option<Saved>,
    /// Changes someone else made since the visitor read the case.
    pub conflict: Vec<TimelineRow>,
    pub errors: Vec<FieldError>,
    pub facts: Vec<(String, String)>,
    pub description: String,
    pub classification: Vec<(String, String)>,
    pub assignee: Option<String>,
    pub deadline: Option<Deadline>,
    pub follow_up_facts: Vec<(String, String)>,
    /// The statuses the visitor may move the case to from here.
    pub moves: Vec<Choice>,
    /// How a case may end, when closing is among the moves.
    pub outcomes: Vec<Choice>,
    pub assign: AssignForm,
    pub classify: ClassifyForm,
    pub follow_up: FollowUpForm,
    pub actions: Vec<ActionRow>,
    pub new_action: ActionForm,
    pub internal: Vec<NoteRow>,
    pub to_reporter: Vec<NoteRow>,
    pub comment_audience: String,
    pub comment_body: String,
    pub timeline: Vec<TimelineRow>,
    pub alerts: Vec<ListedAlert>,
}

impl CasePage {
    /// What is wrong with a field, if anything.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }
}

/// One delivery of an alert: where it went and how it went.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub channel: String,
    pub target: String,
    pub state: String,
    pub attempts: i64,
    /// Why the last attempt failed, in words.
    pub failure: Option<String>,
    /// The technical text behind it, one click away.
    pub last_error: Option<String>,
}

/// An alert in the security manager's list, and on its own page.
#[derive(Debug, Clone)]
pub struct ListedAlert {
    pub href: String,
    pub retry: String,
    /// A delivery failed: it can be retried.
    pub failed: bool,
    pub case_href: String,
    pub case_number: String,
    pub receiver: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub acknowledged: Option<String>,
    pub deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    pub layout: Layout,
    pub tabs: Vec<Link>,
    pub notice: Option<String>,
    /// How many alerts the list holds, and which of them this page shows, in words.
    pub shown: String,
    /// Alerts with a failed delivery, all of which one button queues again.
    pub failed_total: i64,
    pub alerts: Vec<ListedAlert>,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "alert.html")]
pub struct AlertPage {
    pub layout: Layout,
    pub alert: ListedAlert,
    /// The visitor is the receiver and the alert is not yet acknowledged.
    pub may_acknowledge: bool,
    pub action: String,
    pub comment: String,
    pub errors: Vec<FieldError>,
    pub acknowledged_now: bool,
}

/// One read in the access log.
#[derive(Debug, Clone)]
pub struct AccessRow {
    pub at: DateTime<Utc>,
    pub user: String,
    pub case: String,
    pub case_href: String,
    pub purpose: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
pub struct AccessLogPage {
    pub layout: Layout,
    pub case: String,
    pub user: String,
    pub errors: Vec<FieldError>,
    /// People the search for a person could mean, each a link to what they read.
    pub candidates: Vec<(String, String)>,
    pub rows: Vec<AccessRow>,
    pub next_href: Option<String>,
}

impl AccessLogPage {
    /// The page with its search as asked and nothing found yet.
    pub fn empty(layout: Layout, case: Option<&str>, user: Option<&str>) -> AccessLogPage {
        AccessLogPage {
            layout,
            case: case.unwrap_or_default().to_owned(),
            user: user.unwrap_or_default().to_owned(),
            errors: Vec::new(),
            candidates: Vec::new(),
            rows: Vec::new(),
            next_href: None,
        }
    }
}

#[derive(Template)]
#[template(path = "chain_check.html")]
pub struct ChainCheckPage {
    pub layout: Layout,
    pub entries: u64,
    pub first_broken: Option<i64>,
    /// Each chain's name, length and last hash.
    pub heads: Vec<(String, u64, String)>,
}

/// One choice of a drop-down list.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The district picture: the choice of district, then its figures.
#[derive(Template)]
#[template(path = "district.html")]
pub struct DistrictPage {
    pub layout: Layout,
    pub districts: Vec<Choice>,
    pub heading: Option<String>,
    pub period: Option<String>,
    /// What the figures are: live and suppressed, or published and perturbed.
    pub disclosure: String,
    /// Whose population the rates per 100 000 inhabitants are of, or how to add one.
    pub population: String,
    pub figures: Vec<Figure>,
    pub error: Option<String>,
}

/// The yearly compilation: the choice of year, then its figures.
#[derive(Template)]
#[template(path = "yearly.html")]
pub struct YearlyPage {
    pub layout: Layout,
    /// Whose compilation it is, as its print names it.
    pub municipality: Option<String>,
    /// When it was produced, in words.
    pub produced: String,
    /// The year as asked, shown back in the form.
    pub year: String,
    /// What the figures are: live and suppressed, or published and perturbed.
    pub disclosure: String,
    /// Whose population the rates per 100 000 inhabitants are of, or how to add one.
    pub population: String,
    pub heading: Option<String>,
    pub figures: Vec<Figure>,
    pub error: Option<String>,
}

/// The statistics page: the form as filled in, then the table, its chart and downloads.
#[derive(Template)]
#[template(path = "statistics.html")]
pub struct StatisticsPage {
    pub layout: Layout,
    /// The calendar periods a reader of published figures picks from; none for live figures,
    /// which take any days.
    pub periods: Vec<SelectOption>,
    pub from: String,
    pub to: String,
    pub rows: Vec<SelectOption>,
    pub columns: Vec<SelectOption>,
    /// Each filter's dimension code, label and choices.
    pub filters: Vec<(String, String, Vec<SelectOption>)>,
    /// What the figures are: live and suppressed, or published and perturbed.
    pub disclosure: String,
    /// Whose population the rates per 100 000 inhabitants are of, or how to add one.
    pub population: String,
    pub errors: Vec<FieldError>,
    pub period: Option<String>,
    pub figure: Option<Figure>,
    /// Each download's link and name.
    pub downloads: Vec<(String, String)>,
}

impl StatisticsPage {
    /// Whether a filter is chosen: the filters are shown open then.
    pub fn filtered(&self) -> bool {
        self.filters
            .iter()
            .any(|(_, _, choices)| choices.iter().any(|c| c.selected && !c.value.is_empty()))
    }
}
