//! The database schema, written for both backends (see `migrations/`).

diesel::table! {
    incidents (seq) {
        seq -> BigInt,
        id -> Text,
        reporter -> Text,
        kind -> Text,
        violence_forms -> Text,
        occurred_at -> Timestamp,
        received_at -> Timestamp,
        updated_at -> Timestamp,
        district -> Text,
        place_kind -> Text,
        affected_category -> Text,
        affected_gender -> Text,
        affected_age_group -> Text,
        children_affected -> Text,
        perpetrator_relation -> Text,
        perpetrator_influence -> Text,
        severity -> Text,
        description -> Text,
        focus_area -> Text,
        status -> Text,
        version -> BigInt,
        assignee -> Nullable<Text>,
        outcome -> Nullable<Text>,
        police_report_filed -> Bool,
        police_reference -> Nullable<Text>,
        authority_notified_at -> Nullable<Timestamp>,
        support_offered -> Bool,
        closed_at -> Nullable<Timestamp>,
        purged_at -> Nullable<Timestamp>,
        record_key -> BigInt,
    }
}

diesel::table! {
    incident_offices (office, incident_seq) {
        office -> Text,
        incident_seq -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (subject, key) {
        subject -> Text,
        key -> Text,
        request_hash -> Text,
        incident_id -> Text,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_events (seq) {
        seq -> BigInt,
        incident_seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        field -> Text,
        from_value -> Nullable<Text>,
        to_value -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    access_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        incident_id -> Text,
        purpose -> Text,
        prev_hash -> Text,
        hash -> Text,
        chain -> Text,
        key_id -> Text,
    }
}

diesel::table! {
    comments (seq) {
        seq -> BigInt,
        incident_seq -> BigInt,
        at -> Timestamp,
        author -> Text,
        audience -> Text,
        body -> Text,
    }
}

diesel::table! {
    actions (seq) {
        seq -> BigInt,
        id -> Text,
        incident_seq -> BigInt,
        description -> Text,
        owner -> Text,
        due_at -> Timestamp,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alerts (seq) {
        seq -> BigInt,
        id -> Text,
        incident_seq -> BigInt,
        receiver -> Text,
        reason -> Text,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        ack_comment -> Nullable<Text>,
        escalated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    deliveries (seq) {
        seq -> BigInt,
        alert_seq -> BigInt,
        channel -> Text,
        target -> Text,
        message_id -> Text,
        state -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        last_failure -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    report_drafts (subject) {
        subject -> Text,
        answers -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    people (subject) {
        subject -> Text,
        name -> Text,
        email -> Nullable<Text>,
        roles -> Text,
        office -> Nullable<Text>,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    web_sessions (key) {
        key -> Text,
        subject -> Text,
        started_at -> Timestamp,
        seen_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    uncounted_cases (incident_seq) {
        incident_seq -> BigInt,
    }
}

diesel::table! {
    reporter_reads (incident_seq) {
        incident_seq -> BigInt,
        last_seen_comment -> BigInt,
    }
}

diesel::joinable!(incident_offices -> incidents (incident_seq));
diesel::joinable!(alerts -> incidents (incident_seq));
diesel::joinable!(deliveries -> alerts (alert_seq));
diesel::joinable!(comments -> incidents (incident_seq));
diesel::joinable!(actions -> incidents (incident_seq));
diesel::joinable!(case_events -> incidents (incident_seq));
diesel::allow_tables_to_appear_in_same_query!(
    incidents,
    uncounted_cases,
    incident_offices,
    idempotency_keys,
    case_events,
    access_log,
    comments,
    actions,
    alerts,
    deliveries,
    reporter_reads,
);

diesel::table! {
    statistics_publications (id) {
        id -> BigInt,
        published_at -> Timestamp,
        through_month -> Integer,
        revision -> Bool,
        salt -> BigInt,
    }
}
