//! Acting on live calls from outside: agents answer, decline and hang up; callers hang up.

mod support;

use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use support::Hook;
use tokio::sync::broadcast;
use twilio_sim::{CallScript, CallStatus, LegScript, LegUpdate, SimConfig, SimError, Simulator};

const CALLER: &str = "+5521988887777";
const PSTN: &str = "+5511999990000";
/// Real seconds per virtual second in these tests.
const SCALE: f64 = 0.02;

/// Rings `ana` and `bruno` for at most `timeout` seconds, recorded, then asks `/dial-done`.
fn ring_two(timeout: u32) -> String {
    let client = |who: &str| {
        format!(
            r#"<Client statusCallback="{{base}}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">{who}</Client>"#
        )
    };
    format!(
        r#"<Response><Dial action="{{base}}/dial-done" record="record-from-answer" recordingStatusCallback="{{base}}/api/twilio/recording-status" timeout="{timeout}">{}{}</Dial></Response>"#,
        client("ana"),
        client("bruno")
    )
}

async fn inbound_setup(twiml: &str, scale: f64) -> (Hook, Simulator) {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", twiml);
    hook.on("/dial-done", "<Response><Hangup/></Response>");
    let mut config = SimConfig::for_ramal(&hook.base);
    config.time_scale = scale;
    let sim = Simulator::start(config).await.unwrap();
    (hook, sim)
}

/// Waits for the update of `to` reaching `status`.
async fn wait_for(
    updates: &mut broadcast::Receiver<LegUpdate>,
    to: &str,
    status: CallStatus,
) -> LegUpdate {
    let deadline = Duration::from_secs(10);
    tokio::time::timeout(deadline, async {
        loop {
            let u = updates.recv().await.expect("update stream open");
            if u.to == to && u.status == status {
                return u;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{to} never reached {status}"))
}

#[tokio::test]
async fn the_agent_who_answers_takes_the_call_and_the_other_stops_ringing() {
    let (hook, sim) = inbound_setup(&ring_two(30), SCALE).await;
    let mut updates = sim.leg_updates();
    let ours = sim.phone_number().phone_number;
    let call = sim
        .start_inbound_from_phone(
            CALLER,
            &ours,
            CallScript::new().default_leg(LegScript::interactive()),
        )
        .unwrap();
    let parent = call.call_sid().to_owned();
    let ana = wait_for(&mut updates, "client:ana", CallStatus::Ringing).await;
    let bruno = wait_for(&mut updates, "client:bruno", CallStatus::Ringing).await;
    assert_eq!(ana.parent_call_sid, parent);
    assert_eq!(ana.from, CALLER, "no callerId: the legs show the caller");

    // Ringing for a person takes real time: nothing happens until someone acts.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(updates.try_recv().is_err(), "still ringing");
    sim.answer_leg(&bruno.call_sid).await.unwrap();
    wait_for(&mut updates, "client:bruno", CallStatus::InProgress).await;
    wait_for(&mut updates, "client:ana", CallStatus::Canceled).await;
    let err = sim.answer_leg(&ana.call_sid).await.unwrap_err();
    assert!(
        matches!(err, SimError::InvalidCommand { reason, .. } if reason.contains("not ringing")),
        "{err}"
    );

    // DTMF reaches the answering leg while the call is live.
    sim.send_digits(&bruno.call_sid, "12#").unwrap();
    // The talk lasts until the agent hangs up.
    tokio::time::sleep(Duration::from_millis(200)).await;
    sim.hangup(&bruno.call_sid).await.unwrap();
    let report = call.finish().await.unwrap();

    assert_eq!(sim.digits(&bruno.call_sid).as_deref(), Some("12#"));
    assert_eq!(report.status, CallStatus::Completed);
    let b = report.leg("bruno").unwrap();
    assert_eq!((b.status, b.answered), (CallStatus::Completed, true));
    assert!(
        (5..=30).contains(&b.duration_secs),
        "about 200 ms real = 10 virtual seconds of talk: {}",
        b.duration_secs
    );
    assert_eq!(report.leg("ana").unwrap().status, CallStatus::Canceled);
    let action = &hook.got_on("/dial-done")[0];
    assert_eq!(action.param("DialCallStatus"), Some("completed"));
    assert_eq!(action.param("DialCallSid"), Some(bruno.call_sid.as_str()));
    assert_eq!(action.param("DialBridged"), Some("true"));
    // The recording spans the talk, and its callback names the parent.
    let rec = sim.recordings().pop().expect("recorded");
    assert_eq!(rec.call_sid, parent);
    assert_eq!(rec.duration_secs, b.duration_secs);
    // Server-side view: each leg's callbacks in order, the canceled one ends with 487.
    let of = |sid: &str| -> Vec<String> {
        let mut got: Vec<_> = hook
            .got_on("/api/twilio/call-status")
            .into_iter()
            .filter(|g| g.param("CallSid") == Some(sid))
            .collect();
        got.sort_by_key(|g| g.param("SequenceNumber").unwrap().parse::<u32>().unwrap());
        got.iter()
            .map(|g| g.param("CallStatus").unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        of(&bruno.call_sid),
        ["initiated", "ringing", "in-progress", "completed"]
    );
    assert_eq!(of(&ana.call_sid), ["initiated", "ringing", "canceled"]);
    // Over: nobody can act on it any more.
    let err = sim.hangup(&parent).await.unwrap_err();
    assert!(matches!(err, SimError::CallOver(_)), "{err}");
}

#[tokio::test]
async fn declined_by_everyone_the_dial_ends_busy() {
    let (hook, sim) = inbound_setup(&ring_two(30), SCALE).await;
    let mut updates = sim.leg_updates();
    let ours = sim.phone_number().phone_number;
    let call = sim
        .start_inbound_from_phone(
            CALLER,
            &ours,
            CallScript::new().default_leg(LegScript::interactive()),
        )
        .unwrap();
    let ana = wait_for(&mut updates, "client:ana", CallStatus::Ringing).await;
    let bruno = wait_for(&mut updates, "client:bruno", CallStatus::Ringing).await;
    sim.reject_leg(&ana.call_sid).await.unwrap();
    wait_for(&mut updates, "client:ana", CallStatus::Busy).await;
    // Hanging up a ringing leg declines it too.
    sim.hangup(&bruno.call_sid).await.unwrap();
    let report = call.finish().await.unwrap();
    assert_eq!(report.leg("ana").unwrap().status, CallStatus::Busy);
    assert_eq!(report.leg("bruno").unwrap().status, CallStatus::Busy);
    let action = &hook.got_on("/dial-done")[0];
    assert_eq!(action.param("DialCallStatus"), Some("busy"));
    assert_eq!(action.param("DialBridged"), Some("false"));
    assert!(sim.recordings().is_empty(), "nothing was bridged");
}

#[tokio::test]
async fn nobody_acts_and_the_leg_rings_out_at_the_timeout_in_real_time() {
    // Scale 0 would run a scripted call instantly; a person still needs real time.
    let (hook, sim) = inbound_setup(&ring_two(5), 0.0).await;
    let ours = sim.phone_number().phone_number;
    let started = Instant::now();
    let report = sim
        .inbound_from_phone(
            CALLER,
            &ours,
            CallScript::new()
                .leg("ana", LegScript::interactive())
                .leg("bruno", LegScript::busy()),
        )
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(5) && elapsed < Duration::from_secs(9),
        "{elapsed:?}"
    );
    assert_eq!(report.leg("ana").unwrap().status, CallStatus::NoAnswer);
    assert_eq!(report.leg("bruno").unwrap().status, CallStatus::Busy);
    assert_eq!(
        hook.got_on("/dial-done")[0].param("DialCallStatus"),
        Some("no-answer")
    );
}

const OUTBOUND: &str = r#"<Response><Dial action="{base}/dial-done" answerOnBridge="true" callerId="+551130001000" record="record-from-answer" recordingStatusCallback="{base}/api/twilio/recording-status"><Number statusCallback="{base}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">+5511999990000</Number></Dial></Response>"#;

#[tokio::test]
async fn the_browser_hangs_up_a_scripted_call_mid_talk() {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice", OUTBOUND);
    let mut config = SimConfig::for_ramal(&hook.base);
    config.time_scale = SCALE;
    let sim = Simulator::start(config).await.unwrap();
    let mut updates = sim.leg_updates();
    let call = sim
        .start_outbound_from_browser(
            "ana",
            PSTN,
            // Would talk 10 minutes (12 s of real time here).
            CallScript::new().leg(PSTN, LegScript::answer(1, 600)),
        )
        .unwrap();
    let parent = call.call_sid().to_owned();
    wait_for(&mut updates, PSTN, CallStatus::InProgress).await;
    // Only dialed legs can be answered, not the caller's own.
    let err = sim.answer_leg(&parent).await.unwrap_err();
    assert!(
        matches!(err, SimError::InvalidCommand { reason, .. } if reason.contains("caller")),
        "{err}"
    );
    let started = Instant::now();
    sim.hangup(&parent).await.unwrap();
    let report = call.finish().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.status, CallStatus::Completed);
    let leg = &report.legs[0];
    assert_eq!(leg.status, CallStatus::Completed);
    assert!(leg.duration_secs < 100, "{}", leg.duration_secs);
    let action = &hook.got_on("/dial-done")[0];
    assert_eq!(action.param("CallStatus"), Some("completed"));
    assert_eq!(action.param("DialCallStatus"), Some("completed"));
    assert_eq!(
        sim.recordings()[0].duration_secs,
        leg.duration_secs,
        "the recording stops with the talk"
    );
}

#[tokio::test]
async fn the_caller_hangs_up_during_a_prompt_and_while_legs_ring() {
    let hook = Hook::for_sim().await;
    hook.on(
        "/api/twilio/voice-incoming",
        "<Response><Say>Please hold</Say><Pause length=\"600\"/><Say>never said</Say></Response>",
    );
    let mut config = SimConfig::for_ramal(&hook.base);
    config.time_scale = SCALE;
    let sim = Simulator::start(config).await.unwrap();
    let ours = sim.phone_number().phone_number;
    let call = sim
        .start_inbound_from_phone(CALLER, &ours, CallScript::new())
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // No <Dial> runs: leg commands are refused, and so are unknown SIDs.
    let err = sim.answer_leg(call.call_sid()).await.unwrap_err();
    assert!(
        matches!(err, SimError::InvalidCommand { reason, .. } if reason.contains("<Dial>")),
        "{err}"
    );
    assert!(matches!(
        sim.hangup("CA00000000000000000000000000000000").await,
        Err(SimError::UnknownCall(_))
    ));
    sim.hangup(call.call_sid()).await.unwrap();
    let report = call.finish().await.unwrap();
    assert_eq!(report.status, CallStatus::Completed);
    assert_eq!(report.said, ["Please hold"]);
    assert!(report.duration_secs < 600);

    // While the agents' browsers ring, the caller gives up: every leg is canceled.
    let (hook, sim) = inbound_setup(&ring_two(30), SCALE).await;
    let mut updates = sim.leg_updates();
    let call = sim
        .start_inbound_from_phone(
            CALLER,
            &ours,
            CallScript::new().default_leg(LegScript::interactive()),
        )
        .unwrap();
    wait_for(&mut updates, "client:bruno", CallStatus::Ringing).await;
    sim.hangup(call.call_sid()).await.unwrap();
    let report = call.finish().await.unwrap();
    // Twilio answered the caller to run <Dial> (no answerOnBridge): completed, not canceled.
    assert_eq!(report.status, CallStatus::Completed);
    assert!(report.legs.iter().all(|l| l.status == CallStatus::Canceled));
    assert_eq!(
        hook.got_on("/dial-done")[0].param("DialCallStatus"),
        Some("canceled")
    );
}
