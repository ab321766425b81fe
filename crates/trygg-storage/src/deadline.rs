//! The Arbetsmiljöverket deadline asked of stored cases: the domain's rule
//! ([`work_environment_deadline`](trygg_domain::work_environment_deadline)) as one SQL
//! condition, for the queue's "deadline at risk" and the alert worker's reminders alike. A test
//! holds the two to each other at every edge.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{
    WORK_ENVIRONMENT_CATEGORIES, WORK_ENVIRONMENT_DEADLINE, WORK_ENVIRONMENT_SEVERITY,
};

use crate::case::Condition;
use crate::schema::incidents;

/// Cases whose deadline falls at or before `due_by` and that Arbetsmiljöverket has not been
/// told of: those the rule covers, received at least the deadline's length before `due_by`.
pub(crate) fn due_by(due_by: DateTime<Utc>) -> Condition<'static> {
    let covered = WORK_ENVIRONMENT_CATEGORIES.map(|category| category.code());
    let received_by = (due_by - WORK_ENVIRONMENT_DEADLINE).naive_utc();
    Box::new(
        incidents::severity
            .eq(WORK_ENVIRONMENT_SEVERITY.code())
            .and(incidents::affected_category.eq_any(covered))
            .and(incidents::authority_notified_at.is_null())
            .and(incidents::received_at.le(received_by)),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use trygg_domain::{
        AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Clock, Gender, IncidentKind,
        Influence, NewReport, PerpetratorRelation, PlaceKind, ReportDraft, Severity, Visibility,
    };
    use uuid::Uuid;

    use super::*;
    use crate::database::{Database, DatabaseUrl};
    use crate::filing::NewIncident;
    use crate::incidents::IncidentFilter;
    use crate::{Purpose, Reader};

    /// Every category and severity, received on either side of each edge, told or not: the
    /// SQL selects exactly the cases whose deadline, as the domain computes it, is due.
    #[test]
    fn the_sql_and_the_domain_agree_on_which_deadlines_are_due() {
        let path = std::env::temp_dir().join(format!("trygg-deadline-{}.db", Uuid::now_v7()));
        let database =
            Database::connect(&DatabaseUrl::Sqlite(path.clone()), 1, Clock::system()).unwrap();
        database.migrate().unwrap();
        let catalogue = Catalogue::builtin();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let second = Duration::seconds(1);
        let edges = [
            Duration::zero(),
            Duration::hours(12),
            WORK_ENVIRONMENT_DEADLINE,
        ];
        let ages = edges
            .iter()
            .flat_map(|edge| [*edge - second, *edge, *edge + second]);
        let mut filed = 0;
        for age in ages {
            for category in AffectedCategory::ALL {
                for severity in Severity::ALL {
                    let received_at = now - age;
                    let draft = ReportDraft {
                        kind: IncidentKind::Threat,
                        violence_forms: Vec::new(),
                        occurred_at: received_at - Duration::hours(1),
                        district: "central".into(),
                        place_kind: PlaceKind::Workplace,
                        affected_category: *category,
                        affected_gender: Gender::Woman,
                        affected_age_group: AgeGroup::Age30To49,
                        children_affected: ChildrenAffected::No,
                        perpetrator_relation: PerpetratorRelation::Unknown,
                        perpetrator_influence: Influence::No,
                        severity: *severity,
                        description: "Hotad i receptionen.".into(),
                        focus_area: None,
                    };
                    let report = NewReport::parse(draft, &catalogue, received_at).unwrap();
                    let new = NewIncident {
                        id: Uuid::now_v7(),
                        reporter: "anna".into(),
                        report,
                        received_at,
                        alerts: Vec::new(),
                    };
                    database.file_incident(new, None).unwrap();
                    filed += 1;
                }
            }
        }
        // Every third case told Arbetsmiljöverket as it was filed (a third, so that each
        // category and severity has cases told and not told).
        diesel::sql_query(
            "UPDATE incidents SET authority_notified_at = received_at WHERE seq % 3 = 0",
        )
        .execute(&mut *database.connection().unwrap())
        .unwrap();

        let filter = IncidentFilter {
            limit: filed,
            ..IncidentFilter::default()
        };
        let reader = Reader::new("test", Purpose::ListIncidents);
        let cases = database
            .list_incidents(&filter, &Visibility::All, &reader)
            .unwrap()
            .cases;
        assert_eq!(cases.len() as i64, filed);
        for due in [
            now,
            now + Duration::hours(12),
            now + WORK_ENVIRONMENT_DEADLINE,
        ] {
            let selected: Vec<String> = incidents::table
                .filter(super::due_by(due))
                .select(incidents::id)
                .load(&mut *database.connection().unwrap())
                .unwrap();
            let mut expected: Vec<String> = cases
                .iter()
                .filter(|case| {
                    case.authority_notification_due()
                        .is_some_and(|at| at <= due)
                })
                .map(|case| case.id.to_string())
                .collect();
            let mut selected = selected;
            selected.sort();
            expected.sort();
            assert!(!expected.is_empty(), "the edges hold due cases");
            assert_eq!(selected, expected, "due by {due}");
        }
        let _ = std::fs::remove_file(path);
    }
}
