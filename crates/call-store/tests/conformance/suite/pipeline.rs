//! The recording pipeline: jobs, copies, playback audit, CRM fields.

use super::*;

/// Applies `n` completed recordings (of unknown calls) and returns their SIDs.
async fn completed_recordings(store: &dyn CallStore, salt: u32, n: u32) -> Vec<RecordingSid> {
    let mut out = Vec::new();
    for i in 0..n {
        let b = Builder::new(salt, t0());
        let call = sid("CA", salt, 500 + i);
        let (_, events) = b
            .recording_event(i + 1, &call, "completed", "DialVerb", 60, Some(30))
            .build();
        assert!(store.apply(&events[0], &meta()).await.unwrap().job_enqueued);
        out.push(recording_of(&events[0]).recording_sid);
    }
    out
}

pub(crate) async fn concurrent_claimers_never_share_a_job(db: &TestStore) {
    let recordings = completed_recordings(db.store.as_ref(), 600, 24).await;
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let mut mine = Vec::new();
            loop {
                let jobs = store
                    .claim_jobs(&name, 2, Duration::from_secs(60))
                    .await
                    .unwrap();
                if jobs.is_empty() {
                    break;
                }
                for job in jobs {
                    assert_eq!(job.locked_by.as_deref(), Some(name.as_str()));
                    assert_eq!(job.state, JobState::Running);
                    mine.push(job.recording_sid);
                }
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let distinct: BTreeSet<&RecordingSid> = claimed.iter().collect();
    assert_eq!(
        claimed.len(),
        recordings.len(),
        "every job claimed exactly once"
    );
    assert_eq!(distinct.len(), recordings.len());
    let running = db
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Running),
            limit: 100,
            before_id: None,
        })
        .await
        .unwrap();
    assert_eq!(running.len(), 24);
    assert!(running.iter().all(|j| j.attempts == 1));
}

pub(crate) async fn expired_lease_is_reclaimed_and_late_worker_loses_it(db: &TestStore) {
    let store = db.store.as_ref();
    completed_recordings(store, 610, 1).await;
    let first = store
        .claim_jobs("a", 10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        store
            .claim_jobs("b", 10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    db.clock.advance(chrono::Duration::seconds(31));
    let second = store
        .claim_jobs("b", 10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(second.len(), 1, "the expired lease is reclaimed");
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(second[0].attempts, 2);
    assert!(matches!(
        store.complete_job(first[0].id, "a").await,
        Err(StoreError::LeaseLost { .. })
    ));
    assert!(matches!(
        store.fail_job(first[0].id, "a", "late", None).await,
        Err(StoreError::LeaseLost { .. })
    ));
    let done = store.complete_job(second[0].id, "b").await.unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.locked_by, None);
    db.clock.advance(chrono::Duration::hours(1));
    assert!(
        store
            .claim_jobs("c", 10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty(),
        "done stays done"
    );
    assert!(matches!(
        store.complete_job(9999, "b").await,
        Err(StoreError::NotFound { .. })
    ));
}

pub(crate) async fn failed_jobs_retry_then_die_then_revive(db: &TestStore) {
    let store = db.store.as_ref();
    let recording = completed_recordings(store, 620, 1).await.remove(0);
    let job = store
        .claim_jobs("w", 1, Duration::from_secs(30))
        .await
        .unwrap()
        .remove(0);
    let retry_at = db.clock.now_plus(120);
    let waiting = store
        .fail_job(job.id, "w", "Drive answered 503", Some(retry_at))
        .await
        .unwrap();
    assert_eq!(
        (waiting.state, waiting.next_run_at),
        (JobState::Pending, retry_at)
    );
    assert_eq!(waiting.last_error.as_deref(), Some("Drive answered 503"));
    assert!(
        store
            .claim_jobs("w", 1, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    db.clock.advance(chrono::Duration::seconds(120));
    let again = store
        .claim_jobs("w", 1, Duration::from_secs(30))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(again.attempts, 2);
    let dead = store
        .fail_job(again.id, "w", "storageQuotaExceeded", None)
        .await
        .unwrap();
    assert_eq!(dead.state, JobState::Dead);
    db.clock.advance(chrono::Duration::days(1));
    assert!(
        store
            .claim_jobs("w", 1, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty(),
        "dead jobs stay"
    );
    let dead_list = store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(dead_list.len(), 1);
    assert_eq!(
        dead_list[0].last_error.as_deref(),
        Some("storageQuotaExceeded")
    );
    // The reason is visible on the recording too.
    let view = store.get_recording(&recording).await.unwrap().unwrap();
    assert_eq!(view.job.unwrap().state, JobState::Dead);
    assert!(store.retry_dead_job(&recording).await.unwrap());
    assert!(
        !store.retry_dead_job(&recording).await.unwrap(),
        "only dead jobs are revived"
    );
    let revived = store
        .claim_jobs("w", 1, Duration::from_secs(30))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(revived.attempts, 1, "a manual retry starts a fresh series");
}

pub(crate) async fn release_jobs_on_shutdown(db: &TestStore) {
    let store = db.store.as_ref();
    completed_recordings(store, 630, 3).await;
    let held = store
        .claim_jobs("leaving", 3, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(held.len(), 3);
    assert_eq!(store.release_jobs("leaving").await.unwrap(), 3);
    assert_eq!(store.release_jobs("leaving").await.unwrap(), 0);
    let next = store
        .claim_jobs("next", 10, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(next.len(), 3, "released jobs are due at once");
    assert!(
        next.iter().all(|j| j.attempts == 1),
        "a release does not count an attempt"
    );
}

pub(crate) async fn copies_are_unique_per_sink_and_shown_as_drive_url(db: &TestStore) {
    let store = db.store.as_ref();
    let scenario = &scenarios::all(700, t0())[0];
    apply_all(store, &scenario.events).await;
    let rec = store
        .get_call(&scenario.root)
        .await
        .unwrap()
        .unwrap()
        .recording_sid
        .unwrap();
    let first = store
        .record_copy(&rec, DRIVE_SINK, "https://drive.google.com/file/d/1")
        .await
        .unwrap();
    db.clock.advance(chrono::Duration::seconds(10));
    let again = store
        .record_copy(&rec, DRIVE_SINK, "https://drive.google.com/file/d/2")
        .await
        .unwrap();
    assert_eq!(
        again, first,
        "a sink holds a recording once; the first copy stays"
    );
    store
        .record_copy(&rec, "local", "/var/lib/ramal/recordings/x.mp3")
        .await
        .unwrap();
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(
        call.drive_file_url.as_deref(),
        Some("https://drive.google.com/file/d/1")
    );
    let sinks: Vec<&str> = call.recordings[0]
        .copies
        .iter()
        .map(|c| c.sink.as_str())
        .collect();
    assert_eq!(sinks, vec!["drive", "local"]);
    let unknown = RecordingSid::parse(&sid("RE", 701, 1)).unwrap();
    assert!(matches!(
        store.record_copy(&unknown, "drive", "x").await,
        Err(StoreError::NotFound { .. })
    ));
}

pub(crate) async fn playback_is_audited(db: &TestStore) {
    let store = db.store.as_ref();
    let (ana, _) = seed_agents(store).await;
    let rec = completed_recordings(store, 710, 1).await.remove(0);
    store
        .record_playback(&rec, Some(ana.id), PlaybackVia::Session)
        .await
        .unwrap();
    db.clock.advance(chrono::Duration::seconds(1));
    store
        .record_playback(&rec, None, PlaybackVia::SignedLink)
        .await
        .unwrap();
    let entries = store.list_playbacks(&rec).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].agent_id, entries[0].via),
        (Some(ana.id), PlaybackVia::Session)
    );
    assert_eq!(
        (entries[1].agent_id, entries[1].via),
        (None, PlaybackVia::SignedLink)
    );
    let unknown = RecordingSid::parse(&sid("RE", 711, 1)).unwrap();
    assert!(matches!(
        store
            .record_playback(&unknown, None, PlaybackVia::Session)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

pub(crate) async fn contact_fields_survive_new_events(db: &TestStore) {
    let store = db.store.as_ref();
    let scenario = &scenarios::all(720, t0())[0];
    apply_all(store, &scenario.events[..3]).await;
    let contact = CallContact {
        contact_wa_id: Some("5511987654321@c.us".into()),
        contact_name: Some("Cliente José".into()),
        channel_id: Some(3),
    };
    let child = status_of(&scenario.events[1]).call_sid;
    assert!(
        store.set_call_contact(&child, &contact).await.unwrap(),
        "found through a leg SID"
    );
    apply_all(store, &scenario.events[3..]).await;
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(
        (
            call.contact_wa_id.as_deref(),
            call.contact_name.as_deref(),
            call.channel_id
        ),
        (Some("5511987654321@c.us"), Some("Cliente José"), Some(3))
    );
    assert_eq!(call.status, CallStatus::Completed);
    assert!(
        !store
            .set_call_contact(&CallSid::parse(&sid("CA", 721, 1)).unwrap(), &contact)
            .await
            .unwrap()
    );
}
