//! A report as filed: the draft a reporter sends, parsed into a [`NewReport`] that is known to be
//! valid and classified.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::catalogue::{Catalogue, DistrictCode, FocusAreaCode, OfficeCode};
use crate::codes::{
    AffectedCategory, AgeGroup, ChildrenAffected, Gender, IncidentKind, Influence,
    PerpetratorRelation, PlaceKind, Severity, ViolenceForm,
};
use crate::text::{self, TextError};

/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// How far in the future `occurred_at` may lie, for clocks that run ahead.
const CLOCK_SKEW: Duration = Duration::minutes(5);
/// How far back a report may go: older dates are almost always typing errors.
const MAX_AGE: Duration = Duration::days(10 * 366);

/// The earliest an incident reported now may have happened: ten years back.
pub fn earliest_occurrence(now: DateTime<Utc>) -> DateTime<Utc> {
    now - MAX_AGE
}

/// What a reporter sends. Triage fields (status, assignee, office) are not part of it, and
/// unknown fields are refused rather than ignored. (Flat rather than a flattened
/// [`Circumstances`]: serde cannot refuse unknown fields through `flatten`.)
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportDraft {
    pub kind: IncidentKind,
    /// Forms of violence, any of them: at least one when `kind` is `violence`, none otherwise.
    #[serde(default)]
    pub violence_forms: Vec<ViolenceForm>,
    /// When it happened (RFC 3339, any offset).
    pub occurred_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = DistrictCode))]
    pub district: String,
    pub place_kind: PlaceKind,
    pub affected_category: AffectedCategory,
    pub affected_gender: Gender,
    pub affected_age_group: AgeGroup,
    pub children_affected: ChildrenAffected,
    pub perpetrator_relation: PerpetratorRelation,
    pub perpetrator_influence: Influence,
    pub severity: Severity,
    /// What happened, in the reporter's words.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::text::schema::Prose))]
    pub description: String,
    /// Classified from the report when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<FocusAreaCode>))]
    pub focus_area: Option<String>,
}

/// A free-text description: trimmed, not blank, bounded, without control characters but line
/// breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(text: &str) -> Result<Description, TextError> {
        text::prose(text, MAX_DESCRIPTION_CHARS).map(Description)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A set of violence forms, kept sorted and without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViolenceForms(Vec<ViolenceForm>);

impl ViolenceForms {
    pub fn new(forms: impl IntoIterator<Item = ViolenceForm>) -> ViolenceForms {
        let mut forms: Vec<_> = forms.into_iter().collect();
        forms.sort();
        forms.dedup();
        ViolenceForms(forms)
    }

    pub fn as_slice(&self) -> &[ViolenceForm] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What happened, where, to whom and by whom: the coded facts a case is classified, routed and
/// counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Circumstances {
    pub kind: IncidentKind,
    pub place_kind: PlaceKind,
    pub affected_category: AffectedCategory,
    pub affected_gender: Gender,
    pub affected_age_group: AgeGroup,
    pub children_affected: ChildrenAffected,
    pub perpetrator_relation: PerpetratorRelation,
    pub perpetrator_influence: Influence,
    pub severity: Severity,
}

/// A report that passed every rule and has its focus area and responsible offices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub circumstances: Circumstances,
    pub violence_forms: ViolenceForms,
    pub occurred_at: DateTime<Utc>,
    pub district: DistrictCode,
    pub description: Description,
    pub focus_area: FocusAreaCode,
    pub offices: Vec<OfficeCode>,
}

/// One broken rule, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    pub field: &'static str,
    pub message: String,
}

/// Every rule a draft broke, so a form can show them all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the report breaks {} rule(s): {}", violations.len(), summary(violations))]
pub struct ReportError {
    pub violations: Vec<Violation>,
}

fn summary(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("`{}` {}", v.field, v.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl NewReport {
    /// Checks a draft against the rules and the catalogue, and classifies it.
    pub fn parse(
        draft: ReportDraft,
        catalogue: &Catalogue,
        now: DateTime<Utc>,
    ) -> Result<NewReport, ReportError> {
        let mut violations = Vec::new();
        let mut violation = |field: &'static str, message: String| {
            violations.push(Violation { field, message });
        };

        if draft.occurred_at > now + CLOCK_SKEW {
            violation("occurred_at", "must not be in the future".to_owned());
        } else if draft.occurred_at < earliest_occurrence(now) {
            violation(
                "occurred_at",
                "must be within the last ten years".to_owned(),
            );
        }
        let district = catalogue
            .district(&draft.district)
            .map_err(|e| violation("district", e.to_string()))
            .ok();
        let description = Description::parse(&draft.description)
            .map_err(|message| violation("description", message.to_string()))
            .ok();
        let violence_forms = ViolenceForms::new(draft.violence_forms);
        match (
            draft.kind == IncidentKind::Violence,
            violence_forms.is_empty(),
        ) {
            (true, true) => violation(
                "violence_forms",
                "must name at least one form when kind is `violence`".into(),
            ),
            (false, false) => violation(
                "violence_forms",
                "is for `violence` only; leave it out for other kinds".into(),
            ),
            _ => {}
        }
        let circumstances = Circumstances {
            kind: draft.kind,
            place_kind: draft.place_kind,
            affected_category: draft.affected_category,
            affected_gender: draft.affected_gender,
            affected_age_group: draft.affected_age_group,
            children_affected: draft.children_affected,
            perpetrator_relation: draft.perpetrator_relation,
            perpetrator_influence: draft.perpetrator_influence,
            severity: draft.severity,
        };
        let focus_area = match &draft.focus_area {
            Some(code) => catalogue
                .focus_area(code)
                .map_err(|e| violation("focus_area", e.to_string()))
                .ok(),
            None => Some(catalogue.classify(&circumstances)),
        };

        match (district, description, focus_area) {
            (Some(district), Some(description), Some(focus_area)) if violations.is_empty() => {
                Ok(NewReport {
                    circumstances,
                    violence_forms,
                    occurred_at: draft.occurred_at,
                    district,
                    description,
                    focus_area: focus_area.code.clone(),
                    offices: focus_area.offices.clone(),
                })
            }
            _ => Err(ReportError { violations }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-20T12:00:00Z".parse().unwrap()
    }

    fn draft() -> ReportDraft {
        serde_json::from_value(serde_json::json!({
            "kind": "threat",
            "occurred_at": "2026-11-20T09:30:00+01:00",
            "district": "central",
            "place_kind": "school",
            "affected_category": "pupil_child",
            "affected_gender": "woman",
            "affected_age_group": "age_13_17",
            "children_affected": "affected",
            "perpetrator_relation": "pupil",
            "perpetrator_influence": "no",
            "severity": "high",
            "description": "  Threatened in the schoolyard.  "
        }))
        .unwrap()
    }

    #[test]
    fn a_valid_draft_is_classified_and_routed() {
        let report = NewReport::parse(draft(), &Catalogue::builtin(), now()).unwrap();
        assert_eq!(report.focus_area.as_str(), "school");
        assert_eq!(
            report
                .offices
                .iter()
                .map(OfficeCode::as_str)
                .collect::<Vec<_>>(),
            ["utbildning"]
        );
        assert_eq!(report.description.as_str(), "Threatened in the schoolyard.");
        assert_eq!(
            report.occurred_at,
            "2026-11-20T08:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn an_explicit_focus_area_overrides_classification() {
        let mut draft = draft();
        draft.focus_area = Some("honour_violence".into());
        let report = NewReport::parse(draft, &Catalogue::builtin(), now()).unwrap();
        assert_eq!(report.focus_area.as_str(), "honour_violence");
        assert_eq!(
            report
                .offices
                .iter()
                .map(OfficeCode::as_str)
                .collect::<Vec<_>>(),
            ["social_omsorg"]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_with_its_field() {
        let mut draft = draft();
        draft.kind = IncidentKind::Violence;
        draft.occurred_at = now() + Duration::hours(1);
        draft.district = "north".into();
        draft.description = " \u{7} ".into();
        draft.focus_area = Some("parking".into());
        let error = NewReport::parse(draft, &Catalogue::builtin(), now()).unwrap_err();
        let fields: Vec<_> = error.violations.iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            [
                "occurred_at",
                "district",
                "description",
                "violence_forms",
                "focus_area"
            ]
        );
    }

    #[test]
    fn forms_of_violence_belong_to_violence_only() {
        let mut threat = draft();
        threat.kind = IncidentKind::Threat;
        threat.violence_forms = vec![ViolenceForm::Physical];
        let error = NewReport::parse(threat, &Catalogue::builtin(), now()).unwrap_err();
        assert_eq!(error.violations[0].field, "violence_forms");
        assert!(error.violations[0].message.contains("`violence` only"));
    }

    #[test]
    fn descriptions_are_bounded_and_clean() {
        assert!(Description::parse(&"x".repeat(MAX_DESCRIPTION_CHARS)).is_ok());
        assert!(Description::parse(&"x".repeat(MAX_DESCRIPTION_CHARS + 1)).is_err());
        assert!(Description::parse("line one\nline two\ttabbed").is_ok());
        assert!(Description::parse("nul\0byte").is_err());
        assert!(Description::parse("   ").is_err());
    }

    #[test]
    fn violence_forms_are_a_set() {
        use ViolenceForm::*;
        let forms = ViolenceForms::new([Sexual, Physical, Sexual]);
        assert_eq!(forms.as_slice(), [Physical, Sexual]);
    }

    #[test]
    fn dates_long_ago_are_refused() {
        let mut draft = draft();
        draft.occurred_at = "2016-01-01T00:00:00Z".parse().unwrap();
        let error = NewReport::parse(draft, &Catalogue::builtin(), now()).unwrap_err();
        assert_eq!(error.violations[0].field, "occurred_at");
    }
}
