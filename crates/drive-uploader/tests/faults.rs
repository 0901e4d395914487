//! Uploads under failure: dropped connections mid-chunk, server errors, throttling, expired
//! sessions, fault storms, a full quota, a wrong folder, and the shared-drive flag on every call.

use std::io::Cursor;
use std::time::Duration;

use drive_uploader::stand_in::{Fault, GoogleStandIn};
use drive_uploader::{CHUNK_GRANULARITY, DriveSettings, DriveSink, FolderId, SID_PROPERTY};
use recording_sink::contract::{media_bytes, meta, sid};
use recording_sink::{RecordingSink, SinkError};

fn small_chunks(google: &GoogleStandIn) -> DriveSettings {
    let mut settings = google.settings(google.service_account());
    settings.chunk_size = CHUNK_GRANULARITY;
    settings.multipart_max = 100_000;
    settings
}

async fn store(sink: &DriveSink, n: u32, data: &[u8]) -> Result<String, SinkError> {
    sink.store(
        &meta(&sid(n), data.len() as u64),
        Box::new(Cursor::new(data.to_vec())),
    )
    .await
}

#[tokio::test]
async fn a_dropped_chunk_resumes_where_drive_stopped() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(small_chunks(&google)).unwrap();
    let data = media_bytes(1, 5 * CHUNK_GRANULARITY + 1234);
    let link = {
        let upload = store(&sink, 1, &data);
        tokio::pin!(upload);
        // Let the search, the session start and one chunk through, then drop the next one.
        let mut armed = false;
        loop {
            tokio::select! {
                result = &mut upload => break result.unwrap(),
                () = tokio::time::sleep(Duration::from_millis(1)), if !armed => {
                    if google.requests().iter().filter(|r| r.method == "PUT").count() >= 1 {
                        google.inject(Fault::DropConnection, 1);
                        armed = true;
                    }
                }
            }
        }
    };
    let file = google.file_by_link(&link).unwrap();
    assert!(file.content == data, "resumed upload is intact");
    assert!(file.resumable);
    let puts: Vec<_> = google
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert!(
        puts.iter().any(|r| r.status == 0),
        "a chunk was dropped: {puts:#?}"
    );
    assert_eq!(google.files().len(), 1);
}

#[tokio::test]
async fn a_dropped_first_chunk_keeps_its_aligned_half() {
    let google = GoogleStandIn::start().await.unwrap();
    let mut settings = small_chunks(&google);
    settings.chunk_size = 4 * CHUNK_GRANULARITY;
    let sink = DriveSink::new(settings).unwrap();
    let data = media_bytes(2, 9 * CHUNK_GRANULARITY);
    // The search and the session start pass; the first chunk drops after 2 of its 4 blocks.
    let google_ref = &google;
    let upload = store(&sink, 2, &data);
    tokio::pin!(upload);
    let mut armed = false;
    let link = loop {
        tokio::select! {
            result = &mut upload => break result.unwrap(),
            () = tokio::time::sleep(Duration::from_millis(1)), if !armed => {
                if google_ref.open_sessions() == 1 {
                    google_ref.inject(Fault::DropConnection, 1);
                    armed = true;
                }
            }
        }
    };
    assert!(google.file_by_link(&link).unwrap().content == data);
    let queries = google
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 308)
        .count();
    assert!(queries >= 3, "status queried and chunks resumed");
}

#[tokio::test]
async fn server_errors_and_throttling_are_retried() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(small_chunks(&google)).unwrap();
    google.inject(Fault::ServerError, 2);
    google.inject(Fault::RateLimited, 2);
    let data = media_bytes(3, 3 * CHUNK_GRANULARITY);
    let link = store(&sink, 3, &data).await.unwrap();
    assert!(google.file_by_link(&link).unwrap().content == data);
    let failed = google
        .requests()
        .iter()
        .filter(|r| r.status == 500 || r.status == 429)
        .count();
    assert_eq!(failed, 4);
}

#[tokio::test]
async fn an_expired_session_restarts_or_fails_the_attempt() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(small_chunks(&google)).unwrap();
    let data = media_bytes(4, 4 * CHUNK_GRANULARITY);
    // Expired before the first chunk: restarted in place.
    google.set_chunk_delay(Duration::from_millis(30));
    let upload = store(&sink, 4, &data);
    tokio::pin!(upload);
    let mut expired = false;
    let link = loop {
        tokio::select! {
            result = &mut upload => break result.unwrap(),
            () = tokio::time::sleep(Duration::from_millis(1)), if !expired => {
                if google.open_sessions() == 1 {
                    google.expire_sessions();
                    expired = true;
                }
            }
        }
    };
    assert!(google.file_by_link(&link).unwrap().content == data);

    // Expired after bytes were acknowledged: this attempt fails (retryable), the next works.
    let data = media_bytes(5, 4 * CHUNK_GRANULARITY);
    let continued = || {
        google
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.status == 308)
            .count()
    };
    let before = continued();
    let upload = store(&sink, 5, &data);
    tokio::pin!(upload);
    let mut expired = false;
    let result = loop {
        tokio::select! {
            result = &mut upload => break result,
            () = tokio::time::sleep(Duration::from_millis(1)), if !expired => {
                if continued() >= before + 2 {
                    google.expire_sessions();
                    expired = true;
                }
            }
        }
    };
    let err = result.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("session expired"), "{err}");
    google.set_chunk_delay(Duration::ZERO);
    let link = store(&sink, 5, &data).await.unwrap();
    assert!(google.file_by_link(&link).unwrap().content == data);
    assert_eq!(
        google
            .files_with_property(SID_PROPERTY, sid(5).as_str())
            .len(),
        1
    );
}

#[tokio::test]
async fn a_storm_of_failures_files_everything_exactly_once() {
    let google = GoogleStandIn::start().await.unwrap();
    let mut settings = small_chunks(&google);
    settings.retry.attempts = 3;
    let sink = DriveSink::new(settings).unwrap();
    google.set_failure_rate(0.3, 42);
    let mut attempts = 0;
    for n in 0..20u32 {
        let data = media_bytes(
            n as u8,
            if n % 2 == 0 {
                50_000
            } else {
                3 * CHUNK_GRANULARITY + 7
            },
        );
        // The caller (the job queue) retries failed attempts.
        let link = loop {
            attempts += 1;
            match store(&sink, 100 + n, &data).await {
                Ok(link) => break link,
                Err(e) => assert!(!e.is_permanent(), "{e}"),
            }
            assert!(attempts < 400, "never converged");
        };
        assert!(google.file_by_link(&link).unwrap().content == data);
    }
    google.set_failure_rate(0.0, 0);
    assert_eq!(google.files().len(), 20, "no duplicates");
    for n in 0..20u32 {
        assert_eq!(
            google
                .files_with_property(SID_PROPERTY, sid(100 + n).as_str())
                .len(),
            1
        );
    }
    let failures = google
        .requests()
        .iter()
        .filter(|r| r.status >= 429 || r.status == 0)
        .count();
    assert!(failures > 10, "the storm happened: {failures}");
}

#[tokio::test]
async fn a_full_quota_is_permanent_and_says_how_to_fix_it() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(small_chunks(&google)).unwrap();
    google.set_storage_quota_exceeded(true);
    for len in [1_000, 3 * CHUNK_GRANULARITY] {
        let err = store(&sink, len as u32, &media_bytes(1, len))
            .await
            .unwrap_err();
        assert!(err.is_permanent(), "{err}");
        let text = err.to_string();
        for hint in [
            "storageQuotaExceeded",
            "shared drive",
            "Content manager",
            "domain-wide delegation",
            "refresh token",
        ] {
            assert!(text.contains(hint), "{hint}: {text}");
        }
    }
    assert!(google.files().is_empty());
}

#[tokio::test]
async fn a_wrong_folder_is_permanent() {
    let google = GoogleStandIn::start().await.unwrap();
    let mut settings = small_chunks(&google);
    settings.folder = FolderId::parse("1NotTheSharedFolder").unwrap();
    let sink = DriveSink::new(settings).unwrap();
    let err = store(&sink, 1, &media_bytes(1, 1000)).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn every_drive_call_supports_shared_drives() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(small_chunks(&google)).unwrap();
    store(&sink, 1, &media_bytes(1, 1000)).await.unwrap();
    store(&sink, 2, &media_bytes(2, 2 * CHUNK_GRANULARITY + 5))
        .await
        .unwrap();
    let requests = google.requests();
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.path != "/token" && !r.query.contains("upload_id="))
        .collect();
    assert!(api.len() >= 6, "{api:#?}");
    for r in api {
        assert!(r.query.contains("supportsAllDrives=true"), "{r:?}");
        if r.method == "GET" {
            assert!(r.query.contains("includeItemsFromAllDrives=true"), "{r:?}");
        }
    }
    let kinds: Vec<bool> = google.files().iter().map(|f| f.resumable).collect();
    assert_eq!(
        kinds,
        [false, true],
        "multipart for the small one, resumable for the large one"
    );
}
