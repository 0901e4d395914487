//! End-to-end tests: the real server on port 0, a real database (SQLite file or a fresh
//! PostgreSQL database), and the Twilio simulator playing Twilio through the real protocol.

mod cluster;
mod crash;
mod crash_load;
mod harness;
mod outage;
mod recordings;
mod rig;
mod scenarios;

harness::on_both_databases!(
    outbound_answered,
    outbound_busy,
    outbound_no_answer,
    inbound_answered_by_one_of_three,
    inbound_nobody_available_takes_voicemail,
    unanswered_inbound_rings_then_voicemail,
    browser_to_browser,
    overlapping_calls_shuffled_and_duplicated,
    forged_webhooks_are_refused_and_write_nothing,
    unknown_agent_is_refused,
    disallowed_destination_is_refused,
    bad_bodies_get_clear_errors,
    agents_see_their_calls_admins_see_all,
    token_for_the_logged_in_agent,
    live_updates_reach_the_browser,
    login_is_throttled,
    status_callbacks_are_idempotent,
);

harness::on_both_databases_with_setup!(
    recording_pipeline from recordings:
    recording_is_filed_locally_and_plays,
    playback_is_for_those_who_may_hear_it,
    range_requests_over_http,
    recording_is_filed_in_drive_too,
    media_redirects_never_leak_credentials,
    faults_everywhere_still_file_everything_once,
    a_stalled_download_is_abandoned_and_retried,
    dead_jobs_say_why_and_can_be_retried,
    twilio_streams_before_filing,
    deleted_from_twilio_once_filed,
    fifty_megabytes_stream_through,
    two_instances_share_the_queue,
);

harness::on_both_databases_with_setup!(
    crash_recovery from crash:
    killed_mid_download_files_once_after_restart,
    killed_mid_upload_files_once_after_restart,
    graceful_stop_hands_the_job_back,
);

/// Scenarios that only exist with PostgreSQL (a server that can go away).
mod postgres_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_outage_loses_nothing() {
        crate::outage::database_outage_loses_nothing().await;
    }
}

harness::on_both_databases_with_setup!(
    crash_under_load from crash_load:
    acknowledged_events_survive_kills,
    graceful_stop_answers_what_it_started,
);
