//! End-to-end tests: the real server on port 0, a real database (SQLite file or a fresh
//! PostgreSQL database), and the Twilio simulator playing Twilio through the real protocol.

mod harness;
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
