#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod checked;
#[cfg(feature = "contract")]
pub mod contract;
mod error;
pub mod local;
mod meta;
mod naming;
mod sink;

pub use checked::CheckedReader;
pub use error::{LengthMismatch, MetaError, SinkError};
pub use local::{LocalFolderSink, LocalRecording};
pub use meta::{CallInfo, Direction, MediaType, RecordingMeta, RecordingSid};
pub use sink::{MediaReader, RecordingSink};
