//! The pure fold: every permutation of each realistic sequence folds to the same call, and
//! that call is the expected one; random duplications and shuffles change nothing.

use call_store::events::CallEvent;
use call_store::state::{AgentRef, CallState, fold_call};
use proptest::prelude::*;

use crate::scenarios::{self, Scenario, t0};

/// Checks the folded call against what the scenario must produce.
pub(crate) fn assert_expected(scenario: &Scenario, state: &CallState) {
    let e = &scenario.expect;
    let name = scenario.name;
    assert_eq!(state.direction, e.direction, "{name}: direction");
    assert_eq!(state.status, e.status, "{name}: status");
    assert_eq!(state.duration, e.duration, "{name}: duration");
    assert_eq!(state.answered, e.answered, "{name}: answered");
    assert_eq!(state.voicemail, e.voicemail, "{name}: voicemail");
    assert_eq!(
        state.main_recording.is_some(),
        e.has_recording,
        "{name}: recording"
    );
    assert_eq!(state.legs.len(), e.legs, "{name}: legs");
    match (&state.agent, e.agent_id, e.agent_identity) {
        (Some(AgentRef::Id(id)), Some(want), _) => assert_eq!(*id, want, "{name}: agent"),
        (Some(AgentRef::Identity(identity)), None, Some(want)) => {
            assert_eq!(identity.as_str(), want, "{name}: agent")
        }
        (None, None, None) => {}
        (got, want_id, want_identity) => {
            panic!("{name}: agent {got:?}, expected {want_id:?} / {want_identity:?}")
        }
    }
    assert!(state.ended_at.is_some(), "{name}: every scenario ends");
    assert!(state.started_at <= state.ended_at.unwrap(), "{name}: times");
}

/// Calls `visit` with every permutation of `items` (Heap's algorithm, iterative).
fn for_each_permutation<T: Clone>(items: &[T], mut visit: impl FnMut(&[T])) -> usize {
    let mut a = items.to_vec();
    let n = a.len();
    let mut c = vec![0usize; n];
    let mut count = 1;
    visit(&a);
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                a.swap(0, i);
            } else {
                a.swap(c[i], i);
            }
            visit(&a);
            count += 1;
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    count
}

#[test]
fn every_scenario_folds_to_its_expected_call() {
    for scenario in scenarios::all(1, t0())
        .iter()
        .chain([&scenarios::inbound_two_agents(1, t0())])
    {
        let state = fold_call(&scenario.root, &scenario.events).expect("a call");
        assert_expected(scenario, &state);
    }
}

#[test]
fn every_permutation_of_every_scenario_folds_identically() {
    for scenario in scenarios::all(2, t0()) {
        let expected = fold_call(&scenario.root, &scenario.events).unwrap();
        let n = for_each_permutation(&scenario.events, |perm| {
            let got = fold_call(&scenario.root, perm).unwrap();
            assert_eq!(got, expected, "{}: permutation {perm:#?}", scenario.name);
        });
        let factorial: usize = (1..=scenario.events.len()).product();
        assert_eq!(n, factorial, "{}", scenario.name);
        assert!(
            scenario.events.len() >= 4,
            "{}: too short to be meaningful",
            scenario.name
        );
    }
}

#[test]
fn direction_is_inferred_the_same_without_voice_requests() {
    for scenario in scenarios::all(3, t0()) {
        let with = fold_call(&scenario.root, &scenario.events).unwrap();
        let without: Vec<CallEvent> = scenario
            .events
            .iter()
            .filter(|e| !matches!(e, CallEvent::Voice(_)))
            .cloned()
            .collect();
        let inferred = fold_call(&scenario.root, &without).unwrap();
        assert_eq!(inferred.direction, with.direction, "{}", scenario.name);
        assert_eq!(inferred.status, with.status, "{}", scenario.name);
        assert_eq!(inferred.duration, with.duration, "{}", scenario.name);
    }
}

#[test]
fn recordings_of_other_calls_and_foreign_legs_are_ignored() {
    let calls = scenarios::all(4, t0());
    let a = &calls[0];
    let b = &calls[5];
    let mixed: Vec<CallEvent> = a.events.iter().chain(&b.events).cloned().collect();
    assert_eq!(
        fold_call(&a.root, &mixed).unwrap(),
        fold_call(&a.root, &a.events).unwrap()
    );
    // Only a recording: no call yet.
    let only_recording: Vec<CallEvent> = a
        .events
        .iter()
        .filter(|e| matches!(e, CallEvent::Recording(_)))
        .cloned()
        .collect();
    assert!(fold_call(&a.root, &only_recording).is_none());
}

#[test]
fn an_unknown_status_never_overrides_a_known_one() {
    let scenario = &scenarios::all(5, t0())[0];
    let mut events = scenario.events.clone();
    let mut odd = match &events[4] {
        CallEvent::Status(s) => s.clone(),
        other => panic!("expected the completed status, got {other:?}"),
    };
    odd.status = call_store::status::CallStatus::parse("on-hold").unwrap();
    odd.sequence_number = Some(9);
    events.push(odd.into());
    let state = fold_call(&scenario.root, &events).unwrap();
    assert_eq!(state.status, scenario.expect.status);
}

fn scenario_strategy() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
    let count = scenarios::all(0, t0()).len() + 1;
    (0..count).prop_flat_map(|i| {
        // Picks (event index, copies) pairs; the shuffle is the order of the vector.
        (
            Just(i),
            proptest::collection::vec((0usize..64, 1usize..4), 1..24),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_duplicates_and_shuffles_fold_identically((which, picks) in scenario_strategy(), seed in any::<u64>()) {
        let mut all = scenarios::all(6, t0());
        all.push(scenarios::inbound_two_agents(6, t0()));
        let scenario = &all[which];
        let expected = fold_call(&scenario.root, &scenario.events).unwrap();
        // Every event at least once, plus random extra copies, in a seeded random order.
        let mut events: Vec<CallEvent> = scenario.events.clone();
        for (index, copies) in picks {
            for _ in 0..copies {
                events.push(scenario.events[index % scenario.events.len()].clone());
            }
        }
        let mut state = seed;
        for i in (1..events.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (state >> 33) as usize % (i + 1);
            events.swap(i, j);
        }
        prop_assert_eq!(fold_call(&scenario.root, &events).unwrap(), expected);
    }
}

mod edge_cases {
    use call_store::state::{AgentRef, fold_call};
    use call_store::status::{CallDirection, CallStatus};

    use crate::scenarios::{Builder, CUSTOMER, OUR_NUMBER, t0};

    #[test]
    fn a_call_counts_as_ended_when_its_root_ended_before_the_child_reported() {
        // Outbound: caller hung up while the callee's phone rang; the child's own
        // `canceled` callback has not arrived yet.
        let (root, events) = Builder::new(900, t0())
            .voice("client:ana", CUSTOMER, None, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, "ringing", 1, 2, None)
            .parent_status("client:ana", CUSTOMER, "completed", 0, 9, Some(9))
            .build();
        let state = fold_call(&root, &events).unwrap();
        assert_eq!(
            (state.direction, state.status.clone()),
            (CallDirection::Outbound, CallStatus::Canceled)
        );
        assert!(state.ended_at.is_some());
        // Same for an answered inbound call whose agent leg has not reported its end.
        let (root, events) = Builder::new(901, t0())
            .voice(CUSTOMER, OUR_NUMBER, None, None)
            .child_status(1, CUSTOMER, "client:ana", "in-progress", 2, 5, None)
            .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 60, Some(60))
            .build();
        let state = fold_call(&root, &events).unwrap();
        assert_eq!(
            (state.direction, state.status.clone()),
            (CallDirection::Inbound, CallStatus::Completed)
        );
        assert!(state.answered);
        // And a ringing inbound call whose caller gave up is missed.
        let (root, events) = Builder::new(902, t0())
            .voice(CUSTOMER, OUR_NUMBER, None, None)
            .child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
            .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 15, Some(15))
            .build();
        assert_eq!(
            fold_call(&root, &events).unwrap().status,
            CallStatus::NoAnswer
        );
    }

    #[test]
    fn calls_in_progress_show_their_current_state() {
        let (root, events) = Builder::new(903, t0())
            .voice(CUSTOMER, OUR_NUMBER, None, None)
            .child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
            .build();
        let state = fold_call(&root, &events).unwrap();
        assert_eq!(state.status, CallStatus::Ringing);
        assert_eq!((state.ended_at, state.agent.clone()), (None, None));
        let (root, events) = Builder::new(904, t0())
            .voice("client:ana", CUSTOMER, None, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, "in-progress", 2, 6, None)
            .build();
        let state = fold_call(&root, &events).unwrap();
        assert_eq!(state.status, CallStatus::InProgress);
        assert!(state.answered);
        assert_eq!(state.duration, 0, "talk time is known at the end");
        assert_eq!(
            state.agent,
            Some(AgentRef::Identity(
                call_store::party::ClientIdentity::parse("ana").unwrap()
            ))
        );
    }

    #[test]
    fn a_call_known_only_by_its_child_uses_the_child_parties() {
        let (root, events) = Builder::new(905, t0())
            .child_status(1, CUSTOMER, "client:bob", "completed", 3, 40, Some(30))
            .build();
        let state = fold_call(&root, &events).unwrap();
        assert_eq!(state.direction, CallDirection::Inbound);
        assert_eq!(state.from.to_string(), CUSTOMER);
        assert_eq!(state.duration, 30);
        assert!(state.root_leg().is_none());
        assert_eq!(state.legs.len(), 1);
    }
}

#[test]
fn live_status_never_goes_back_while_events_arrive_in_order() {
    // What browsers see on the live stream is the fold of the events received so far.
    for scenario in scenarios::all(6, t0()) {
        let mut shown = 0;
        for n in 1..=scenario.events.len() {
            let Some(call) = fold_call(&scenario.root, &scenario.events[..n]) else {
                continue;
            };
            let rank = call.status.rank();
            assert!(
                rank >= shown,
                "{}: status fell back to {:?} after event {n}",
                scenario.name,
                call.status
            );
            shown = rank;
        }
    }
}
