//! The recording pipeline end to end: the simulator records calls and serves their media, Ramal
//! files them locally and in Drive (the Google stand-in), plays them back, and survives faults.

use call_store::ids::RecordingSid;
use call_store::model::{AgentRole, JobState, PlaybackVia};
use futures_util::StreamExt as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use twilio_sim::{
    CallScript, DeliveryOptions, Forgery, LegScript, MediaFault, MediaFormat, MediaRedirect,
    SimConfig,
};

use crate::harness::{Db, Setup, TestApp};

const CUSTOMER: &str = "+5531999999999";

async fn ana(app: &TestApp) -> (i64, String) {
    let id = app.agent("ana", "Ana Souza", AgentRole::Agent).await;
    (id, app.login("ana").await)
}

/// Ana calls the customer, who talks for `talk` seconds; returns the recording SID.
async fn recorded_call(app: &TestApp, to: &str, talk: u64) -> String {
    let report = app
        .sim
        .outbound_from_browser(
            "ana",
            to,
            CallScript::new().leg(to, LegScript::answer(2, talk)),
        )
        .await
        .unwrap();
    assert_eq!(report.recordings.len(), 1, "{report:#?}");
    app.settle().await;
    report.recordings[0].clone()
}

/// The media the simulator serves for a recording.
fn twilio_media(app: &TestApp, sid: &str) -> Vec<u8> {
    app.sim
        .recording_media(sid, MediaFormat::Mp3)
        .unwrap()
        .to_vec()
}

/// SHA-256 of the simulator's media, computed in pieces (50 MB never in memory at once).
fn twilio_media_hash(app: &TestApp, sid: &str) -> (u64, Vec<u8>) {
    let spec = app.sim.recording_media(sid, MediaFormat::Mp3).unwrap();
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < spec.len() {
        let n = spec.read_at(at, &mut buf);
        hash.update(&buf[..n]);
        at += n as u64;
    }
    (spec.len(), hash.finalize().to_vec())
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).send().await.unwrap()
}

fn only_call(calls: &[Value]) -> &Value {
    assert_eq!(calls.len(), 1, "{calls:#?}");
    &calls[0]
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} not in metrics"))
}

async fn metrics(app: &TestApp) -> String {
    get(app, "/metrics").await.text().await.unwrap()
}

pub(crate) async fn recording_is_filed_locally_and_plays(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let app = &app;
    let (ana_id, token) = ana(app).await;
    let sid = recorded_call(app, CUSTOMER, 42).await;
    let job = app.wait_filed(&sid, 30).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(job.attempts, 1);

    // One file, named like the guide's, holding exactly Twilio's bytes.
    let files = app.local_recordings();
    assert_eq!(files.len(), 1, "{files:?}");
    let expected = twilio_media(app, &sid);
    let name = &files[0];
    assert!(
        name.ends_with(&format!("_outbound_{CUSTOMER}_Ana-Souza_42s_{sid}.mp3")),
        "{name}"
    );
    let today = chrono::Utc::now().format("%Y/%m/%d").to_string();
    assert!(name.starts_with(&today), "{name} is filed under {today}");
    assert!(std::fs::read(app.data_dir.join("recordings").join(name)).unwrap() == expected);
    // Fetched once, with the API key, from Twilio's REST path.
    let media: Vec<_> = app
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
        .collect();
    assert_eq!(media.len(), 1, "{media:#?}");
    assert_eq!(
        media[0].authorization,
        twilio_sim::AuthorizationSeen::Basic {
            username: app.sim.api_keys()[0].sid.clone()
        }
    );

    // The history says so.
    let call = only_call(&app.all_calls(&token).await).clone();
    let rec = &call["recordings"][0];
    assert_eq!(rec["filing"], "done");
    assert_eq!(rec["last_error"], Value::Null);
    assert_eq!(rec["drive_file_url"], Value::Null);

    // It plays through the signed link and with the session, from the local copy.
    let link = call["recording_url"].as_str().unwrap();
    let res = get(app, link).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "audio/mpeg");
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    assert_eq!(
        res.headers()["content-length"],
        expected.len().to_string().as_str()
    );
    assert!(res.bytes().await.unwrap() == expected);
    let res = app
        .http
        .get(app.url(&format!("/api/twilio/recording/{sid}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap() == expected);
    assert_eq!(
        app.sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
            .count(),
        1,
        "playback read the local copy, not Twilio"
    );

    // Both playbacks are audited.
    let audit = app
        .store
        .list_playbacks(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap();
    let seen: Vec<_> = audit.iter().map(|p| (p.via, p.agent_id)).collect();
    assert_eq!(
        seen,
        [
            (PlaybackVia::SignedLink, None),
            (PlaybackVia::Session, Some(ana_id))
        ]
    );
    let text = metrics(app).await;
    assert_eq!(metric(&text, "ramal_recording_jobs_done_total"), 1);
    assert_eq!(
        metric(&text, "ramal_recordings_played_total{via=\"session\"}"),
        1
    );
    assert_eq!(
        metric(&text, "ramal_recordings_played_total{via=\"signed_link\"}"),
        1
    );
}

pub(crate) async fn playback_is_for_those_who_may_hear_it(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let app = &app;
    let (_, ana_token) = ana(app).await;
    app.agent("bruno", "Bruno", AgentRole::Agent).await;
    let bruno = app.login("bruno").await;
    app.agent("chefe", "Chefe", AgentRole::Admin).await;
    let boss = app.login("chefe").await;
    let sid = recorded_call(app, CUSTOMER, 5).await;
    assert_eq!(app.wait_filed(&sid, 30).await.state, JobState::Done);
    let path = format!("/api/twilio/recording/{sid}");
    let status = |res: reqwest::Response| res.status().as_u16();

    // Sessions: the agent of the call and admins; not another agent, not nobody.
    assert_eq!(status(get(app, &path).await), 401);
    let with = |token: &str| {
        app.http
            .get(app.url(&path))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(status(with(&ana_token).await.unwrap()), 200);
    assert_eq!(status(with(&boss).await.unwrap()), 200);
    assert_eq!(status(with(&bruno).await.unwrap()), 404);
    // The session cookie an <audio> element sends.
    let res = app
        .http
        .get(app.url(&path))
        .header("Cookie", format!("ramal_session={ana_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Signed links: valid, forged, tampered, expired, half-given.
    let now = chrono::Utc::now().timestamp();
    let good = app.signed_path(&sid, now + 600);
    assert_eq!(status(get(app, &good).await), 200);
    let mut forged = good.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(status(get(app, &forged).await), 403);
    let tampered = good.replace(
        &format!("exp={}", now + 600),
        &format!("exp={}", now + 6000),
    );
    assert_eq!(status(get(app, &tampered).await), 403);
    let expired = get(app, &app.signed_path(&sid, now - 1)).await;
    assert_eq!(expired.status(), 403);
    let body: Value = expired.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(
        status(get(app, &format!("{path}?exp={}", now + 600)).await),
        403
    );
    // A link for one recording does not open another.
    let other = "RE0000000000000000000000000000beef";
    let sig = good.split("sig=").nth(1).unwrap();
    assert_eq!(
        status(
            get(
                app,
                &format!("/api/twilio/recording/{other}?exp={}&sig={sig}", now + 600)
            )
            .await
        ),
        403
    );

    // Unknown, malformed and not-yet-completed recordings are 404, even with a valid link.
    assert_eq!(
        status(get(app, &app.signed_path(other, now + 600)).await),
        404
    );
    assert_eq!(
        status(get(app, "/api/twilio/recording/RE..%2Fsecret?exp=1&sig=x").await),
        404
    );
    let calls = app.all_calls(&boss).await;
    let call_sid = only_call(&calls)["call_sid"].as_str().unwrap().to_owned();
    let pending = "RE00000000000000000000000000000ace";
    let record = app
        .sim
        .post_webhook(
            &app.url("/api/twilio/recording-status"),
            &[
                ("AccountSid", app.sim.account_sid()),
                ("CallSid", call_sid.as_str()),
                ("RecordingSid", pending),
                ("RecordingStatus", "in-progress"),
                (
                    "RecordingUrl",
                    &format!(
                        "{}/2010-04-01/Accounts/{}/Recordings/{pending}",
                        app.sim.api_base_url(),
                        app.sim.account_sid()
                    ),
                ),
            ],
            Forgery::None,
        )
        .await;
    assert_eq!(record.outcome, twilio_sim::DeliveryOutcome::Status(204));
    assert_eq!(
        status(get(app, &app.signed_path(pending, now + 600)).await),
        404
    );

    // Exactly the successful playbacks were audited: ana, boss, cookie, link.
    let audit = app
        .store
        .list_playbacks(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap();
    assert_eq!(audit.len(), 4, "{audit:#?}");
}

pub(crate) async fn range_requests_over_http(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let app = &app;
    let (_, token) = ana(app).await;
    let sid = recorded_call(app, CUSTOMER, 30).await;
    assert_eq!(app.wait_filed(&sid, 30).await.state, JobState::Done);
    let expected = twilio_media(app, &sid);
    let len = expected.len();
    let path = format!("/api/twilio/recording/{sid}");
    let ranged = |range: &'static str| {
        app.http
            .get(app.url(&path))
            .bearer_auth(token.clone())
            .header("Range", range)
            .send()
    };
    let cases: [(&str, usize, usize); 4] = [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, len - 1),
        ("bytes=-50", len - 50, len - 1),
        ("bytes=1000-1000", 1000, 1000),
    ];
    for (range, start, end) in cases {
        let res = ranged(range).await.unwrap();
        assert_eq!(res.status(), 206, "{range}");
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes {start}-{end}/{len}").as_str(),
            "{range}"
        );
        assert_eq!(
            res.headers()["content-length"],
            (end - start + 1).to_string().as_str()
        );
        assert_eq!(res.headers()["content-type"], "audio/mpeg");
        assert!(
            res.bytes().await.unwrap() == expected[start..=end],
            "{range}"
        );
    }
    for range in ["bytes=999999999-", "bytes=0-1,5-9", "bytes=abc", "bytes=-0"] {
        let res = ranged(range).await.unwrap();
        assert_eq!(res.status(), 416, "{range}");
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes */{len}").as_str()
        );
    }
    let res = ranged("items=0-9").await.unwrap();
    assert_eq!(res.status(), 200, "unknown units are ignored");
    assert!(res.bytes().await.unwrap() == expected);
}

pub(crate) async fn recording_is_filed_in_drive_too(db: Db) {
    let Some(app) = TestApp::spawn_custom(db, Setup::default().drive()).await else {
        return;
    };
    let (_, token) = ana(&app).await;
    let sid = recorded_call(&app, CUSTOMER, 20).await;
    let job = app.wait_filed(&sid, 30).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    let google = app.google.as_ref().unwrap();
    let files = google.files_with_property("ramalRecordingSid", &sid);
    assert_eq!(files.len(), 1);
    let file = &files[0];
    let expected = twilio_media(&app, &sid);
    assert!(file.content == expected);
    assert_eq!(file.mime_type, "audio/mpeg");
    assert_eq!(file.parents, [google.folder_id()]);
    // The same name as the local copy.
    let local = app.local_recordings();
    assert_eq!(local.len(), 1);
    assert!(
        local[0].ends_with(&file.name),
        "{} vs {}",
        local[0],
        file.name
    );
    // Drive read the local copy: Twilio was asked once.
    assert_eq!(
        app.sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
            .count(),
        1
    );
    // The history links the Drive copy, for the call and for the recording.
    let call = only_call(&app.all_calls(&token).await).clone();
    assert_eq!(call["drive_file_url"], file.web_view_link.as_str());
    assert_eq!(
        call["recordings"][0]["drive_file_url"],
        file.web_view_link.as_str()
    );
}

pub(crate) async fn media_redirects_never_leak_credentials(db: Db) {
    let setup = Setup::default().sim(|mut c: SimConfig| {
        c.media.redirect = MediaRedirect::Found;
        c.media.media_host_name = "localhost".into();
        c
    });
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    ana(&app).await;
    let sid = recorded_call(&app, CUSTOMER, 10).await;
    assert_eq!(app.wait_filed(&sid, 30).await.state, JobState::Done);
    let local = app.local_recordings();
    assert_eq!(local.len(), 1);
    assert!(
        std::fs::read(app.data_dir.join("recordings").join(&local[0])).unwrap()
            == twilio_media(&app, &sid)
    );
    let requests = app.sim.requests();
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.listener == twilio_sim::Listener::Api && r.path.contains("/Recordings/"))
        .collect();
    let host: Vec<_> = requests
        .iter()
        .filter(|r| r.listener == twilio_sim::Listener::MediaHost)
        .collect();
    assert_eq!(api.len(), 1, "{api:#?}");
    assert_eq!(api[0].status, 302);
    assert!(
        api[0].authorization.present(),
        "credentials go to Twilio's API"
    );
    assert_eq!(host.len(), 1, "{host:#?}");
    assert_eq!(host[0].status, 200);
    assert!(
        !host[0].authorization.present(),
        "credentials must not follow the redirect"
    );
}

pub(crate) async fn faults_everywhere_still_file_everything_once(db: Db) {
    let setup = Setup::default()
        .drive()
        .env("RAMAL_RECORDING_MAX_ATTEMPTS", "30");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    ana(&app).await;
    let google = app.google.as_ref().unwrap();
    google.set_failure_rate(0.3, 7);
    app.sim.inject_media_faults(MediaFault::ServerError, 3);
    app.sim.inject_media_faults(MediaFault::DropMidBody, 3);
    let mut sids = Vec::new();
    for i in 0..12u64 {
        let to = format!("+55319{:08}", 20_000_000 + i);
        sids.push(recorded_call(&app, &to, 5 + i * 7).await);
    }
    for sid in &sids {
        let job = app.wait_filed(sid, 90).await;
        assert_eq!(job.state, JobState::Done, "{job:?}");
    }
    google.set_failure_rate(0.0, 0);
    assert_eq!(google.files().len(), sids.len(), "no duplicate in Drive");
    let local = app.local_recordings();
    assert_eq!(local.len(), sids.len(), "no duplicate on disk: {local:#?}");
    for sid in &sids {
        let expected = twilio_media(&app, sid);
        let files = google.files_with_property("ramalRecordingSid", sid);
        assert_eq!(files.len(), 1, "{sid}");
        assert!(files[0].content == expected, "{sid} in Drive");
        let name = local.iter().find(|n| n.contains(sid.as_str())).unwrap();
        assert!(std::fs::read(app.data_dir.join("recordings").join(name)).unwrap() == expected);
    }
    let text = metrics(&app).await;
    assert_eq!(
        metric(&text, "ramal_recording_jobs_done_total"),
        sids.len() as u64
    );
    assert!(
        metric(&text, "ramal_recording_jobs_failed_total") >= 6,
        "the faults bit:\n{text}"
    );
    let failed_drive = google
        .requests()
        .iter()
        .filter(|r| r.status >= 429 || r.status == 0)
        .count();
    assert!(failed_drive > 0);
}

/// A download that goes quiet mid-body (the connection left open) does not hold its job
/// until the lease ends or the read timeout (60 s) fires: the attempt is abandoned just
/// before its lease, recorded as a failure, and the retry files the recording.
pub(crate) async fn a_stalled_download_is_abandoned_and_retried(db: Db) {
    let setup = Setup::default().env("RAMAL_RECORDING_LEASE", "3s");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    ana(&app).await;
    app.sim.inject_media_faults(MediaFault::StallMidBody, 1);
    let sid = recorded_call(&app, "+5531920000001", 12).await;
    let job = app.wait_filed(&sid, 30).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(job.attempts, 2, "{job:?}");
    assert_eq!(app.local_recordings().len(), 1);
    let expected = twilio_media(&app, &sid);
    let name = &app.local_recordings()[0];
    assert!(std::fs::read(app.data_dir.join("recordings").join(name)).unwrap() == expected);
    let text = metrics(&app).await;
    assert_eq!(metric(&text, "ramal_recording_jobs_failed_total"), 1);
    assert_eq!(metric(&text, "ramal_recording_jobs_done_total"), 1);
}

pub(crate) async fn dead_jobs_say_why_and_can_be_retried(db: Db) {
    let setup = Setup::default()
        .drive()
        .env("RAMAL_RECORDING_MAX_ATTEMPTS", "3");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    let (_, ana_token) = ana(&app).await;
    app.agent("chefe", "Chefe", AgentRole::Admin).await;
    let boss = app.login("chefe").await;
    let google = app.google.as_ref().unwrap();

    // Twilio fails three times: three attempts, then dead.
    app.sim.inject_media_faults(MediaFault::ServerError, 3);
    let first = recorded_call(&app, CUSTOMER, 8).await;
    let job = app.wait_filed(&first, 30).await;
    assert_eq!((job.state, job.attempts), (JobState::Dead, 3), "{job:?}");
    assert!(
        job.last_error.as_deref().unwrap().contains("500"),
        "{job:?}"
    );

    // A service account without a shared drive: dead at the first attempt, with the fix.
    google.set_storage_quota_exceeded(true);
    let second = recorded_call(&app, "+5531988887777", 9).await;
    let job = app.wait_filed(&second, 30).await;
    assert_eq!((job.state, job.attempts), (JobState::Dead, 1), "{job:?}");
    let error = job.last_error.unwrap();
    for hint in [
        "drive:",
        "storageQuotaExceeded",
        "shared drive",
        "Content manager",
        "refresh token",
    ] {
        assert!(error.contains(hint), "{hint}: {error}");
    }
    // The local copy was kept; the history shows the dead job and its reason.
    assert_eq!(app.local_recordings().len(), 1);
    let calls = app.all_calls(&ana_token).await;
    let call = calls
        .iter()
        .find(|c| c["recording_sid"] == second.as_str())
        .unwrap();
    assert_eq!(call["recordings"][0]["filing"], "dead");
    assert!(
        call["recordings"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("storageQuotaExceeded")
    );

    // The admin API lists dead jobs; agents may not see or retry them.
    let (status, dead) = app.get_json(&boss, "/api/recordings?state=dead").await;
    assert_eq!(status, 200);
    let listed: Vec<&str> = dead
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["recording_sid"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [second.as_str(), first.as_str()]);
    assert_eq!(app.get_json(&ana_token, "/api/recordings").await.0, 403);
    let retry = |token: &str, sid: &str| {
        app.http
            .post(app.url(&format!("/api/recordings/{sid}/retry")))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(retry(&ana_token, &second).await.unwrap().status(), 403);

    // Fixed (the folder is now in a shared drive): an admin retries through the API ...
    google.set_storage_quota_exceeded(false);
    let res = retry(&boss, &second).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.wait_filed(&second, 30).await.state, JobState::Done);
    assert_eq!(
        google
            .files_with_property("ramalRecordingSid", &second)
            .len(),
        1
    );
    assert_eq!(
        retry(&boss, &second).await.unwrap().status(),
        409,
        "done, not dead"
    );
    assert_eq!(
        retry(&boss, "RE000000000000000000000000000000ff")
            .await
            .unwrap()
            .status(),
        404
    );

    // ... and an operator through the command line.
    let out = app.cli(&["recordings", "list", "--dead"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&first) && text.contains("dead") && text.contains("500"),
        "{text}"
    );
    assert!(!text.contains(&second), "{text}");
    let out = app.cli(&["recordings", "retry", &first]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.wait_filed(&first, 30).await.state, JobState::Done);
    let out = app.cli(&["recordings", "retry", &first]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not dead"));
    // Exactly once each, after all that.
    assert_eq!(google.files().len(), 2);
    assert_eq!(app.local_recordings().len(), 2);
}

pub(crate) async fn twilio_streams_before_filing(db: Db) {
    let setup = Setup::default().env("RAMAL_RECORDING_WORKER", "false");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    let (_, token) = ana(&app).await;
    let sid = recorded_call(&app, CUSTOMER, 12).await;
    let job = app
        .store
        .get_job(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job.state,
        JobState::Pending,
        "nobody files in this instance"
    );
    let expected = twilio_media(&app, &sid);
    let path = format!("/api/twilio/recording/{sid}");
    let res = app
        .http
        .get(app.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "audio/mpeg");
    assert_eq!(
        res.headers()["content-length"],
        expected.len().to_string().as_str()
    );
    assert!(res.bytes().await.unwrap() == expected);
    // Twilio does not honour ranges (here): the whole file comes back as a 200.
    let res = app
        .http
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap() == expected);
    assert!(app.local_recordings().is_empty());
}

pub(crate) async fn deleted_from_twilio_once_filed(db: Db) {
    let setup = Setup::default().env("RAMAL_DELETE_FROM_TWILIO", "true");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    let (_, token) = ana(&app).await;
    let sid = recorded_call(&app, CUSTOMER, 6).await;
    let expected = twilio_media(&app, &sid);
    assert_eq!(app.wait_filed(&sid, 30).await.state, JobState::Done);
    assert_eq!(
        app.sim.recording(&sid).unwrap().status,
        twilio_sim::RecordingStatus::Deleted
    );
    // Still plays, from the local copy.
    let res = app
        .http
        .get(app.url(&format!("/api/twilio/recording/{sid}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap() == expected);
}

pub(crate) async fn fifty_megabytes_stream_through(db: Db) {
    let Some(app) = TestApp::spawn_custom(db, Setup::default().drive()).await else {
        return;
    };
    let (_, token) = ana(&app).await;
    // Hold the callbacks back so the recording can grow to 50 MB before Ramal hears of it.
    app.sim.set_delivery(DeliveryOptions::collected());
    let sid = recorded_call(&app, CUSTOMER, 60).await;
    const SIZE: u64 = 50 * 1024 * 1024;
    app.sim.set_media_size(&sid, SIZE).unwrap();
    for pending in app.sim.take_pending() {
        app.sim.deliver(&pending).await;
    }
    let job = app.wait_filed(&sid, 180).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    let (len, hash) = twilio_media_hash(&app, &sid);
    assert_eq!(len, SIZE);

    let local = app.local_recordings();
    let path = app.data_dir.join("recordings").join(&local[0]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), SIZE);
    let mut on_disk = Sha256::new();
    on_disk.update(std::fs::read(&path).unwrap());
    assert_eq!(on_disk.finalize().to_vec(), hash, "local copy");

    let google = app.google.as_ref().unwrap();
    let file = &google.files_with_property("ramalRecordingSid", &sid)[0];
    assert!(file.resumable, "a resumable session for 50 MB");
    assert_eq!(Sha256::digest(&file.content).to_vec(), hash, "Drive copy");
    let chunks = google
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.query.contains("upload_id="))
        .count();
    assert_eq!(chunks, 7, "50 MB in 8 MiB chunks");

    // Played back whole (streamed, hashed as it comes) and by range.
    let res = app
        .http
        .get(app.url(&format!("/api/twilio/recording/{sid}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-length"], SIZE.to_string().as_str());
    let mut played = Sha256::new();
    let mut stream = res.bytes_stream();
    while let Some(chunk) = stream.next().await {
        played.update(chunk.unwrap());
    }
    assert_eq!(played.finalize().to_vec(), hash, "playback");
    let res = app
        .http
        .get(app.url(&format!("/api/twilio/recording/{sid}")))
        .bearer_auth(&token)
        .header("Range", "bytes=-1000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    let tail = res.bytes().await.unwrap();
    let mut expected_tail = vec![0u8; 1000];
    app.sim
        .recording_media(&sid, MediaFormat::Mp3)
        .unwrap()
        .read_at(SIZE - 1000, &mut expected_tail);
    assert!(tail == expected_tail);
}

pub(crate) async fn two_instances_share_the_queue(db: Db) {
    // Instance A answers Twilio; instance B shares its database and recordings folder, and
    // only polls. One job at a time each, so both get work.
    let setup = Setup::default().env("RAMAL_RECORDING_CONCURRENCY", "1");
    let Some(app) = TestApp::spawn_custom(db, setup).await else {
        return;
    };
    let mut env = app.env.clone();
    // Shared recordings folder, but each instance has its own webhook spool.
    let spool_b = tempfile::tempdir().unwrap();
    env.insert(
        "RAMAL_SPOOL_DIR".into(),
        spool_b.path().display().to_string(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    env.insert(
        "RAMAL_PUBLIC_URL".into(),
        format!("http://{}", listener.local_addr().unwrap()),
    );
    let config = http_api::config::load(&http_api::config::Source { file: None, env }).unwrap();
    let store_b = call_store::open(&config.database_url, &config.data_dir)
        .await
        .unwrap();
    let b = http_api::Application::with(config, store_b, listener).unwrap();
    let b_metrics = b.state().metrics.clone();
    tokio::spawn(b.run_until_stopped());

    ana(&app).await;
    // All calls at once, so jobs pile up faster than one worker at a time can file them and
    // both instances find pending work.
    let numbers: Vec<String> = (0..16u64)
        .map(|i| format!("+55319{:08}", 40_000_000 + i))
        .collect();
    let sids: Vec<String> =
        futures_util::future::join_all(numbers.iter().map(|to| recorded_call(&app, to, 600))).await;
    for sid in &sids {
        assert_eq!(app.wait_filed(sid, 60).await.state, JobState::Done);
    }
    let done = |text: &str| metric(text, "ramal_recording_jobs_done_total");
    let (a_done, b_done) = (done(&metrics(&app).await), done(&b_metrics.render()));
    assert_eq!(
        a_done + b_done,
        sids.len() as u64,
        "each job done once: {a_done} + {b_done}"
    );
    assert!(
        a_done > 0 && b_done > 0,
        "both instances filed: {a_done} + {b_done}"
    );
    let local = app.local_recordings();
    assert_eq!(local.len(), sids.len(), "{local:#?}");
    for sid in &sids {
        let downloads = app
            .sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
            .count();
        assert_eq!(downloads, 1, "{sid} fetched once");
    }
}
