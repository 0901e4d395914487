//! The real `ramal` binary killed (SIGKILL) in the middle of filing a recording, then started
//! again: the recording ends up filed exactly once. And a graceful stop (SIGTERM) hands its job
//! back at once.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use call_store::CallStore;
use call_store::ids::RecordingSid;
use call_store::model::{AgentRole, JobState};
use twilio_sim::{CallScript, DeliveryOptions, LegScript, MediaFormat};

use crate::harness::{Db, Setup};
use crate::rig::{Rig, SlowProxy, job_state, wait_for};

const CUSTOMER: &str = "+5531999999999";

impl Rig {
    /// Ana calls; the recording is made `size` bytes before Ramal hears of it.
    async fn recorded_call(&self, store: &Arc<dyn CallStore>, size: u64) -> String {
        let sim = &self.prepared.sim;
        if store.get_agent_by_username("ana").await.unwrap().is_none() {
            let hash = http_api::auth::password::hash("correct horse battery").unwrap();
            let identity = call_store::party::ClientIdentity::parse("ana").unwrap();
            let new = call_store::model::NewAgent::new(
                "ana",
                "Ana Souza",
                identity,
                &hash,
                AgentRole::Agent,
            )
            .unwrap();
            store.create_agent(&new).await.unwrap();
        }
        sim.set_delivery(DeliveryOptions::collected());
        let report = sim
            .outbound_from_browser(
                "ana",
                CUSTOMER,
                CallScript::new().leg(CUSTOMER, LegScript::answer(1, 30)),
            )
            .await
            .unwrap();
        let sid = report.recordings[0].clone();
        sim.set_media_size(&sid, size).unwrap();
        for pending in sim.take_pending() {
            let record = sim.deliver(&pending).await;
            assert!(record.succeeded(), "{record:#?}");
        }
        sid
    }
}

fn media(rig: &Rig, sid: &str) -> Vec<u8> {
    rig.prepared
        .sim
        .recording_media(sid, MediaFormat::Mp3)
        .unwrap()
        .to_vec()
}

pub(crate) async fn killed_mid_download_files_once_after_restart(db: Db) {
    let Some(mut rig) = Rig::new(db, Setup::default().env("RAMAL_RECORDING_LEASE", "2s")).await
    else {
        return;
    };
    let proxy = SlowProxy::start(rig.prepared.sim.api_addr(), 2_000_000).await;
    rig.set_env("RAMAL_TWILIO_API_BASE", format!("http://{}", proxy.addr));
    let server = rig.start().await;
    let store = rig.store().await;
    let sid = rig.recorded_call(&store, 4_000_000).await;

    wait_for("the download to be half way", 30, async || {
        proxy.delivered() > 1_000_000
    })
    .await;
    drop(server); // SIGKILL
    let job = job_state(&store, &sid).await;
    assert_eq!(
        job.state,
        JobState::Running,
        "killed while running: {job:?}"
    );
    assert!(rig.local_files().is_empty(), "no complete file yet");
    let downloaded_before = proxy.delivered();
    assert!(
        downloaded_before < 4_000_000,
        "killed mid-download: {downloaded_before}"
    );
    // The next attempt runs at full speed, well within its 2 s lease.
    proxy.set_rate(0);

    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    let job = job_state(&store, &sid).await;
    assert_eq!(job.attempts, 2, "the lost attempt and the good one");
    let files = rig.local_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let stored =
        std::fs::read(rig.prepared.data.path().join("recordings").join(&files[0])).unwrap();
    assert!(stored == media(&rig, &sid), "complete and exact");
    let view = store
        .get_recording(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.copies.len(), 1);
}

pub(crate) async fn killed_mid_upload_files_once_after_restart(db: Db) {
    let setup = Setup::default().drive().env("RAMAL_RECORDING_LEASE", "2s");
    let Some(rig) = Rig::new(db, setup).await else {
        return;
    };
    let server = rig.start().await;
    let store = rig.store().await;
    let google = rig.prepared.google.as_ref().unwrap();
    google.set_chunk_delay(Duration::from_millis(400));
    // 20 MB: a resumable upload of three 8 MiB chunks, slowed down.
    let sid = rig.recorded_call(&store, 20_000_000).await;

    let chunk_done = || {
        google
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.status == 308)
            .count()
    };
    wait_for("the first chunk to be acknowledged", 60, async || {
        chunk_done() >= 1
    })
    .await;
    drop(server); // SIGKILL, mid-upload
    assert!(google.files().is_empty(), "no Drive file yet");
    let view = store
        .get_recording(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap()
        .unwrap();
    let sinks: Vec<&str> = view.copies.iter().map(|c| c.sink.as_str()).collect();
    assert_eq!(
        sinks,
        ["local"],
        "the local copy was filed before the upload"
    );

    google.set_chunk_delay(Duration::ZERO);
    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    let files = google.files_with_property("ramalRecordingSid", &sid);
    assert_eq!(files.len(), 1, "exactly one Drive file");
    assert!(files[0].content == media(&rig, &sid));
    assert_eq!(rig.local_files().len(), 1);
    // The second run read the local copy: Twilio served the media once.
    let downloads = rig
        .prepared
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
        .count();
    assert_eq!(downloads, 1);
}

pub(crate) async fn graceful_stop_hands_the_job_back(db: Db) {
    // The default lease (15 minutes): only the release makes the job due again at once.
    let Some(mut rig) = Rig::new(db, Setup::default()).await else {
        return;
    };
    let proxy = SlowProxy::start(rig.prepared.sim.api_addr(), 1_000_000).await;
    rig.set_env("RAMAL_TWILIO_API_BASE", format!("http://{}", proxy.addr));
    let mut server = rig.start().await;
    let store = rig.store().await;
    let sid = rig.recorded_call(&store, 3_000_000).await;
    wait_for("the download to start", 30, async || {
        proxy.delivered() > 500_000
    })
    .await;

    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(
                status.success(),
                "ramal exits cleanly on SIGTERM: {status}\n{}",
                rig.log(1)
            );
            break;
        }
        assert!(Instant::now() < deadline, "ramal did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let job = job_state(&store, &sid).await;
    assert_eq!(
        (job.state, job.attempts, job.locked_by.as_deref()),
        (JobState::Pending, 0, None),
        "released, the interrupted attempt not counted: {job:?}"
    );
    let leftovers: Vec<_> = walk(rig.prepared.data.path().join("recordings"));
    assert!(
        leftovers.iter().all(|f| f.contains(".index")),
        "no partial file: {leftovers:?}"
    );

    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    assert_eq!(job_state(&store, &sid).await.attempts, 1);
    assert_eq!(rig.local_files().len(), 1);
}

fn walk(dir: std::path::PathBuf) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out
}
