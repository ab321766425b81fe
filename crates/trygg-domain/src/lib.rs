//! Trygg's domain: the municipality's catalogue, what a report says, how it is classified and
//! who may see it. Pure: no I/O, no HTTP, no SQL.

mod access;
mod alert;
mod allowance;
pub mod attachment;
mod case_number;
mod catalogue;
mod clock;
mod codes;
mod report;
pub mod statistics;
pub mod text;
pub mod time;
mod timeline;
mod workflow;

pub use access::{ClaimsError, MAX_SUBJECT_CHARS, Principal, Role, Visibility, check_subject};
pub use alert::{PlannedAlert, PlannedDelivery, still_to_raise};
pub use allowance::{Allowances, Origin};
pub use case_number::{CaseNumber, NotACaseNumber};
pub use catalogue::{
    Catalogue, CatalogueError, ClassificationRule, Code, DistrictCode, Entry, FocusArea,
    FocusAreaCode, Municipality, OfficeCode, Population,
};
pub use clock::{Clock, ManualClock, whole_seconds};
pub use codes::UnknownCode;
pub use codes::{
    ActionStatus, AffectedCategory, AgeGroup, AlertReason, Audience, Channel, ChildrenAffected,
    DeliveryFailure, DeliveryState, Gender, IncidentKind, Influence, Outcome, PerpetratorRelation,
    PlaceKind, Severity, Status, ViolenceForm,
};
pub use report::{
    Circumstances, Description, MAX_DESCRIPTION_CHARS, NewReport, ReportDraft, ReportError,
    Violation, ViolenceForms, earliest_occurrence,
};
pub use timeline::{ActionField, CaseEvent, CaseField, Change, ChangeText};
pub use workflow::{
    DEADLINE_AT_RISK_WITHIN, FollowUp, FollowUpError, MAX_ACTION_HORIZON, MAX_REASON_CHARS,
    NotAssignable, Reclassification, WORK_ENVIRONMENT_CATEGORIES, WORK_ENVIRONMENT_DEADLINE,
    WORK_ENVIRONMENT_SEVERITY, WorkflowError, change_status, check_assignment, check_case_worker,
    check_due, ensure_case_worker, may_comment, status_moves, work_environment_deadline,
};
