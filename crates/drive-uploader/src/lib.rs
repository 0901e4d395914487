#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod auth;
mod client;
mod credentials;
mod error;
mod settings;
mod sink;
#[cfg(feature = "stand-in")]
pub mod stand_in;

pub use auth::{AccessToken, DRIVE_SCOPE, DriveAuth};
pub use client::{DriveFile, SID_PROPERTY};
pub use credentials::{
    Credentials, DEFAULT_TOKEN_URI, Hidden, ServiceAccountKey, UserRefreshToken,
};
pub use error::{DriveError, STORAGE_QUOTA_HELP};
pub use settings::{
    CHUNK_GRANULARITY, DEFAULT_API_BASE, DEFAULT_CHUNK_SIZE, DEFAULT_MULTIPART_MAX, DriveSettings,
    FolderId, RetryPolicy,
};
pub use sink::DriveSink;
