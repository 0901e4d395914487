//! The sink contract, run against the local folder sink.

use async_trait::async_trait;
use recording_sink::contract::ContractSubject;
use recording_sink::{LocalFolderSink, RecordingSid, RecordingSink};

struct Local {
    sink: LocalFolderSink,
    _dir: tempfile::TempDir,
}

impl Local {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            sink: LocalFolderSink::new(dir.path().join("recordings")),
            _dir: dir,
        }
    }
}

#[async_trait]
impl ContractSubject for Local {
    fn sink(&self) -> &dyn RecordingSink {
        &self.sink
    }

    async fn read_back(&self, location: &str) -> Vec<u8> {
        let path = self.sink.root().join(location);
        tokio::fs::read(&path)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    async fn copies(&self, sid: &RecordingSid) -> usize {
        // Every file anywhere under the root whose name ends with the SID, partial files
        // included: a leftover counts as a copy here.
        fn walk(dir: &std::path::Path, sid: &str, n: &mut usize) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if name == ".index" {
                    continue;
                }
                if path.is_dir() {
                    walk(&path, sid, n);
                } else if name.contains(sid) {
                    *n += 1;
                }
            }
        }
        let mut n = 0;
        walk(self.sink.root(), sid.as_str(), &mut n);
        n
    }
}

recording_sink::sink_contract_tests!(async { Local::new() });
