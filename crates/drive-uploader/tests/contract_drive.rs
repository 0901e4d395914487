//! The sink contract, run against the Drive sink and the local Google stand-in: once with small
//! chunks (resumable sessions for everything above 64 KiB), once with the default sizes and a
//! user's OAuth refresh token.

use async_trait::async_trait;
use drive_uploader::stand_in::GoogleStandIn;
use drive_uploader::{Credentials, DriveSink, SID_PROPERTY};
use recording_sink::contract::ContractSubject;
use recording_sink::{RecordingSid, RecordingSink};

struct Drive {
    google: GoogleStandIn,
    sink: DriveSink,
}

impl Drive {
    async fn new(small_chunks: bool, user: bool) -> Self {
        let google = GoogleStandIn::start().await.unwrap();
        let credentials: Credentials = if user {
            google.user_credentials()
        } else {
            google.service_account()
        };
        let mut settings = google.settings(credentials);
        if small_chunks {
            settings.chunk_size = drive_uploader::CHUNK_GRANULARITY;
            settings.multipart_max = 64 * 1024;
        }
        let sink = DriveSink::new(settings).unwrap();
        Self { google, sink }
    }
}

#[async_trait]
impl ContractSubject for Drive {
    fn sink(&self) -> &dyn RecordingSink {
        &self.sink
    }

    async fn read_back(&self, location: &str) -> Vec<u8> {
        self.google
            .file_by_link(location)
            .unwrap_or_else(|| panic!("no Drive file at {location}"))
            .content
    }

    async fn copies(&self, sid: &RecordingSid) -> usize {
        self.google
            .files_with_property(SID_PROPERTY, sid.as_str())
            .len()
    }
}

mod small_chunks {
    use super::*;
    recording_sink::sink_contract_tests!(Drive::new(true, false));
}

mod default_sizes_user_token {
    use super::*;
    recording_sink::sink_contract_tests!(Drive::new(false, true));
}
