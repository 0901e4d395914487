//! call-store's integration tests: the fold's properties, and one conformance suite run
//! against every backend (SQLite in a temporary file; PostgreSQL in a fresh database per
//! test, at RAMAL_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres;
//! RAMAL_SKIP_POSTGRES=1 skips those explicitly).

mod fold;
mod harness;
mod scenarios;
mod suite;

harness::conformance!(
    scenarios_in_order_match_the_fold,
    shuffled_duplicated_deliveries_converge,
    duplicate_delivery_is_a_reported_no_op,
    recording_before_its_call_waits_then_joins,
    recording_naming_a_child_leg_attaches_to_its_call,
    lookup_by_any_leg_and_no_guessing,
    refused_input_writes_nothing,
    unknown_status_is_kept_but_never_wins,
    concurrent_writers_lose_nothing,
    abandoned_applies_leave_nothing_half_done,
    history_filters_and_visibility,
    number_search_is_exact,
    keyset_pagination_walks_every_call_once,
    csv_export_streams_every_call,
    agents_lifecycle,
    concurrent_claimers_never_share_a_job,
    expired_lease_is_reclaimed_and_late_worker_loses_it,
    failed_jobs_retry_then_die_then_revive,
    release_jobs_on_shutdown,
    copies_are_unique_per_sink_and_shown_as_drive_url,
    playback_is_audited,
    contact_fields_survive_new_events,
    schema_and_migrations_are_current,
    two_instances_share_one_database,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migrations_go_down_and_up_again() {
    let target = harness::sqlite_target();
    suite::migrations_down_and_up(&target.target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_go_down_and_up_again() {
    let Some(target) = harness::postgres_bare_target().await else {
        return;
    };
    suite::migrations_down_and_up(&target.target).await;
}
