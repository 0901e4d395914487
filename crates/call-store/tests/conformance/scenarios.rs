//! Realistic Twilio event sequences, built from the form fields Twilio sends, with the
//! call each one must produce.

use call_store::events::{CallEvent, RecordingEvent, StatusEvent, VoiceRequest};
use call_store::ids::CallSid;
use call_store::status::{CallDirection, CallStatus};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Our Twilio number (caller ID of outbound calls, callee of inbound ones).
pub(crate) const OUR_NUMBER: &str = "+551140028922";
/// A customer.
pub(crate) const CUSTOMER: &str = "+5511987654321";

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// A deterministic SID: `prefix` + 32 hex digits made from `n` and `salt`.
pub(crate) fn sid(prefix: &str, salt: u32, n: u32) -> String {
    format!("{prefix}{salt:08x}{:024x}", n)
}

fn pairs(fields: &[(&str, String)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn rfc2822(at: DateTime<Utc>) -> String {
    at.to_rfc2822()
}

/// What a scenario must fold to.
#[derive(Debug, Clone)]
pub(crate) struct Expect {
    pub(crate) direction: CallDirection,
    pub(crate) status: CallStatus,
    pub(crate) duration: u32,
    pub(crate) answered: bool,
    pub(crate) voicemail: bool,
    pub(crate) has_recording: bool,
    pub(crate) agent_identity: Option<&'static str>,
    pub(crate) agent_id: Option<i64>,
    pub(crate) legs: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) root: CallSid,
    pub(crate) events: Vec<CallEvent>,
    pub(crate) expect: Expect,
}

/// Builds events of one call; `salt` keeps SIDs of different calls apart.
pub(crate) struct Builder {
    salt: u32,
    start: DateTime<Utc>,
    events: Vec<CallEvent>,
}

impl Builder {
    pub(crate) fn new(salt: u32, start: DateTime<Utc>) -> Self {
        Builder {
            salt,
            start,
            events: Vec::new(),
        }
    }

    pub(crate) fn parent(&self) -> String {
        sid("CA", self.salt, 1)
    }

    pub(crate) fn child(&self, n: u32) -> String {
        sid("CA", self.salt, 1 + n)
    }

    pub(crate) fn recording(&self, n: u32) -> String {
        sid("RE", self.salt, n)
    }

    fn at(&self, secs: i64) -> DateTime<Utc> {
        self.start + Duration::seconds(secs)
    }

    /// Twilio asking /voice or /voice-incoming for the parent leg.
    pub(crate) fn voice(
        mut self,
        from: &str,
        to: &str,
        kind: Option<CallDirection>,
        agent: Option<i64>,
    ) -> Self {
        let form = pairs(&[
            ("CallSid", self.parent()),
            ("AccountSid", sid("AC", 0, 1)),
            ("From", from.to_owned()),
            ("To", to.to_owned()),
            ("Direction", "inbound".to_owned()),
            ("CallStatus", "ringing".to_owned()),
            ("ApiVersion", "2010-04-01".to_owned()),
        ]);
        let mut event = VoiceRequest::from_form(form.as_slice(), self.at(0)).unwrap();
        if let Some(kind) = kind {
            event = event.with_call_direction(kind);
        }
        if let Some(agent) = agent {
            event = event.with_agent(agent);
        }
        self.events.push(event.into());
        self
    }

    /// A status callback of child leg `n`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn child_status(
        mut self,
        n: u32,
        from: &str,
        to: &str,
        status: &str,
        seq: u32,
        secs: i64,
        duration: Option<u32>,
    ) -> Self {
        let mut fields = vec![
            ("CallSid", self.child(n)),
            ("ParentCallSid", self.parent()),
            ("AccountSid", sid("AC", 0, 1)),
            ("From", from.to_owned()),
            ("To", to.to_owned()),
            ("Direction", "outbound-dial".to_owned()),
            ("CallStatus", status.to_owned()),
            ("SequenceNumber", seq.to_string()),
            ("Timestamp", rfc2822(self.at(secs))),
            ("CallbackSource", "call-progress-events".to_owned()),
        ];
        if let Some(d) = duration {
            fields.push(("CallDuration", d.to_string()));
            fields.push(("Duration", d.div_ceil(60).to_string()));
        }
        if status == "failed" {
            fields.push(("SipResponseCode", "404".to_owned()));
        }
        let event = StatusEvent::from_form(pairs(&fields).as_slice(), self.at(secs)).unwrap();
        self.events.push(event.into());
        self
    }

    /// A status callback of the parent leg.
    pub(crate) fn parent_status(
        mut self,
        from: &str,
        to: &str,
        status: &str,
        seq: u32,
        secs: i64,
        duration: Option<u32>,
    ) -> Self {
        let mut fields = vec![
            ("CallSid", self.parent()),
            ("From", from.to_owned()),
            ("To", to.to_owned()),
            ("Direction", "inbound".to_owned()),
            ("CallStatus", status.to_owned()),
            ("SequenceNumber", seq.to_string()),
            ("Timestamp", rfc2822(self.at(secs))),
        ];
        if let Some(d) = duration {
            fields.push(("CallDuration", d.to_string()));
        }
        let event = StatusEvent::from_form(pairs(&fields).as_slice(), self.at(secs)).unwrap();
        self.events.push(event.into());
        self
    }

    /// A recording callback naming `call` (normally the parent).
    pub(crate) fn recording_event(
        mut self,
        n: u32,
        call: &str,
        status: &str,
        source: &str,
        secs: i64,
        duration: Option<u32>,
    ) -> Self {
        let rec = self.recording(n);
        let mut fields = vec![
            ("AccountSid", sid("AC", 0, 1)),
            ("CallSid", call.to_owned()),
            ("RecordingSid", rec.clone()),
            (
                "RecordingUrl",
                format!(
                    "https://api.twilio.com/2010-04-01/Accounts/{}/Recordings/{rec}",
                    sid("AC", 0, 1)
                ),
            ),
            ("RecordingStatus", status.to_owned()),
            ("RecordingChannels", "2".to_owned()),
            ("RecordingSource", source.to_owned()),
            (
                "RecordingStartTime",
                rfc2822(self.at(secs - i64::from(duration.unwrap_or(0)))),
            ),
            ("RecordingTrack", "both".to_owned()),
        ];
        if let Some(d) = duration {
            fields.push(("RecordingDuration", d.to_string()));
        }
        let event = RecordingEvent::from_form(pairs(&fields).as_slice(), self.at(secs)).unwrap();
        self.events.push(event.into());
        self
    }

    pub(crate) fn build(self) -> (CallSid, Vec<CallEvent>) {
        (CallSid::parse(&self.parent()).unwrap(), self.events)
    }
}

fn outbound(salt: u32, start: DateTime<Utc>, outcome: &str) -> Builder {
    let b = Builder::new(salt, start).voice(
        "client:ana",
        CUSTOMER,
        Some(CallDirection::Outbound),
        Some(1),
    );
    let b = b.child_status(1, OUR_NUMBER, CUSTOMER, "initiated", 0, 1, None);
    match outcome {
        "completed" => b
            .child_status(1, OUR_NUMBER, CUSTOMER, "ringing", 1, 2, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, "in-progress", 2, 8, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, "completed", 3, 50, Some(42)),
        "failed" => b.child_status(1, OUR_NUMBER, CUSTOMER, "failed", 1, 2, Some(0)),
        other => b
            .child_status(1, OUR_NUMBER, CUSTOMER, "ringing", 1, 2, None)
            .child_status(1, OUR_NUMBER, CUSTOMER, other, 2, 20, Some(0)),
    }
}

fn expect(direction: CallDirection, status: CallStatus) -> Expect {
    Expect {
        direction,
        status,
        duration: 0,
        answered: false,
        voicemail: false,
        has_recording: false,
        agent_identity: None,
        agent_id: None,
        legs: 2,
    }
}

/// Every scenario, with SIDs salted by `salt` and times shifted by `start`.
pub(crate) fn all(salt: u32, start: DateTime<Utc>) -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut push =
        |name: &'static str, (root, events): (CallSid, Vec<CallEvent>), expect: Expect| {
            out.push(Scenario {
                name,
                root,
                events,
                expect,
            });
        };
    let salt = salt * 16;

    // Outbound answered: 7 events, recording of the parent arrives around the end.
    let b = outbound(salt, start, "completed");
    let parent = b.parent();
    push(
        "outbound answered",
        b.recording_event(1, &parent, "in-progress", "DialVerb", 8, None)
            .recording_event(1, &parent, "completed", "DialVerb", 51, Some(42))
            .build(),
        Expect {
            duration: 42,
            answered: true,
            has_recording: true,
            agent_id: Some(1),
            ..expect(CallDirection::Outbound, CallStatus::Completed)
        },
    );
    for (i, (outcome, status)) in [
        ("busy", CallStatus::Busy),
        ("no-answer", CallStatus::NoAnswer),
        ("canceled", CallStatus::Canceled),
        ("failed", CallStatus::Failed),
    ]
    .into_iter()
    .enumerate()
    {
        let name = match outcome {
            "busy" => "outbound busy",
            "no-answer" => "outbound no-answer",
            "canceled" => "outbound canceled",
            _ => "outbound failed",
        };
        let b = outbound(salt + 1 + i as u32, start, outcome);
        push(
            name,
            b.parent_status("client:ana", CUSTOMER, "completed", 0, 21, Some(21))
                .build(),
            Expect {
                agent_id: Some(1),
                ..expect(CallDirection::Outbound, status)
            },
        );
    }

    // Inbound answered by agent ana's browser.
    let b = Builder::new(salt + 5, start).voice(
        CUSTOMER,
        OUR_NUMBER,
        Some(CallDirection::Inbound),
        None,
    );
    let parent = b.parent();
    push(
        "inbound answered",
        b.child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
            .child_status(1, CUSTOMER, "client:ana", "in-progress", 2, 6, None)
            .child_status(1, CUSTOMER, "client:ana", "completed", 3, 66, Some(60))
            .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 67, Some(67))
            .recording_event(1, &parent, "completed", "DialVerb", 68, Some(60))
            .build(),
        Expect {
            duration: 60,
            answered: true,
            has_recording: true,
            agent_identity: Some("ana"),
            ..expect(CallDirection::Inbound, CallStatus::Completed)
        },
    );

    // Inbound nobody answered.
    let b = Builder::new(salt + 6, start).voice(
        CUSTOMER,
        OUR_NUMBER,
        Some(CallDirection::Inbound),
        None,
    );
    push(
        "inbound unanswered",
        b.child_status(1, CUSTOMER, "client:ana", "initiated", 0, 1, None)
            .child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
            .child_status(1, CUSTOMER, "client:ana", "no-answer", 2, 32, Some(0))
            .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 35, Some(35))
            .build(),
        expect(CallDirection::Inbound, CallStatus::NoAnswer),
    );

    // Inbound to voicemail: the agent leg rings out, the caller leaves a message.
    let b = Builder::new(salt + 7, start).voice(
        CUSTOMER,
        OUR_NUMBER,
        Some(CallDirection::Inbound),
        None,
    );
    let parent = b.parent();
    push(
        "inbound voicemail",
        b.child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
            .child_status(1, CUSTOMER, "client:ana", "no-answer", 2, 32, Some(0))
            .recording_event(2, &parent, "in-progress", "RecordVerb", 35, None)
            .recording_event(2, &parent, "completed", "RecordVerb", 55, Some(20))
            .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 56, Some(56))
            .build(),
        Expect {
            voicemail: true,
            has_recording: true,
            ..expect(CallDirection::Inbound, CallStatus::NoAnswer)
        },
    );

    // Browser to browser: ana calls bob.
    let b = Builder::new(salt + 8, start).voice(
        "client:ana",
        "client:bob",
        Some(CallDirection::Internal),
        Some(1),
    );
    push(
        "browser to browser",
        b.child_status(1, "client:ana", "client:bob", "initiated", 0, 1, None)
            .child_status(1, "client:ana", "client:bob", "ringing", 1, 2, None)
            .child_status(1, "client:ana", "client:bob", "in-progress", 2, 5, None)
            .child_status(1, "client:ana", "client:bob", "completed", 3, 35, Some(30))
            .parent_status("client:ana", "client:bob", "completed", 0, 36, Some(36))
            .build(),
        Expect {
            duration: 30,
            answered: true,
            agent_id: Some(1),
            ..expect(CallDirection::Internal, CallStatus::Completed)
        },
    );
    out
}

/// Inbound call ringing two agents at once; bob answers, ana's leg is canceled (12 events:
/// used with sampled shuffles, too many for all permutations).
pub(crate) fn inbound_two_agents(salt: u32, start: DateTime<Utc>) -> Scenario {
    let b = Builder::new(salt * 16 + 9, start).voice(CUSTOMER, OUR_NUMBER, None, None);
    let parent = b.parent();
    let (root, events) = b
        .child_status(1, CUSTOMER, "client:ana", "initiated", 0, 1, None)
        .child_status(1, CUSTOMER, "client:ana", "ringing", 1, 2, None)
        .child_status(1, CUSTOMER, "client:ana", "canceled", 2, 9, Some(0))
        .child_status(2, CUSTOMER, "client:bob", "initiated", 0, 1, None)
        .child_status(2, CUSTOMER, "client:bob", "ringing", 1, 2, None)
        .child_status(2, CUSTOMER, "client:bob", "in-progress", 2, 9, None)
        .child_status(2, CUSTOMER, "client:bob", "completed", 3, 99, Some(90))
        .parent_status(CUSTOMER, OUR_NUMBER, "completed", 0, 100, Some(100))
        .recording_event(1, &parent, "in-progress", "DialVerb", 9, None)
        .recording_event(1, &parent, "completed", "DialVerb", 101, Some(90))
        .recording_event(1, &parent, "completed", "DialVerb", 101, Some(90))
        .build();
    Scenario {
        name: "inbound two agents",
        root,
        events,
        expect: Expect {
            duration: 90,
            answered: true,
            has_recording: true,
            agent_identity: Some("bob"),
            legs: 3,
            ..expect(CallDirection::Inbound, CallStatus::Completed)
        },
    }
}
