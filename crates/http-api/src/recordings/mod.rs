//! The recording pipeline: durable jobs that file each completed recording in every configured
//! sink, playback of recordings, and the admin commands around them.
//!
//! | module | job |
//! |---|---|
//! | [`worker`] | claims jobs (leases), fetches from Twilio, stores in sinks, retries, dead-letters |
//! | [`twilio`] | recording media from Twilio: Basic auth, redirects without leaking it, checks |
//! | [`range`] | the `Range` header of playback requests |
//! | [`cli`] | `ramal recordings list|retry` |
//!
//! A completed recording's job is enqueued by call-store in the same transaction as the event,
//! so it cannot be lost; the worker only has to claim it. Exactly-once filing rests on the sinks
//! being idempotent per recording SID and on one copy row per (recording, sink).

pub mod cli;
pub mod range;
pub mod twilio;
pub mod worker;

use std::sync::Arc;

use drive_uploader::{DriveSettings, DriveSink};
use recording_sink::{LocalFolderSink, RecordingSink};
use tokio::sync::Notify;

use crate::config::{Config, SinkKind};

pub use worker::{Worker, WorkerHandle};

/// Folder of local recordings inside the data directory.
pub const RECORDINGS_DIR: &str = "recordings";

/// What the worker and the playback route share.
#[derive(Debug)]
pub struct Pipeline {
    /// The local folder (whether or not it is a configured sink: copies filed there earlier
    /// still play from it).
    pub local: LocalFolderSink,
    /// The configured sinks, local first.
    pub sinks: Vec<Arc<dyn RecordingSink>>,
    /// Twilio's media API; `None` without a Twilio account.
    pub twilio: Option<twilio::TwilioMedia>,
    /// Wakes this instance's worker when a job is enqueued or retried.
    pub wake: Notify,
}

impl Pipeline {
    /// Builds the sinks and the Twilio client from the configuration.
    pub fn new(config: &Config) -> Result<Self, String> {
        let local = LocalFolderSink::new(config.data_dir.join(RECORDINGS_DIR));
        let mut sinks: Vec<Arc<dyn RecordingSink>> = Vec::new();
        for kind in &config.recordings.sinks {
            match kind {
                SinkKind::Local => sinks.push(Arc::new(local.clone())),
                SinkKind::Drive => {
                    let drive = config
                        .recordings
                        .drive
                        .as_ref()
                        .ok_or("the drive sink has no settings")?;
                    let mut settings =
                        DriveSettings::new(drive.credentials.clone(), drive.folder.clone())
                            .api_base(drive.api_base.clone());
                    // Retries inside one upload wait at most as long as the job's own backoff.
                    let r = &config.recordings;
                    settings.retry.base_delay = settings.retry.base_delay.min(r.backoff_base);
                    settings.retry.max_delay = settings.retry.max_delay.min(r.backoff_max);
                    let sink =
                        DriveSink::new(settings).map_err(|e| format!("Google Drive: {e}"))?;
                    sinks.push(Arc::new(sink));
                }
            }
        }
        Ok(Self {
            local,
            sinks,
            twilio: twilio::TwilioMedia::from_config(config)?,
            wake: Notify::new(),
        })
    }
}
