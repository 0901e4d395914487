//! Applying events: order independence, duplicates, correlation, refusals, concurrency.

use super::*;

pub(crate) async fn scenarios_in_order_match_the_fold(db: &TestStore) {
    let store = db.store.as_ref();
    seed_agents(store).await;
    let mut all = scenarios::all(10, t0());
    all.push(scenarios::inbound_two_agents(10, t0()));
    for scenario in &all {
        check_scenario(store, scenario, &scenario.events, scenario.name).await;
        let stored = store.get_call(&scenario.root).await.unwrap().unwrap();
        assert_eq!(stored.status, scenario.expect.status, "{}", scenario.name);
        assert_eq!(
            stored.direction, scenario.expect.direction,
            "{}",
            scenario.name
        );
        assert_eq!(
            stored.duration, scenario.expect.duration,
            "{}",
            scenario.name
        );
        assert_eq!(
            stored.voicemail, scenario.expect.voicemail,
            "{}",
            scenario.name
        );
        assert_eq!(stored.legs.len(), scenario.expect.legs, "{}", scenario.name);
    }
    // Names come from the agents table (Unicode kept).
    let answered = store.get_call(&all[5].root).await.unwrap().unwrap();
    assert_eq!(answered.user_name.as_deref(), Some("Álefe Lins"));
    assert_eq!(
        answered.agent_identity.as_ref().map(|i| i.as_str()),
        Some("ana")
    );
    let two = store.get_call(&all[9].root).await.unwrap().unwrap();
    assert_eq!(two.user_name.as_deref(), Some("Bob Ñúñez"));
}

pub(crate) async fn shuffled_duplicated_deliveries_converge(db: &TestStore) {
    let store = db.store.as_ref();
    seed_agents(store).await;
    let mut rng = Lcg::new(7);
    // Three sampled deliveries per scenario, each on its own call (distinct SIDs).
    for round in 0..3u32 {
        let mut all = scenarios::all(20 + round, t0());
        all.push(scenarios::inbound_two_agents(20 + round, t0()));
        for scenario in &all {
            let mut delivery = scenario.events.clone();
            for _ in 0..rng.below(4) + 1 {
                let pick = rng.below(scenario.events.len());
                delivery.push(scenario.events[pick].clone());
            }
            rng.shuffle(&mut delivery);
            let context = format!("{} (round {round})", scenario.name);
            check_scenario(store, scenario, &delivery, &context).await;
        }
    }
}

pub(crate) async fn duplicate_delivery_is_a_reported_no_op(db: &TestStore) {
    let store = db.store.as_ref();
    let scenario = &scenarios::all(30, t0())[0];
    let first = store.apply(&scenario.events[1], &meta()).await.unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.call_sid.as_ref(), Some(&scenario.root));
    let call_id = first.call_id.expect("a call row");
    let token_meta = meta().with_idempotency_token("idem-1").unwrap();
    let again = store.apply(&scenario.events[1], &token_meta).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.call_id, Some(call_id));
    let events = store.call_events(&scenario.root).await.unwrap();
    assert_eq!(events.len(), 1, "stored once");
    assert_eq!(
        events[0].idempotency_token, None,
        "the first delivery is the one kept"
    );
    assert_eq!(events[0].event, scenario.events[1]);
    // A completed recording delivered twice enqueues one job.
    let completed = scenario.events.last().unwrap();
    assert!(store.apply(completed, &meta()).await.unwrap().job_enqueued);
    let repeat = store.apply(completed, &meta()).await.unwrap();
    assert!(repeat.duplicate && !repeat.job_enqueued);
    assert_eq!(
        store.list_jobs(&JobFilter::default()).await.unwrap().len(),
        1
    );
}

pub(crate) async fn recording_before_its_call_waits_then_joins(db: &TestStore) {
    let store = db.store.as_ref();
    // Order A: the recording first.
    let scenario = &scenarios::all(40, t0())[0];
    let recordings: Vec<&CallEvent> = scenario
        .events
        .iter()
        .filter(|e| matches!(e, CallEvent::Recording(_)))
        .collect();
    let rec_sid = recording_of(recordings[1]).recording_sid;
    let early = store.apply(recordings[1], &meta()).await.unwrap();
    assert_eq!(early.call_sid, None, "no call yet: the recording waits");
    assert!(early.job_enqueued, "its media can be fetched meanwhile");
    assert!(store.get_call(&scenario.root).await.unwrap().is_none());
    let waiting = store.get_recording(&rec_sid).await.unwrap().unwrap();
    assert_eq!(waiting.call_id, None);
    assert_eq!(waiting.recording.call_sid, scenario.root);
    for event in scenario
        .events
        .iter()
        .filter(|e| !matches!(e, CallEvent::Recording(_)))
    {
        store.apply(event, &meta()).await.unwrap();
    }
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(
        call.recording_sid.as_ref(),
        Some(&rec_sid),
        "joined when the call appeared"
    );
    assert_eq!(
        store
            .get_recording(&rec_sid)
            .await
            .unwrap()
            .unwrap()
            .call_id,
        Some(call.id)
    );
    store.apply(recordings[0], &meta()).await.unwrap();
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_matches_fold(
        &call,
        &fold_call(&scenario.root, &scenario.events).unwrap(),
        "recording first",
    );

    // Order B: the call first.
    let scenario = &scenarios::all(41, t0())[0];
    apply_all(store, &scenario.events).await;
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_matches_fold(
        &call,
        &fold_call(&scenario.root, &scenario.events).unwrap(),
        "call first",
    );
    assert!(call.recordings[0].job.is_some());
}

pub(crate) async fn recording_naming_a_child_leg_attaches_to_its_call(db: &TestStore) {
    let store = db.store.as_ref();
    let b = Builder::new(50, t0());
    let child = b.child(1);
    // Only the child leg is known (no parent event at all); the recording names the child.
    let (root, events) = b
        .child_status(1, OUR_NUMBER, CUSTOMER, "in-progress", 2, 5, None)
        .recording_event(1, &child, "completed", "DialVerb", 40, Some(30))
        .child_status(1, OUR_NUMBER, CUSTOMER, "completed", 3, 40, Some(35))
        .build();
    // The recording arrives first: it names a SID nobody knows yet.
    let outcome = store.apply(&events[1], &meta()).await.unwrap();
    assert_eq!(outcome.call_sid, None);
    store.apply(&events[0], &meta()).await.unwrap();
    store.apply(&events[2], &meta()).await.unwrap();
    let by_root = store
        .get_call(&root)
        .await
        .unwrap()
        .expect("call keyed by the parent SID");
    let by_child = store
        .get_call(&CallSid::parse(&child).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_root, by_child);
    assert!(
        by_root.recording_sid.is_some(),
        "the child's recording is on its call"
    );
    assert_eq!(by_root.legs.len(), 1, "parent details come later");
    assert_matches_fold(
        &by_root,
        &fold_call(&root, &events).unwrap(),
        "child-only call",
    );
}

pub(crate) async fn lookup_by_any_leg_and_no_guessing(db: &TestStore) {
    let store = db.store.as_ref();
    let scenario = &scenarios::all(60, t0())[5];
    apply_all(store, &scenario.events).await;
    let child = scenario.events.iter().find_map(|e| match e {
        CallEvent::Status(s) if s.parent_call_sid.is_some() => Some(s.call_sid.clone()),
        _ => None,
    });
    let by_child = store.get_call(&child.unwrap()).await.unwrap().unwrap();
    assert_eq!(by_child.call_sid, scenario.root);
    // A recording for a SID that is no leg of any call never lands on "the latest call".
    let stranger = CallSid::parse(&sid("CA", 61, 99)).unwrap();
    let b = Builder::new(61, t0());
    let (_, orphan) = b
        .recording_event(7, stranger.as_str(), "completed", "DialVerb", 5, Some(3))
        .build();
    let outcome = store.apply(&orphan[0], &meta()).await.unwrap();
    assert_eq!((outcome.call_sid, outcome.call_id), (None, None));
    let latest = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(latest.recordings.len(), 1, "the orphan did not attach");
    assert!(store.get_call(&stranger).await.unwrap().is_none());
    assert!(store.call_events(&stranger).await.unwrap().is_empty());
    let orphan_sid = recording_of(&orphan[0]).recording_sid;
    assert_eq!(
        store
            .get_recording(&orphan_sid)
            .await
            .unwrap()
            .unwrap()
            .call_id,
        None
    );
}

pub(crate) async fn refused_input_writes_nothing(db: &TestStore) {
    let store = db.store.as_ref();
    let call = sid("CA", 70, 1);
    let bad_forms: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![
                ("CallSid", "CA123".into()),
                ("Direction", "inbound".into()),
                ("CallStatus", "ringing".into()),
            ],
            "CallSid",
        ),
        (
            vec![
                ("CallSid", call.clone()),
                ("Direction", "inbound".into()),
                ("CallStatus", "RINGING".into()),
            ],
            "CallStatus",
        ),
        (
            vec![
                ("CallSid", call.clone()),
                ("Direction", "inbound".into()),
                ("CallStatus", "completed".into()),
                ("CallDuration", "100000".into()),
            ],
            "CallDuration",
        ),
        (
            vec![
                ("CallSid", call.clone()),
                ("Direction", "inbound".into()),
                ("CallStatus", "completed".into()),
                ("CallDuration", "-5".into()),
            ],
            "CallDuration",
        ),
        (
            vec![
                ("CallSid", call.clone()),
                ("Direction", "inbound".into()),
                ("CallStatus", "completed".into()),
                ("Timestamp", "Fri, 01 Jan 2100 00:00:00 +0000".into()),
            ],
            "Timestamp",
        ),
        (
            vec![
                ("CallSid", call.clone()),
                ("Direction", "inbound".into()),
                ("CallStatus", "completed".into()),
                ("Timestamp", "Tue, 01 Jan 2002 00:00:00 +0000".into()),
            ],
            "Timestamp",
        ),
        (
            vec![("CallSid", call.clone()), ("Direction", "inbound".into())],
            "CallStatus",
        ),
    ];
    for (fields, field) in bad_forms {
        let form: Vec<(String, String)> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let err = StatusEvent::from_form(form.as_slice(), start_time()).unwrap_err();
        assert_eq!(err.field(), field, "{err}");
    }
    let recording_form: Vec<(String, String)> = vec![
        ("CallSid".into(), call.clone()),
        ("RecordingSid".into(), "RE-not-a-sid".into()),
        ("RecordingStatus".into(), "completed".into()),
    ];
    assert_eq!(
        RecordingEvent::from_form(recording_form.as_slice(), start_time())
            .unwrap_err()
            .field(),
        "RecordingSid"
    );
    let sid = CallSid::parse(&call).unwrap();
    assert!(store.call_events(&sid).await.unwrap().is_empty());
    assert!(store.get_call(&sid).await.unwrap().is_none());

    // Store-level refusals leave nothing behind either.
    let scenario = &scenarios::all(71, t0())[0];
    apply_all(store, &scenario.events).await;
    let rec = store
        .get_call(&scenario.root)
        .await
        .unwrap()
        .unwrap()
        .recording_sid
        .unwrap();
    for (sink, location) in [
        ("", "x"),
        ("drive box", "x"),
        ("drive", ""),
        ("drive", "line\nbreak"),
    ] {
        let err = store.record_copy(&rec, sink, location).await.unwrap_err();
        assert!(matches!(err, StoreError::Input(_)), "{err}");
    }
    assert!(
        store
            .get_recording(&rec)
            .await
            .unwrap()
            .unwrap()
            .copies
            .is_empty()
    );
    let contact = CallContact {
        contact_name: Some("bad\u{7}name".into()),
        ..CallContact::default()
    };
    assert!(matches!(
        store.set_call_contact(&scenario.root, &contact).await,
        Err(StoreError::Input(_))
    ));
    assert_eq!(
        store
            .get_call(&scenario.root)
            .await
            .unwrap()
            .unwrap()
            .contact_name,
        None
    );
    assert!(matches!(
        store.claim_jobs("w", 0, Duration::from_secs(1)).await,
        Err(StoreError::Input(_))
    ));
    assert!(matches!(
        store.claim_jobs("", 1, Duration::from_secs(1)).await,
        Err(StoreError::Input(_))
    ));
    assert!(matches!(
        store.claim_jobs("w", 1, Duration::ZERO).await,
        Err(StoreError::Input(_))
    ));
    assert_eq!(
        store.get_job(&rec).await.unwrap().unwrap().state,
        JobState::Pending
    );
    assert!(matches!(
        NewAgent::new(
            "has space",
            "X",
            ClientIdentity::parse("x").unwrap(),
            "h",
            AgentRole::Agent
        ),
        Err(InputError::Invalid {
            field: "username",
            ..
        })
    ));
    assert!(store.list_agents().await.unwrap().is_empty());
}

pub(crate) async fn unknown_status_is_kept_but_never_wins(db: &TestStore) {
    let store = db.store.as_ref();
    let scenario = &scenarios::all(80, t0())[0];
    let mut odd = status_of(&scenario.events[3]);
    odd.status = CallStatus::parse("on-hold").unwrap();
    odd.sequence_number = Some(7);
    let odd: CallEvent = odd.into();
    store.apply(&odd, &meta()).await.unwrap();
    let lonely = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(
        lonely.legs[0].status,
        CallStatus::Other("on-hold".into()),
        "alone, it is shown as sent"
    );
    apply_all(store, &scenario.events).await;
    let call = store.get_call(&scenario.root).await.unwrap().unwrap();
    assert_eq!(call.status, CallStatus::Completed);
    let events = store.call_events(&scenario.root).await.unwrap();
    assert!(
        events.iter().any(|e| e.event == odd),
        "the unknown status is in the event log"
    );
    let mut with_odd = scenario.events.clone();
    with_odd.push(odd);
    assert_matches_fold(
        &call,
        &fold_call(&scenario.root, &with_odd).unwrap(),
        "with unknown status",
    );
}

pub(crate) async fn concurrent_writers_lose_nothing(db: &TestStore) {
    let store = db.store.clone();
    seed_agents(store.as_ref()).await;
    let mut rng = Lcg::new(99);
    let mut scenarios_all = Vec::new();
    let mut deliveries = Vec::new();
    let mut unique = 0usize;
    for round in 0..4u32 {
        let mut batch = scenarios::all(100 + round, t0());
        batch.push(scenarios::inbound_two_agents(100 + round, t0()));
        for scenario in batch {
            let keys: BTreeSet<String> =
                scenario.events.iter().map(CallEvent::dedupe_key).collect();
            unique += keys.len();
            for event in &scenario.events {
                deliveries.push(event.clone());
                if rng.below(3) == 0 {
                    deliveries.push(event.clone());
                }
            }
            scenarios_all.push(scenario);
        }
    }
    rng.shuffle(&mut deliveries);
    let total = deliveries.len();
    let queue = Arc::new(Mutex::new(deliveries));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (store, queue) = (store.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let mut fresh = 0usize;
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(event) = next else { break };
                if !store
                    .apply(&event, &EventMeta::new(start_time()))
                    .await
                    .unwrap()
                    .duplicate
                {
                    fresh += 1;
                }
            }
            fresh
        }));
    }
    let mut fresh = 0;
    for task in tasks {
        fresh += task.await.unwrap();
    }
    assert_eq!(
        fresh, unique,
        "each distinct event stored exactly once out of {total} deliveries"
    );
    for scenario in &scenarios_all {
        let stored = store.get_call(&scenario.root).await.unwrap().unwrap();
        let expected = fold_call(&scenario.root, &scenario.events).unwrap();
        assert_matches_fold(&stored, &expected, scenario.name);
        let events = store.call_events(&scenario.root).await.unwrap();
        let keys: BTreeSet<String> = scenario.events.iter().map(CallEvent::dedupe_key).collect();
        assert_eq!(
            events.len(),
            keys.len(),
            "{}: no misattributed events",
            scenario.name
        );
    }
    let page = store
        .list_calls(&CallQuery {
            limit: 500,
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(scenarios_all.len() as u64));
}

/// Polls `future` at most `polls + 1` times, then drops it: a caller that goes away.
async fn give_up_after<F: std::future::Future>(future: F, polls: usize) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut left = polls;
    std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        std::task::Poll::Ready(out) => std::task::Poll::Ready(Some(out)),
        std::task::Poll::Pending if left == 0 => std::task::Poll::Ready(None),
        std::task::Poll::Pending => {
            left -= 1;
            std::task::Poll::Pending
        }
    })
    .await
}

/// A caller that goes away in the middle of `apply` (a webhook whose client hung up)
/// leaves the whole event or nothing, and no connection is reused half-way through its
/// transaction: delivering everything again afterwards gives exactly the fold.
pub(crate) async fn abandoned_applies_leave_nothing_half_done(db: &TestStore) {
    let store = db.store.as_ref();
    seed_agents(store).await;
    let scenarios = scenarios::all(60, t0());
    for (i, scenario) in scenarios.iter().enumerate() {
        for (j, event) in scenario.events.iter().enumerate() {
            // Give up after 0 to 11 polls: before, between and after the round trips.
            let _ = give_up_after(store.apply(event, &meta()), (i * 7 + j * 3) % 12).await;
        }
    }
    for scenario in &scenarios {
        check_scenario(store, scenario, &scenario.events, scenario.name).await;
        let keys: BTreeSet<String> = scenario.events.iter().map(CallEvent::dedupe_key).collect();
        assert_eq!(
            store.call_events(&scenario.root).await.unwrap().len(),
            keys.len(),
            "{}: every event stored once",
            scenario.name
        );
    }
}
