//! Google Drive as a [`RecordingSink`].

use async_trait::async_trait;
use recording_sink::{MediaReader, RecordingMeta, RecordingSid, RecordingSink, SinkError};

use crate::auth::DriveAuth;
use crate::client::{DriveClient, DriveFile};
use crate::error::DriveError;
use crate::settings::DriveSettings;

/// Files recordings in a Drive folder.
///
/// Each file carries the recording SID in its `appProperties` (`ramalRecordingSid`):
/// [`locate`](RecordingSink::locate) and every `store` search for it first, so a retried job
/// finds an earlier upload instead of making a second one. When two uploads of one recording
/// race (two workers after a lease expired), the later files are deleted right after the upload
/// and both callers report the oldest.
#[derive(Debug, Clone)]
pub struct DriveSink {
    client: DriveClient,
}

impl DriveSink {
    /// The sink's name, and the key of its copies in the database.
    pub const NAME: &'static str = "drive";

    /// A sink with these settings. Fails on settings that cannot work (URLs that are not
    /// http(s)); credentials are first used, and checked by Google, on the first upload.
    pub fn new(settings: DriveSettings) -> Result<Self, DriveError> {
        Ok(Self {
            client: DriveClient::new(settings)?,
        })
    }

    /// The token source, shared by every request of this sink.
    pub fn auth(&self) -> &DriveAuth {
        self.client.auth()
    }

    /// The settings in use (after normalisation: chunk size rounded to 256 KiB).
    pub fn settings(&self) -> &DriveSettings {
        &self.client.settings
    }

    /// Every file of the folder holding this recording, oldest first (normally one).
    pub async fn files_of(&self, sid: &RecordingSid) -> Result<Vec<DriveFile>, DriveError> {
        self.client.find(sid).await
    }

    /// Checks the credentials and the folder: gets a token and searches the folder once.
    pub async fn check(&self) -> Result<(), DriveError> {
        let probe = RecordingSid::parse("RE00000000000000000000000000000000")
            .map_err(|e| DriveError::Credentials(e.to_string()))?;
        self.client.find(&probe).await.map(|_| ())
    }

    /// After an upload: keeps the oldest file of the recording, deletes the others.
    async fn keep_one(
        &self,
        sid: &RecordingSid,
        uploaded: DriveFile,
    ) -> Result<DriveFile, DriveError> {
        let mut files = self.client.find(sid).await?;
        if files.len() <= 1 {
            // Search may lag behind a new file: the upload itself is the copy.
            return Ok(files.pop().unwrap_or(uploaded));
        }
        let kept = files.remove(0);
        for duplicate in &files {
            tracing::warn!(recording.sid = %sid, drive.file = %duplicate.id, "deleting a duplicate Drive upload of a recording");
            self.client.delete(&duplicate.id).await?;
        }
        Ok(kept)
    }
}

#[async_trait]
impl RecordingSink for DriveSink {
    fn name(&self) -> &str {
        Self::NAME
    }

    async fn locate(&self, sid: &RecordingSid) -> Result<Option<String>, SinkError> {
        Ok(self.client.find(sid).await?.first().map(DriveFile::link))
    }

    async fn store(&self, meta: &RecordingMeta, media: MediaReader) -> Result<String, SinkError> {
        if let Some(existing) = self.client.find(meta.sid()).await?.first() {
            return Ok(existing.link());
        }
        let uploaded = if meta.length() <= self.client.settings.multipart_max {
            self.client.upload_multipart(meta, media).await?
        } else {
            self.client.upload_resumable(meta, media).await?
        };
        tracing::info!(
            recording.sid = %meta.sid(),
            drive.file = %uploaded.id,
            bytes = meta.length(),
            "recording uploaded to Google Drive"
        );
        Ok(self.keep_one(meta.sid(), uploaded).await?.link())
    }
}
