//! The history: filters, visibility, keyset pagination, CSV export.

use super::*;

/// Applies every scenario, call k starting k hours after t0. Returns them in that order.
async fn history_fixture(store: &dyn CallStore, salt: u32) -> Vec<Scenario> {
    let mut out = Vec::new();
    for k in 0..scenarios::all(salt, t0()).len() {
        let start = t0() + chrono::Duration::hours(k as i64);
        let scenario = scenarios::all(salt, start).swap_remove(k);
        apply_all(store, &scenario.events).await;
        out.push(scenario);
    }
    out
}

async fn sids(store: &dyn CallStore, query: CallQuery) -> Vec<CallSid> {
    let page = store.list_calls(&query).await.unwrap();
    let items: Vec<CallSid> = page.items.iter().map(|c| c.call_sid.clone()).collect();
    assert_eq!(
        page.total,
        Some(items.len() as u64),
        "total of a single page"
    );
    items
}

pub(crate) async fn history_filters_and_visibility(db: &TestStore) {
    let store = db.store.as_ref();
    let (ana, bob) = seed_agents(store).await;
    let calls = history_fixture(store, 200).await;
    let root = |i: usize| calls[i].root.clone();
    let newest_first = |idx: &[usize]| -> Vec<CallSid> {
        let mut v: Vec<usize> = idx.to_vec();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter().map(root).collect()
    };
    let all: Vec<usize> = (0..calls.len()).collect();
    assert_eq!(sids(store, CallQuery::default()).await, newest_first(&all));
    let d = CallQuery::default;
    let fragment = |text: &str| Some(NumberFragment::parse(text).unwrap());
    let hours = |h: i64| Some(t0() + chrono::Duration::hours(h));
    let cases: Vec<(&str, CallQuery, Vec<usize>)> = vec![
        (
            "outbound",
            CallQuery {
                direction: Some(CallDirection::Outbound),
                ..d()
            },
            vec![0, 1, 2, 3, 4],
        ),
        (
            "inbound",
            CallQuery {
                direction: Some(CallDirection::Inbound),
                ..d()
            },
            vec![5, 6, 7],
        ),
        (
            "internal",
            CallQuery {
                direction: Some(CallDirection::Internal),
                ..d()
            },
            vec![8],
        ),
        (
            "no-answer",
            CallQuery {
                status: Some(CallStatus::NoAnswer),
                ..d()
            },
            vec![2, 6, 7],
        ),
        (
            "recorded",
            CallQuery {
                has_recording: Some(true),
                ..d()
            },
            vec![0, 5, 7],
        ),
        (
            "not recorded",
            CallQuery {
                has_recording: Some(false),
                ..d()
            },
            vec![1, 2, 3, 4, 6, 8],
        ),
        (
            "ana's",
            CallQuery {
                agent_id: Some(ana.id),
                ..d()
            },
            vec![0, 1, 2, 3, 4, 5, 8],
        ),
        (
            "number",
            CallQuery {
                number_contains: fragment("98765"),
                ..d()
            },
            vec![0, 1, 2, 3, 4, 5, 6, 7],
        ),
        (
            "client",
            CallQuery {
                number_contains: fragment("client:bob"),
                ..d()
            },
            vec![8],
        ),
        // Outbound calls started as client:ana and took the caller ID once the child leg
        // was known: the number index must have followed the change.
        (
            "changed numbers",
            CallQuery {
                number_contains: fragment("client:ana"),
                ..d()
            },
            vec![8],
        ),
        (
            "short fragment",
            CallQuery {
                number_contains: fragment("21"),
                ..d()
            },
            vec![0, 1, 2, 3, 4, 5, 6, 7],
        ),
        // LIKE wildcards in the fragment are matched literally.
        (
            "wildcard",
            CallQuery {
                number_contains: fragment("%"),
                ..d()
            },
            vec![],
        ),
        (
            "range",
            CallQuery {
                started_from: hours(2),
                started_before: hours(5),
                ..d()
            },
            vec![2, 3, 4],
        ),
        (
            "combined",
            CallQuery {
                direction: Some(CallDirection::Inbound),
                has_recording: Some(true),
                started_from: hours(6),
                ..d()
            },
            vec![7],
        ),
        // Non-admin visibility: own calls plus unanswered inbound calls.
        (
            "as bob",
            CallQuery {
                visibility: Visibility::Agent(bob.id),
                ..d()
            },
            vec![6, 7, 8],
        ),
        (
            "as ana",
            CallQuery {
                visibility: Visibility::Agent(ana.id),
                ..d()
            },
            all.clone(),
        ),
        (
            "bob outbound",
            CallQuery {
                visibility: Visibility::Agent(bob.id),
                direction: Some(CallDirection::Outbound),
                ..d()
            },
            vec![],
        ),
    ];
    for (name, query, expected) in cases {
        assert_eq!(
            sids(store, query.clone()).await,
            newest_first(&expected),
            "{name}"
        );
        // The same calls page by page (visibility merges several index scans per page).
        let mut walked = Vec::new();
        let mut paged = CallQuery { limit: 2, ..query };
        loop {
            let page = store.list_calls(&paged).await.unwrap();
            assert_eq!(page.total, Some(expected.len() as u64), "{name}: total");
            walked.extend(page.items.into_iter().map(|c| c.call_sid));
            match page.next_cursor {
                Some(cursor) => paged.cursor = Some(cursor),
                None => break,
            }
        }
        assert_eq!(walked, newest_first(&expected), "{name}: paged");
    }

    // The page carries the guide's fields.
    let page = store.list_calls(&CallQuery::default()).await.unwrap();
    let voicemail = page.items.iter().find(|c| c.call_sid == root(7)).unwrap();
    assert!(voicemail.voicemail);
    assert_eq!(voicemail.status, CallStatus::NoAnswer);
    assert_eq!(voicemail.user_id, None);
    assert!(
        voicemail
            .recording_url
            .as_deref()
            .unwrap()
            .starts_with("https://api.twilio.com/")
    );
    let json = serde_json::to_value(voicemail).unwrap();
    for field in [
        "id",
        "call_sid",
        "from_number",
        "to_number",
        "direction",
        "status",
        "duration",
        "recording_url",
        "recording_sid",
        "drive_file_url",
        "user_id",
        "user_name",
        "contact_wa_id",
        "contact_name",
        "channel_id",
        "created_at",
        "updated_at",
        "legs",
        "recordings",
        "voicemail",
    ] {
        assert!(json.get(field).is_some(), "missing field {field}");
    }
    assert_eq!(json["direction"], "inbound");
    assert_eq!(json["status"], "no-answer");
}

/// "Number contains" returns exactly the calls whose from or to contains the fragment,
/// newest first, with the right total, page after page: for fragments of one call, of
/// many calls (our own number is in most), of none, with LIKE wildcards, and after a
/// call's numbers or start changed. On SQLite a rare number is found through the distinct numbers
/// and a common one by reading the history in order; both must agree with a plain scan.
pub(crate) async fn number_search_is_exact(db: &TestStore) {
    let store = db.store.as_ref();
    seed_agents(store).await;
    let repeated = "+5521999990000";
    for i in 0..120u32 {
        let start = t0() + chrono::Duration::minutes(i64::from(i));
        let customer = format!("+55119{:08}", (u64::from(i) * 7919) % 100_000_000);
        let to = match i % 6 {
            0 => repeated.to_owned(),
            1 => format!("client:Ana_{}", i % 4),
            2 => "anonymous".to_owned(),
            _ => customer,
        };
        let b = Builder::new(900 + i, start);
        // Every fifth call starts as the browser client and takes the caller ID when its
        // child leg is known, as outbound calls do: its numbers change.
        let b = if i % 5 == 0 {
            b.voice("client:ana", &to, Some(CallDirection::Outbound), Some(1))
        } else {
            b
        };
        let (_, mut events) = b
            .child_status(1, OUR_NUMBER, &to, "ringing", 1, 1, None)
            .child_status(1, OUR_NUMBER, &to, "completed", 2, 600, Some(590))
            .build();
        // Some calls hear of their end first: their start then moves ten minutes earlier,
        // past the starts of other calls.
        if i % 7 == 3 {
            events.reverse();
        }
        apply_all(store, &events).await;
    }
    let everything = store
        .list_calls(&CallQuery {
            limit: 500,
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(everything.items.len(), 120);
    // PostgreSQL's LIKE is case-sensitive; SQLite's ignores ASCII case.
    let fold = |text: &str| match store.backend() {
        call_store::Backend::Sqlite => text.to_ascii_lowercase(),
        call_store::Backend::Postgres => text.to_owned(),
    };
    let fragments = [
        "4002",
        "+5511",
        "99990000",
        "+5521999990000",
        "0000",
        "9",
        "ana_1",
        "ANA_2",
        "client:",
        "anon",
        "%",
        "_",
        "2199999",
        "none-such",
        "5511900",
        // Numbers that calls no longer have must not find them.
        "client:ana",
    ];
    for text in fragments {
        let fragment = NumberFragment::parse(text).unwrap();
        let needle = fold(text);
        let expected: Vec<CallSid> = everything
            .items
            .iter()
            .filter(|c| {
                fold(&c.from_number.to_string()).contains(&needle)
                    || fold(&c.to_number.to_string()).contains(&needle)
            })
            .map(|c| c.call_sid.clone())
            .collect();
        let query = CallQuery {
            number_contains: Some(fragment),
            ..CallQuery::default()
        };
        let page = store.list_calls(&query).await.unwrap();
        let got: Vec<CallSid> = page.items.iter().map(|c| c.call_sid.clone()).collect();
        let first = expected.len().min(50);
        assert_eq!(got, expected[..first], "{text}: first page");
        assert_eq!(page.total, Some(expected.len() as u64), "{text}: total");
        let mut walked = Vec::new();
        let mut paged = CallQuery { limit: 7, ..query };
        loop {
            let page = store.list_calls(&paged).await.unwrap();
            walked.extend(page.items.into_iter().map(|c| c.call_sid));
            match page.next_cursor {
                Some(cursor) => paged.cursor = Some(cursor),
                None => break,
            }
        }
        assert_eq!(walked, expected, "{text}: page after page");
    }
}

pub(crate) async fn keyset_pagination_walks_every_call_once(db: &TestStore) {
    let store = db.store.as_ref();
    // 30 calls; groups of three share a start time, so the id breaks ties.
    let mut expected: Vec<(DateTime<Utc>, CallSid)> = Vec::new();
    for i in 0..30u32 {
        let start = t0() + chrono::Duration::minutes(i64::from(i / 3));
        let b = Builder::new(300 + i, start)
            .child_status(1, OUR_NUMBER, CUSTOMER, "ringing", 1, 0, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, "completed", 2, 30, Some(20));
        let (root, events) = b.build();
        apply_all(store, &events).await;
        expected.push((start, root));
    }
    let mut seen = Vec::new();
    let mut query = CallQuery {
        limit: 7,
        ..CallQuery::default()
    };
    let mut pages = 0;
    loop {
        let page = store.list_calls(&query).await.unwrap();
        pages += 1;
        assert_eq!(page.total, Some(30));
        assert!(page.items.len() <= 7);
        seen.extend(
            page.items
                .iter()
                .map(|c| (c.started_at, c.id, c.call_sid.clone())),
        );
        match page.next_cursor {
            Some(cursor) => {
                let text = cursor.encode();
                query.cursor = Some(call_store::query::Cursor::decode(&text).unwrap());
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 30);
    let distinct: BTreeSet<&CallSid> = seen.iter().map(|(_, _, s)| s).collect();
    assert_eq!(distinct.len(), 30, "no call twice");
    assert!(
        seen.windows(2).all(|w| (w[0].0, w[0].1) > (w[1].0, w[1].1)),
        "strictly newest first"
    );
    let want: BTreeSet<&CallSid> = expected.iter().map(|(_, s)| s).collect();
    assert_eq!(distinct, want);
    // A cursor also works with a filter.
    let filtered = CallQuery {
        limit: 4,
        direction: Some(CallDirection::Outbound),
        ..CallQuery::default()
    };
    let first = store.list_calls(&filtered).await.unwrap();
    let second = store
        .list_calls(&CallQuery {
            cursor: first.next_cursor,
            ..filtered.clone()
        })
        .await
        .unwrap();
    assert_eq!(second.items.len(), 4);
    assert!(first.items.last().unwrap().started_at >= second.items[0].started_at);
    assert!(matches!(
        call_store::query::Cursor::decode("garbage"),
        Err(InputError::Invalid {
            field: "cursor",
            ..
        })
    ));
}

pub(crate) async fn csv_export_streams_every_call(db: &TestStore) {
    let store = db.store.as_ref();
    seed_agents(store).await;
    let calls = history_fixture(store, 400).await;
    let contact = CallContact {
        contact_name: Some("=cmd|' /C calc'!A0, \"Zé\"".into()),
        ..CallContact::default()
    };
    assert!(
        store
            .set_call_contact(&calls[0].root, &contact)
            .await
            .unwrap()
    );
    // A batch of 2 forces several keyset round trips.
    let query = CallQuery {
        limit: 2,
        ..CallQuery::default()
    };
    let chunks: Vec<String> = export_csv(db.store.clone(), query)
        .map(|chunk| chunk.unwrap())
        .collect()
        .await;
    assert_eq!(
        chunks.len(),
        1 + calls.len().div_ceil(2),
        "header, then one chunk per batch"
    );
    let text = chunks.concat();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 1 + calls.len());
    assert!(lines[0].starts_with("id,call_sid,created_at,direction,status,from_number"));
    // Newest first: the last line is the first call.
    let last = lines.last().unwrap();
    assert!(last.contains(calls[0].root.as_str()));
    assert!(last.contains(
        ",outbound,completed,+551140028922,+5511987654321,42,true,false,1,Álefe Lins,ana,"
    ));
    assert!(
        last.contains("\"'=cmd|' /C calc'!A0, \"\"Zé\"\"\""),
        "{last}"
    );
    let inbound_only = CallQuery {
        direction: Some(CallDirection::Inbound),
        ..CallQuery::default()
    };
    let text: String = export_csv(db.store.clone(), inbound_only)
        .map(|c| c.unwrap())
        .collect::<Vec<_>>()
        .await
        .concat();
    assert_eq!(text.split_terminator("\r\n").count(), 1 + 3);
}
