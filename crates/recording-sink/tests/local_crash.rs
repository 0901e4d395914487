//! The local sink after crashes: a write cancelled halfway leaves nothing, and a recording whose
//! index entry was written just before a crash keeps that one name on the next attempt.

use std::time::Duration;

use recording_sink::contract::{PieceReader, media_bytes, meta, sid};
use recording_sink::{CallInfo, LocalFolderSink, MediaType, RecordingMeta, RecordingSink};

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A reader that never ends: the write is cancelled while waiting on it, as when the worker
/// is stopped mid-download.
struct Stalls(Option<Vec<u8>>);

impl tokio::io::AsyncRead for Stalls {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.0.take() {
            Some(first) => {
                buf.put_slice(&first);
                std::task::Poll::Ready(Ok(()))
            }
            None => std::task::Poll::Pending,
        }
    }
}

#[tokio::test]
async fn a_cancelled_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let sink = LocalFolderSink::new(dir.path());
    let m = meta(&sid(1), 100_000);
    let write = sink.store(&m, Box::new(Stalls(Some(vec![1; 10_000]))));
    assert!(
        tokio::time::timeout(Duration::from_millis(200), write)
            .await
            .is_err()
    );
    let left: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|f| !f.starts_with(".index"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(sink.locate(&sid(1)).await.unwrap(), None);
}

#[tokio::test]
async fn a_claimed_name_survives_a_crash_before_the_rename() {
    let dir = tempfile::tempdir().unwrap();
    let sink = LocalFolderSink::new(dir.path());
    let s = sid(2);
    // State after a crash between writing the index entry and renaming the file into place.
    let claimed = "2026/11/29/2026-11-29_14-03_early-name_RE00000000000000000000000000000002.mp3";
    std::fs::create_dir_all(dir.path().join(".index")).unwrap();
    std::fs::write(dir.path().join(".index").join(s.as_str()), claimed).unwrap();
    assert_eq!(sink.locate(&s).await.unwrap(), None, "no file yet");
    // The next attempt knows more about the call, so its own name would differ.
    let data = media_bytes(2, 5_000);
    let later = RecordingMeta::new(
        s.clone(),
        CallInfo {
            agent: Some("Bruno".into()),
            ..meta(&s, 1).call().clone()
        },
        MediaType::Mp3,
        data.len() as u64,
    )
    .unwrap();
    let location = sink
        .store(&later, PieceReader::new(data.clone()).boxed())
        .await
        .unwrap();
    assert_eq!(location, claimed);
    assert_eq!(std::fs::read(dir.path().join(claimed)).unwrap(), data);
    let files: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|f| !f.starts_with(".index"))
        .collect();
    assert_eq!(files, [claimed]);
}
