//! Errors of sinks and of the metadata they are given.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// Metadata that cannot describe a recording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// Not `RE` followed by 32 hexadecimal digits.
    #[error("a recording SID is RE followed by 32 hexadecimal digits")]
    InvalidSid,
    /// A recording of zero bytes.
    #[error("a recording cannot be empty")]
    Empty,
}

/// Why a sink could not store (or find) a recording.
///
/// [`SinkError::is_permanent`] tells the caller whether trying again later can help: the
/// recording pipeline retries the others with backoff and gives up at once on permanent ones.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Reading the recording's bytes failed (the download broke).
    #[error("reading the recording failed: {0}")]
    Source(#[source] io::Error),
    /// The bytes did not match the announced length.
    #[error("the recording has {received} bytes where {expected} were announced")]
    LengthMismatch {
        /// Announced length.
        expected: u64,
        /// Bytes received (so far, when too many).
        received: u64,
    },
    /// A local file operation failed. The path is shown with phone numbers masked: file names
    /// carry the caller's number, and errors end up in logs.
    #[error("{}: {source}", masked_path(path))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A stored location this sink did not produce.
    #[error("not a location of this sink: {0:?}")]
    BadLocation(String),
    /// A remote storage service failed or refused.
    #[error("{source}")]
    Backend {
        /// Whether retrying cannot help (a configuration problem, a full quota, ...).
        permanent: bool,
        /// The service's own error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}

impl SinkError {
    /// Whether trying again later cannot succeed without someone changing something.
    pub fn is_permanent(&self) -> bool {
        match self {
            SinkError::Backend { permanent, .. } => *permanent,
            SinkError::BadLocation(_) => true,
            SinkError::Source(_) | SinkError::LengthMismatch { .. } | SinkError::Io { .. } => false,
        }
    }

    /// Classifies an error met while reading the recording: a [`LengthMismatch`] raised by
    /// [`CheckedReader`](crate::CheckedReader) becomes [`SinkError::LengthMismatch`], anything
    /// else [`SinkError::Source`].
    pub fn from_read(err: io::Error) -> Self {
        match err
            .get_ref()
            .and_then(|e| e.downcast_ref::<LengthMismatch>())
        {
            Some(m) => SinkError::LengthMismatch {
                expected: m.expected,
                received: m.received,
            },
            None => SinkError::Source(err),
        }
    }
}

/// The path with each `+<digits>` run (an E.164 number in a file name) cut to its first two and
/// last two digits.
fn masked_path(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '+' {
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        if digits.len() > 4 {
            out.push_str(&digits[..2]);
            out.extend(std::iter::repeat_n('*', digits.len() - 4));
            out.push_str(&digits[digits.len() - 2..]);
        } else {
            out.push_str(&digits);
        }
    }
    out
}

/// The payload of the `io::Error` a [`CheckedReader`](crate::CheckedReader) returns when the
/// stream is shorter or longer than announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthMismatch {
    /// Announced length.
    pub expected: u64,
    /// Bytes seen.
    pub received: u64,
}

impl fmt::Display for LengthMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected {} bytes, got {}{}",
            self.expected,
            self.received,
            if self.received > self.expected {
                " or more"
            } else {
                ""
            }
        )
    }
}

impl StdError for LengthMismatch {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_do_not_show_phone_numbers() {
        let err = SinkError::Io {
            path: "/data/recordings/2026/11/29/2026-11-29_14-03_outbound_+5531999999999_Ana_42s_RE1.mp3".into(),
            source: io::Error::other("disk full"),
        };
        let text = err.to_string();
        assert!(!text.contains("5531999999999"), "{text}");
        assert!(
            text.contains("_outbound_+55*********99_Ana_42s_RE1.mp3: disk full"),
            "{text}"
        );
    }
}
