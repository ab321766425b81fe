//! A filing on PostgreSQL as one statement: the case row, its offices, alerts and their
//! deliveries, the timeline's first event and its place among the cases the statistics have
//! not counted yet, in a `WITH` of inserts. A statement is a round trip and a parse, plan and
//! executor start on the server; one statement instead of six roughly halves what a filing
//! costs PostgreSQL. Every row
//! after the first is bound as arrays (see [`crate::unnest`]), so the text is the same for
//! every filing and stays prepared per connection.

use chrono::NaiveDateTime;
use diesel::dsl::AsSelect;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl, SelectableHelper};
use trygg_domain::{DeliveryState, PlannedAlert};

use super::IncidentInsert;
use crate::case::{EventRow, IncidentRow};
use crate::schema::incidents;
use crate::unnest::{Column, push_unnest};

/// Files the case `values` with the rest; alerts and deliveries are stamped `at`.
pub(super) fn file(
    conn: &mut PgConnection,
    values: &IncidentInsert,
    offices: &[&str],
    alerts: &[&PlannedAlert],
    event: &EventRow,
    at: NaiveDateTime,
) -> QueryResult<IncidentRow> {
    filing(values, offices, alerts, event, at).get_result(conn)
}

/// The filing statement for these rows.
fn filing<'a>(
    values: &'a IncidentInsert,
    offices: &[&'a str],
    alerts: &[&'a PlannedAlert],
    event: &'a EventRow,
    at: NaiveDateTime,
) -> Filing<'a, impl QueryFragment<Pg>> {
    Filing {
        case: diesel::insert_into(incidents::table)
            .values(values)
            .returning(IncidentRow::as_returning()),
        offices: vec![Column::Text(offices.to_vec())],
        alerts: alert_columns(alerts, at),
        deliveries: delivery_columns(alerts, at),
        event: event_columns(event),
    }
}

struct Filing<'a, C> {
    /// The case row's `INSERT … RETURNING` (as [`IncidentRow`])
    case: C,
    /// `office`
    offices: Vec<Column<'a>>,
    /// `id, receiver, reason, created_at`
    alerts: Vec<Column<'a>>,
    /// The alert's `id`, then `channel, target, message_id, state, attempts,
    /// next_attempt_at, created_at`
    deliveries: Vec<Column<'a>>,
    /// `at, actor, field, from_value, to_value, reason`
    event: Vec<Column<'a>>,
}

fn alert_columns<'a>(alerts: &[&'a PlannedAlert], at: NaiveDateTime) -> Vec<Column<'a>> {
    vec![
        Column::OwnedText(alerts.iter().map(|alert| alert.id.to_string()).collect()),
        Column::Text(alerts.iter().map(|alert| alert.receiver.as_str()).collect()),
        Column::Text(alerts.iter().map(|alert| alert.reason.code()).collect()),
        Column::Timestamp(vec![at; alerts.len()]),
    ]
}

fn delivery_columns<'a>(alerts: &[&'a PlannedAlert], at: NaiveDateTime) -> Vec<Column<'a>> {
    let deliveries: Vec<_> = alerts
        .iter()
        .flat_map(|alert| {
            alert
                .deliveries
                .iter()
                .map(move |delivery| (alert, delivery))
        })
        .collect();
    let count = deliveries.len();
    vec![
        Column::OwnedText(
            deliveries
                .iter()
                .map(|(alert, _)| alert.id.to_string())
                .collect(),
        ),
        Column::Text(deliveries.iter().map(|(_, d)| d.channel.code()).collect()),
        Column::Text(deliveries.iter().map(|(_, d)| d.target.as_str()).collect()),
        Column::Text(
            deliveries
                .iter()
                .map(|(_, d)| d.message_id.as_str())
                .collect(),
        ),
        Column::Text(vec![DeliveryState::Pending.code(); count]),
        Column::BigInt(vec![0; count]),
        Column::Timestamp(vec![at; count]),
        Column::Timestamp(vec![at; count]),
    ]
}

fn event_columns(event: &EventRow) -> Vec<Column<'_>> {
    vec![
        Column::Timestamp(vec![event.at.naive_utc()]),
        Column::Text(vec![&event.actor]),
        Column::Text(vec![&event.field]),
        Column::NullableText(vec![event.from.as_deref()]),
        Column::NullableText(vec![event.to.as_deref()]),
        Column::NullableText(vec![event.reason.as_deref()]),
    ]
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for Filing<'_, C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH c AS (");
        self.case.walk_ast(out.reborrow())?;
        out.push_sql(
            "), o AS (INSERT INTO incident_offices (incident_seq, office) \
             SELECT c.seq, u.* FROM c, ",
        );
        push_unnest(out.reborrow(), &self.offices)?;
        out.push_sql(
            " AS u), a AS (INSERT INTO alerts (incident_seq, id, receiver, reason, created_at) \
             SELECT c.seq, u.* FROM c, ",
        );
        push_unnest(out.reborrow(), &self.alerts)?;
        out.push_sql(
            " AS u RETURNING id, seq), d AS (INSERT INTO deliveries (alert_seq, channel, target, \
             message_id, state, attempts, next_attempt_at, created_at) \
             SELECT a.seq, u.channel, u.target, u.message_id, u.state, u.attempts, \
             u.next_attempt_at, u.created_at FROM a JOIN ",
        );
        push_unnest(out.reborrow(), &self.deliveries)?;
        out.push_sql(
            " AS u (alert_id, channel, target, message_id, state, attempts, next_attempt_at, \
             created_at) ON u.alert_id = a.id), e AS (INSERT INTO case_events (incident_seq, at, \
             actor, field, from_value, to_value, reason) SELECT c.seq, u.* FROM c, ",
        );
        push_unnest(out.reborrow(), &self.event)?;
        out.push_sql(" AS u), s AS (INSERT INTO uncounted_cases (incident_seq) SELECT seq FROM c)");
        // Data-modifying statements in `WITH` run once, to completion, read or not.
        out.push_sql(" SELECT * FROM c");
        Ok(())
    }
}

impl<C> Query for Filing<'_, C> {
    type SqlType = AsSelect<IncidentRow, Pg>;
}

/// The filing statement's identity. Its text is the same for every filing (see the test
/// below), so diesel finds the prepared statement by this type, without building the text
/// (some two kilobytes) and hashing it for every filing.
struct FilingStatement;

impl<C> QueryId for Filing<'_, C> {
    type QueryId = FilingStatement;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C> RunQueryDsl<PgConnection> for Filing<'_, C> {}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use diesel::query_builder::QueryBuilder;
    use trygg_domain::{AlertReason, Channel};
    use uuid::Uuid;

    use super::*;
    use trygg_domain::PlannedDelivery;

    fn text(
        values: &IncidentInsert,
        offices: &[&str],
        alerts: &[&PlannedAlert],
        event: &EventRow,
    ) -> String {
        let statement = filing(values, offices, alerts, event, event.at.naive_utc());
        let mut builder = diesel::pg::PgQueryBuilder::default();
        statement.to_sql(&mut builder, &Pg).unwrap();
        builder.finish()
    }

    #[test]
    fn every_filing_is_the_same_statement_text() {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
        let values = |description| IncidentInsert {
            id: Uuid::nil().to_string(),
            reporter: "alice",
            kind: "threat",
            violence_forms: String::new(),
            occurred_at: at.naive_utc(),
            received_at: at.naive_utc(),
            updated_at: at.naive_utc(),
            district: "central",
            place_kind: "school",
            affected_category: "pupil_child",
            affected_gender: "woman",
            affected_age_group: "age_13_17",
            children_affected: "affected",
            perpetrator_relation: "pupil",
            perpetrator_influence: "no",
            severity: "high",
            description,
            focus_area: "school",
            status: "received",
            version: 1,
            record_key: 7,
        };
        let alert = PlannedAlert {
            id: Uuid::nil(),
            receiver: "security_manager".into(),
            reason: AlertReason::Filed,
            deliveries: vec![
                PlannedDelivery {
                    channel: Channel::Email,
                    target: "sakerhet@kommun.example".into(),
                    message_id: "a".into(),
                },
                PlannedDelivery {
                    channel: Channel::Webhook,
                    target: "https://relay.kommun.example".into(),
                    message_id: "b".into(),
                },
            ],
        };
        let event = |reason: Option<&str>| EventRow {
            at,
            actor: "alice".into(),
            field: "status".into(),
            from: None,
            to: Some("received".into()),
            reason: reason.map(str::to_owned),
        };
        let bare = text(&values("Hotad."), &[], &[], &event(None));
        let full = text(
            &values("Hotad på skolgården, igen."),
            &["utbildning", "kommunledning"],
            &[&alert, &alert],
            &event(Some("first")),
        );
        assert_eq!(bare, full);
    }
}
