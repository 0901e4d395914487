//! The contract every [`RecordingSink`] must meet, as tests any implementation can run
//! (feature `contract`).
//!
//! An implementation provides a [`ContractSubject`] (the sink plus two ways for the test to look
//! behind it) and expands [`sink_contract_tests!`](crate::sink_contract_tests) in a test file:
//!
//! ```ignore
//! recording_sink::sink_contract_tests!(my_subject());
//! ```
//!
//! where `my_subject()` is an `async` expression giving a fresh subject for each test. The tests
//! need tokio with the `macros` and `rt-multi-thread` features.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::TimeZone as _;
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::SinkError;
use crate::meta::{CallInfo, Direction, MediaType, RecordingMeta, RecordingSid};
use crate::sink::{MediaReader, RecordingSink};

/// A sink under test, with what the tests need to check it from outside.
#[async_trait]
pub trait ContractSubject: Send + Sync {
    /// The sink.
    fn sink(&self) -> &dyn RecordingSink;
    /// The bytes stored at `location` (panics if there are none).
    async fn read_back(&self, location: &str) -> Vec<u8>;
    /// How many copies of `sid` the backing store holds (files, Drive files not trashed, ...).
    async fn copies(&self, sid: &RecordingSid) -> usize;
}

/// Deterministic content of a test recording (`seed` tells recordings apart).
pub fn media_bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2_654_435_761)
                .rotate_left(u32::from(seed % 31)) as u8
                ^ seed
        })
        .collect()
}

/// A recording SID built from a small number.
pub fn sid(n: u32) -> RecordingSid {
    RecordingSid::parse(&format!("RE{n:032x}")).expect("a valid SID")
}

/// Metadata of a test recording of `len` bytes, with every naming field set.
pub fn meta(sid: &RecordingSid, len: u64) -> RecordingMeta {
    let call = CallInfo {
        started_at: chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 14, 3, 27)
            .single()
            .expect("valid date"),
        direction: Some(Direction::Outbound),
        counterpart: Some("+5531999999999".into()),
        agent: Some("Ana Souza".into()),
        duration_secs: Some(42),
    };
    RecordingMeta::new(sid.clone(), call, MediaType::Mp3, len).expect("valid metadata")
}

/// Serves `data` in uneven pieces (1 byte, 7 bytes, 4 KiB, 64 KiB + 3, ...) and, with
/// `fail_at`, fails with a connection error once that many bytes were given.
#[derive(Debug)]
pub struct PieceReader {
    data: Vec<u8>,
    pos: usize,
    step: usize,
    fail_at: Option<usize>,
}

impl PieceReader {
    /// Reads all of `data`.
    pub fn new(data: Vec<u8>) -> Self {
        Self {
            data,
            pos: 0,
            step: 0,
            fail_at: None,
        }
    }

    /// Fails after `at` bytes, as a download whose connection drops.
    pub fn failing_at(mut self, at: usize) -> Self {
        self.fail_at = Some(at);
        self
    }

    /// Boxed for [`RecordingSink::store`].
    pub fn boxed(self) -> MediaReader {
        Box::new(self)
    }
}

impl AsyncRead for PieceReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        const PIECES: [usize; 4] = [1, 7, 4096, 65_539];
        let this = self.get_mut();
        let end = this.fail_at.unwrap_or(usize::MAX).min(this.data.len());
        if this.pos >= end {
            if this.fail_at.is_some_and(|at| at < this.data.len()) {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "test: the download broke",
                )));
            }
            return Poll::Ready(Ok(()));
        }
        // Yield now and then, as a network stream does.
        this.step += 1;
        if this.step.is_multiple_of(5) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let piece = PIECES[this.step % PIECES.len()]
            .min(end - this.pos)
            .min(buf.remaining());
        buf.put_slice(&this.data[this.pos..this.pos + piece]);
        this.pos += piece;
        Poll::Ready(Ok(()))
    }
}

/// A body that must not be read: storing a recording the sink already holds must not consume
/// the download.
#[derive(Debug)]
struct MustNotRead;

impl AsyncRead for MustNotRead {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(io::Error::other(
            "the sink read the body of a recording it already holds",
        )))
    }
}

/// A recording is stored byte for byte, and found again by its SID.
pub async fn stores_and_locates(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(1);
    let data = media_bytes(1, 150_001);
    assert_eq!(sink.locate(&sid).await.unwrap(), None, "nothing stored yet");
    let location = sink
        .store(
            &meta(&sid, data.len() as u64),
            PieceReader::new(data.clone()).boxed(),
        )
        .await
        .unwrap();
    assert_eq!(
        sink.locate(&sid).await.unwrap().as_deref(),
        Some(location.as_str())
    );
    assert!(
        subject.read_back(&location).await == data,
        "stored bytes differ"
    );
    assert_eq!(subject.copies(&sid).await, 1);
}

/// Storing a recording the sink holds returns the first copy, without reading the new body
/// and whatever the call details say now.
pub async fn second_store_returns_existing_copy(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(2);
    let data = media_bytes(2, 20_000);
    let first = sink
        .store(
            &meta(&sid, data.len() as u64),
            PieceReader::new(data.clone()).boxed(),
        )
        .await
        .unwrap();
    let mut later = meta(&sid, data.len() as u64).call().clone();
    later.agent = Some("Someone Else".into());
    later.duration_secs = Some(43);
    let later = RecordingMeta::new(sid.clone(), later, MediaType::Mp3, data.len() as u64).unwrap();
    let second = sink.store(&later, Box::new(MustNotRead)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(subject.copies(&sid).await, 1);
    assert!(subject.read_back(&first).await == data);
}

/// A download that breaks stores nothing; the next attempt stores the recording once.
pub async fn broken_download_stores_nothing(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(3);
    let data = media_bytes(3, 300_000);
    let m = meta(&sid, data.len() as u64);
    let err = sink
        .store(
            &m,
            PieceReader::new(data.clone()).failing_at(123_457).boxed(),
        )
        .await
        .unwrap_err();
    assert!(
        !err.is_permanent(),
        "a broken download is worth retrying: {err}"
    );
    assert_eq!(sink.locate(&sid).await.unwrap(), None);
    assert_eq!(subject.copies(&sid).await, 0);
    let location = sink
        .store(&m, PieceReader::new(data.clone()).boxed())
        .await
        .unwrap();
    assert!(subject.read_back(&location).await == data);
    assert_eq!(subject.copies(&sid).await, 1);
}

/// A body shorter than announced is refused and stores nothing.
pub async fn short_body_is_refused(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(4);
    let data = media_bytes(4, 9_000);
    let err = sink
        .store(&meta(&sid, 10_000), PieceReader::new(data).boxed())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SinkError::LengthMismatch {
                expected: 10_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sink.locate(&sid).await.unwrap(), None);
    assert_eq!(subject.copies(&sid).await, 0);
}

/// A body longer than announced is refused and stores nothing.
pub async fn long_body_is_refused(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(5);
    let data = media_bytes(5, 11_000);
    let err = sink
        .store(&meta(&sid, 10_000), PieceReader::new(data).boxed())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SinkError::LengthMismatch {
                expected: 10_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sink.locate(&sid).await.unwrap(), None);
    assert_eq!(subject.copies(&sid).await, 0);
}

/// Several workers storing one recording at once end with one copy, and all of them report it.
pub async fn concurrent_stores_keep_one_copy(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(6);
    let data = media_bytes(6, 70_000);
    let m = meta(&sid, data.len() as u64);
    let store = || sink.store(&m, PieceReader::new(data.clone()).boxed());
    let (a, b, c, d) = tokio::join!(store(), store(), store(), store());
    let locations = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    let kept = sink.locate(&sid).await.unwrap().expect("stored");
    assert!(
        locations.iter().all(|l| *l == kept),
        "{locations:?} vs {kept}"
    );
    assert_eq!(subject.copies(&sid).await, 1);
    assert!(subject.read_back(&kept).await == data);
}

/// Different recordings get different locations.
pub async fn distinct_recordings_get_distinct_locations(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let mut seen = Vec::new();
    for n in 10..14 {
        let sid = sid(n);
        let data = media_bytes(n as u8, 1_000 + n as usize);
        let location = sink
            .store(
                &meta(&sid, data.len() as u64),
                PieceReader::new(data.clone()).boxed(),
            )
            .await
            .unwrap();
        assert!(!seen.contains(&location), "{location} reused");
        assert!(subject.read_back(&location).await == data);
        seen.push(location);
    }
}

/// A recording of several megabytes streams through intact.
pub async fn large_recording_streams_intact(subject: &dyn ContractSubject) {
    let sink = subject.sink();
    let sid = sid(7);
    let data = media_bytes(7, 3 * 1024 * 1024 + 12_345);
    let location = sink
        .store(
            &meta(&sid, data.len() as u64),
            PieceReader::new(data.clone()).boxed(),
        )
        .await
        .unwrap();
    let back = subject.read_back(&location).await;
    assert_eq!(back.len(), data.len());
    assert!(back == data, "large recording corrupted");
    assert_eq!(subject.copies(&sid).await, 1);
}

/// Expands to one `#[tokio::test]` per contract check, each on a fresh subject from `$make`
/// (an `async` expression giving something that implements [`ContractSubject`]).
#[macro_export]
macro_rules! sink_contract_tests {
    ($make:expr) => {
        $crate::sink_contract_tests!(@each $make;
            stores_and_locates,
            second_store_returns_existing_copy,
            broken_download_stores_nothing,
            short_body_is_refused,
            long_body_is_refused,
            concurrent_stores_keep_one_copy,
            distinct_recordings_get_distinct_locations,
            large_recording_streams_intact,
        );
    };
    (@each $make:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let subject = $make.await;
                $crate::contract::$check(&subject).await;
            }
        )*
    };
}
