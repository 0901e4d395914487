//! The [`RecordingSink`] trait.

use std::fmt;

use async_trait::async_trait;
use tokio::io::AsyncRead;

use crate::error::SinkError;
use crate::meta::{RecordingMeta, RecordingSid};

/// The bytes of a recording, read once from start to end. Usually a download from Twilio in
/// progress, or a local copy being read back: never a whole file in memory.
pub type MediaReader = Box<dyn AsyncRead + Send + Unpin>;

/// A place recordings are filed: a local folder, a Google Drive folder, ...
///
/// Implementations must be:
/// - **streaming**: they read `media` as it comes and keep at most a bounded buffer;
/// - **length-checked**: the stored copy has exactly [`RecordingMeta::length`] bytes, and a
///   stream that breaks or has another length stores nothing (see
///   [`CheckedReader`](crate::CheckedReader));
/// - **idempotent per recording SID**: when the sink already holds the recording, `store`
///   returns the existing location without creating another copy (it need not read `media`
///   at all), and concurrent `store`s of one recording end with one copy;
/// - **atomic**: a copy is either complete or absent, whatever the moment a crash hits.
///
/// The crate's contract test suite (feature `contract`, macro `sink_contract_tests!`) checks
/// all of this against any implementation.
#[async_trait]
pub trait RecordingSink: Send + Sync + fmt::Debug {
    /// A short stable name (`local`, `drive`): the key of the copy in the database.
    fn name(&self) -> &str;

    /// Where the sink holds this recording, if it does.
    async fn locate(&self, sid: &RecordingSid) -> Result<Option<String>, SinkError>;

    /// Stores the recording read from `media` and returns where it is (a path relative to the
    /// sink's folder, a URL, ...). If the sink already holds it, returns that location.
    async fn store(&self, meta: &RecordingMeta, media: MediaReader) -> Result<String, SinkError>;
}
