//! What the stand-in remembers: tokens, files, upload sessions, faults, requests.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::{Fault, StandInRequest, StoredFile};

/// A small deterministic generator (SplitMix64) for fault storms with a seed.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug)]
pub(super) struct Token {
    pub(super) expires: Instant,
    pub(super) revoked: bool,
}

#[derive(Debug)]
pub(super) struct Session {
    pub(super) metadata: serde_json::Value,
    pub(super) mime_type: String,
    pub(super) total: u64,
    pub(super) received: Vec<u8>,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) tokens: HashMap<String, Token>,
    pub(super) tokens_issued: usize,
    pub(super) token_lifetime: Duration,
    pub(super) files: Vec<StoredFile>,
    pub(super) sessions: HashMap<String, Session>,
    pub(super) counter: u64,
    pub(super) faults: VecDeque<Fault>,
    pub(super) token_faults: usize,
    pub(super) storm: Option<(f64, Rng)>,
    pub(super) quota_exceeded: bool,
    pub(super) chunk_delay: Duration,
    pub(super) requests: Vec<StandInRequest>,
}

impl State {
    pub(super) fn new(token_lifetime: Duration) -> Self {
        Self {
            tokens: HashMap::new(),
            tokens_issued: 0,
            token_lifetime,
            files: Vec::new(),
            sessions: HashMap::new(),
            counter: 0,
            faults: VecDeque::new(),
            token_faults: 0,
            storm: None,
            quota_exceeded: false,
            chunk_delay: Duration::ZERO,
            requests: Vec::new(),
        }
    }

    pub(super) fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let salt = self.storm.as_mut().map_or(
            self.counter.wrapping_mul(0x2545_F491_4F6C_DD1D),
            |(_, rng)| rng.next(),
        );
        format!(
            "{prefix}{:06}{:012x}",
            self.counter,
            salt & 0xFFFF_FFFF_FFFF
        )
    }

    /// The fault for the next Drive request: a queued one first, else a roll of the storm.
    pub(super) fn take_fault(&mut self) -> Option<Fault> {
        if let Some(f) = self.faults.pop_front() {
            return Some(f);
        }
        let (rate, rng) = self.storm.as_mut()?;
        if rng.unit() >= *rate {
            return None;
        }
        Some(match rng.next() % 3 {
            0 => Fault::ServerError,
            1 => Fault::RateLimited,
            _ => Fault::DropConnection,
        })
    }

    pub(super) fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|t| !t.revoked && Instant::now() < t.expires)
    }

    /// Creates a file from upload metadata and content.
    pub(super) fn create_file(
        &mut self,
        metadata: &serde_json::Value,
        mime_type: &str,
        content: Vec<u8>,
        base: &str,
        resumable: bool,
    ) -> StoredFile {
        let id = self.next_id("1sTaNdIn");
        let seq = self.counter;
        let app_properties: BTreeMap<String, String> = metadata["appProperties"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let parents = metadata["parents"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let file = StoredFile {
            web_view_link: format!("{base}/file/d/{id}/view"),
            id,
            name: metadata["name"].as_str().unwrap_or("Untitled").to_owned(),
            mime_type: metadata["mimeType"]
                .as_str()
                .unwrap_or(mime_type)
                .to_owned(),
            parents,
            app_properties,
            // Distinct and ordered like creation: milliseconds after a fixed instant.
            created_time: (chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
                + chrono::Duration::days(20_000)
                + chrono::Duration::milliseconds(seq as i64))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            content,
            resumable,
        };
        self.files.push(file.clone());
        file
    }
}
