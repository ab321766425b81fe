//! A case's timeline: every change to it, who made it, when, and why, as typed events. The
//! access log says who read a case; the timeline says who changed it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::codes::UnknownCode;

/// One change to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    /// Who made the change (`sub`).
    pub actor: String,
    pub change: Change,
    /// Why, where the change takes a reason (a reclassification).
    pub reason: Option<String>,
}

/// What changed, from what to what. Values are codes (a status, a severity), user ids, flags
/// (`true`, `false`) or instants (RFC 3339), as the field holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A field of the case itself.
    Case {
        field: CaseField,
        from: Option<String>,
        to: Option<String>,
    },
    /// The offices responsible for the case (a new focus area's).
    Offices { from: Vec<String>, to: Vec<String> },
    /// An action added: its summary.
    ActionAdded { summary: String },
    /// A field of one of the case's actions.
    Action {
        id: Uuid,
        field: ActionField,
        from: Option<String>,
        to: Option<String>,
    },
}

macro_rules! fields {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

fields!(
    /// The fields of a case the timeline records changes to.
    CaseField {
        Status => "status",
        Outcome => "outcome",
        Assignee => "assignee",
        FocusArea => "focus_area",
        Severity => "severity",
        Kind => "kind",
        PoliceReportFiled => "police_report_filed",
        PoliceReference => "police_reference",
        AuthorityNotifiedAt => "authority_notified_at",
        SupportOffered => "support_offered",
    }
);

fields!(
    /// The fields of an action the timeline records changes to.
    ActionField {
        Status => "status",
        Owner => "owner",
        DueAt => "due_at",
    }
);

/// A change as it is kept and as the API gives it: the field's name (`status`, `offices`,
/// `action`, `action <id> <field>`), and the values before and after as text (offices
/// comma-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeText {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Change {
    /// The change as text: one encoding, for storage and for the API.
    pub fn text(&self) -> ChangeText {
        let text = |field: String, from: &Option<String>, to: &Option<String>| ChangeText {
            field,
            from: from.clone(),
            to: to.clone(),
        };
        match self {
            Change::Case { field, from, to } => text(field.code().to_owned(), from, to),
            Change::Offices { from, to } => ChangeText {
                field: "offices".to_owned(),
                from: Some(from.join(",")),
                to: Some(to.join(",")),
            },
            Change::ActionAdded { summary } => ChangeText {
                field: "action".to_owned(),
                from: None,
                to: Some(summary.clone()),
            },
            Change::Action {
                id,
                field,
                from,
                to,
            } => text(format!("action {id} {}", field.code()), from, to),
        }
    }

    /// A change kept as text (see [`Change::text`]).
    pub fn from_text(text: ChangeText) -> Result<Change, UnknownCode> {
        let unknown = || UnknownCode {
            vocabulary: "timeline field",
            code: text.field.clone(),
        };
        let offices = |value: Option<String>| -> Vec<String> {
            value
                .filter(|list| !list.is_empty())
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        match text.field.split(' ').collect::<Vec<_>>()[..] {
            ["offices"] => Ok(Change::Offices {
                from: offices(text.from),
                to: offices(text.to),
            }),
            ["action"] => Ok(Change::ActionAdded {
                summary: text.to.unwrap_or_default(),
            }),
            ["action", id, field] => Ok(Change::Action {
                id: Uuid::parse_str(id).map_err(|_| unknown())?,
                field: ActionField::parse(field).ok_or_else(unknown)?,
                from: text.from,
                to: text.to,
            }),
            [field] => Ok(Change::Case {
                field: CaseField::parse(field).ok_or_else(unknown)?,
                from: text.from,
                to: text.to,
            }),
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of change reads back as it was kept.
    #[test]
    fn a_change_kept_as_text_reads_back_the_same() {
        let value = |text: &str| Some(text.to_owned());
        let mut changes: Vec<Change> = CaseField::ALL
            .iter()
            .map(|field| Change::Case {
                field: *field,
                from: None,
                to: value("x"),
            })
            .collect();
        changes.extend(ActionField::ALL.iter().map(|field| Change::Action {
            id: Uuid::now_v7(),
            field: *field,
            from: value("a"),
            to: value("b"),
        }));
        changes.push(Change::Offices {
            from: vec!["utbildning".into()],
            to: vec!["kommunledning".into(), "samhallsbyggnad".into()],
        });
        changes.push(Change::ActionAdded {
            summary: "0192: Samtal med rektor (owner dave, due 2026-12-09T22:59:00Z)".into(),
        });
        for change in changes {
            assert_eq!(Change::from_text(change.text()), Ok(change.clone()));
        }
        let unknown = ChangeText {
            field: "colour".into(),
            from: None,
            to: None,
        };
        assert!(Change::from_text(unknown).is_err());
    }
}
