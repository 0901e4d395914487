//! Diesel's view of the tables created by `migrations/sqlite` and `migrations/postgres`.
//!
//! Written by hand (diesel_cli is not used) and checked against both migrated databases by
//! the `schema_matches_migrations` conformance test. Column types are chosen to mean the same
//! on both backends: ids and timestamps (Unix milliseconds) are `BigInt`, flags `Bool`.

diesel::table! {
    agents (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        identity -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    call_events (id) {
        id -> BigInt,
        dedupe_key -> Text,
        kind -> Text,
        call_sid -> Text,
        parent_call_sid -> Nullable<Text>,
        root_sid -> Nullable<Text>,
        recording_sid -> Nullable<Text>,
        sequence_number -> Nullable<BigInt>,
        status -> Text,
        occurred_at -> BigInt,
        received_at -> BigInt,
        idempotency_token -> Nullable<Text>,
        payload -> Text,
    }
}

diesel::table! {
    calls (id) {
        id -> BigInt,
        root_sid -> Text,
        direction -> Text,
        status -> Text,
        from_number -> Text,
        to_number -> Text,
        duration -> BigInt,
        answered -> Bool,
        voicemail -> Bool,
        has_recording -> Bool,
        recording_sid -> Nullable<Text>,
        recording_url -> Nullable<Text>,
        agent_id -> Nullable<BigInt>,
        agent_identity -> Nullable<Text>,
        peer_agent_id -> Nullable<BigInt>,
        peer_identity -> Nullable<Text>,
        started_at -> BigInt,
        answered_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        contact_wa_id -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        channel_id -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    call_legs (id) {
        id -> BigInt,
        call_id -> BigInt,
        call_sid -> Text,
        parent_call_sid -> Nullable<Text>,
        direction -> Text,
        from_party -> Text,
        to_party -> Text,
        agent_identity -> Nullable<Text>,
        status -> Text,
        sequence_number -> Nullable<BigInt>,
        duration -> Nullable<BigInt>,
        sip_response_code -> Nullable<Integer>,
        answered_by -> Nullable<Text>,
        started_at -> BigInt,
        answered_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    recordings (id) {
        id -> BigInt,
        recording_sid -> Text,
        call_sid -> Text,
        call_id -> Nullable<BigInt>,
        status -> Text,
        url -> Nullable<Text>,
        duration -> Nullable<BigInt>,
        channels -> Nullable<Integer>,
        source -> Nullable<Text>,
        track -> Nullable<Text>,
        start_time -> Nullable<BigInt>,
        error_code -> Nullable<Integer>,
        is_voicemail -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    recording_copies (id) {
        id -> BigInt,
        recording_sid -> Text,
        sink -> Text,
        location -> Text,
        stored_at -> BigInt,
    }
}

diesel::table! {
    recording_jobs (id) {
        id -> BigInt,
        recording_sid -> Text,
        state -> Text,
        attempts -> Integer,
        next_run_at -> BigInt,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    playback_audit (id) {
        id -> BigInt,
        recording_sid -> Text,
        agent_id -> Nullable<BigInt>,
        via -> Text,
        at -> BigInt,
    }
}

diesel::joinable!(call_legs -> calls (call_id));

diesel::allow_tables_to_appear_in_same_query!(
    agents,
    call_events,
    calls,
    call_legs,
    recordings,
    recording_copies,
    recording_jobs,
    playback_audit,
);

/// Every table and the columns declared above, read back from the SQL diesel generates
/// for `SELECT all_columns`, so the list cannot drift from the declarations.
pub(crate) fn declared_columns() -> Vec<(&'static str, Vec<String>)> {
    use diesel::{QueryDsl, Table};
    fn names(sql: String) -> Vec<String> {
        let select = sql
            .strip_prefix("SELECT ")
            .and_then(|rest| rest.split(" FROM ").next())
            .unwrap_or_default();
        select
            .split(", ")
            .map(|qualified| {
                qualified
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .trim_matches('`')
                    .to_owned()
            })
            .collect()
    }
    macro_rules! tables {
        ($($table:ident),* $(,)?) => {
            vec![$((
                stringify!($table),
                names(
                    diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                        &$table::table.select($table::table::all_columns()),
                    )
                    .to_string(),
                ),
            )),*]
        };
    }
    tables!(
        agents,
        call_events,
        calls,
        call_legs,
        recordings,
        recording_copies,
        recording_jobs,
        playback_audit,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_columns_are_read_from_the_declarations() {
        let tables = super::declared_columns();
        assert_eq!(tables.len(), 8);
        let (name, agents) = &tables[0];
        assert_eq!(*name, "agents");
        assert_eq!(agents.first().map(String::as_str), Some("id"));
        assert_eq!(agents.last().map(String::as_str), Some("updated_at"));
        assert_eq!(agents.len(), 9);
    }
}
