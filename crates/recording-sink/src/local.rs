//! The embedded default sink: a folder on the server's disk.
//!
//! Layout under the sink's root (normally `<data dir>/recordings`):
//! ```text
//! 2026/11/29/2026-11-29_14-03_outbound_+5531999999999_Ana-Souza_42s_RE….mp3
//! .index/RE…          one line: the location above (how a retry finds the copy)
//! ```
//! A recording is written to a temporary file in its final folder, flushed to disk, then
//! renamed into place and the folder flushed, so a crash leaves either the whole file or none.
//! The index entry is created exclusively *before* the rename: concurrent writers of one
//! recording agree on a single path, and a retry after a crash reuses it even when the call
//! details (and so the file name) have changed since.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncSeekExt as _, AsyncWriteExt as _};

use crate::checked::CheckedReader;
use crate::error::SinkError;
use crate::meta::{MediaType, RecordingMeta, RecordingSid};
use crate::sink::{MediaReader, RecordingSink};

/// Folder of the index entries, inside the root. Hidden so people browsing the recordings see
/// only dated folders.
const INDEX_DIR: &str = ".index";
/// Suffix of files being written.
const PARTIAL_SUFFIX: &str = ".part";
/// Copy buffer: large enough that a 50 MB recording takes a few hundred writes, small enough
/// that many concurrent jobs stay cheap.
const COPY_BUFFER: usize = 256 * 1024;
/// Leftover partial files of a recording untouched for this long are removed before it is
/// written again: a killed process leaves one behind, while a live writer adds bytes every few
/// seconds (downloads time out after a minute of silence).
const STALE_PARTIAL: Duration = Duration::from_secs(10 * 60);

/// Distinguishes temporary files of concurrent writers in one process.
static WRITE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A folder of recordings on the local disk.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use chrono::TimeZone as _;
/// use recording_sink::{CallInfo, LocalFolderSink, MediaType, RecordingMeta, RecordingSid, RecordingSink};
///
/// let dir = tempfile::tempdir()?;
/// let sink = LocalFolderSink::new(dir.path().join("recordings"));
/// let sid = RecordingSid::parse("RE0123456789abcdef0123456789abcdef")?;
/// let call = CallInfo::at(chrono::Utc.with_ymd_and_hms(2026, 11, 29, 14, 3, 0).unwrap());
/// let meta = RecordingMeta::new(sid.clone(), call, MediaType::Mp3, 5)?;
///
/// let location = sink.store(&meta, Box::new(&b"hello"[..])).await?;
/// assert_eq!(location, "2026/11/29/2026-11-29_14-03_RE0123456789abcdef0123456789abcdef.mp3");
/// // Storing again returns the same copy.
/// assert_eq!(sink.store(&meta, Box::new(&b"hello"[..])).await?, location);
/// assert_eq!(sink.locate(&sid).await?, Some(location.clone()));
/// let local = sink.open(&location).await?;
/// assert_eq!(local.len(), 5);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LocalFolderSink {
    root: PathBuf,
}

/// A stored recording opened for reading (playback).
#[derive(Debug)]
pub struct LocalRecording {
    file: tokio::fs::File,
    len: u64,
    media_type: MediaType,
    path: PathBuf,
}

impl LocalRecording {
    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty (never, for a copy this sink wrote).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Its media type, from the file's extension.
    pub fn media_type(&self) -> MediaType {
        self.media_type
    }

    /// Its path on disk.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A reader of `len` bytes starting at `offset` (a byte range of the file).
    pub async fn read_range(mut self, offset: u64, len: u64) -> Result<impl AsyncRead, SinkError> {
        self.file
            .seek(io::SeekFrom::Start(offset))
            .await
            .map_err(|source| SinkError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(self.file.take(len))
    }
}

impl LocalFolderSink {
    /// The sink's name, and the key of its copies in the database.
    pub const NAME: &'static str = "local";

    /// A sink writing under `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder recordings are filed in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Opens a stored copy by the location [`store`](RecordingSink::store) returned.
    pub async fn open(&self, location: &str) -> Result<LocalRecording, SinkError> {
        let path = self.resolve(location)?;
        let media_type = MediaType::from_extension(location)
            .ok_or_else(|| SinkError::BadLocation(location.to_owned()))?;
        let io_err = |source| SinkError::Io {
            path: path.clone(),
            source,
        };
        let file = tokio::fs::File::open(&path).await.map_err(io_err)?;
        let len = file.metadata().await.map_err(io_err)?.len();
        Ok(LocalRecording {
            file,
            len,
            media_type,
            path,
        })
    }

    /// The path of a location, refusing anything that could leave the root (absolute paths,
    /// `..`, hidden files such as the index).
    fn resolve(&self, location: &str) -> Result<PathBuf, SinkError> {
        let bad = || SinkError::BadLocation(location.to_owned());
        let relative = Path::new(location);
        let mut depth = 0;
        for component in relative.components() {
            match component {
                Component::Normal(part) if !part.to_string_lossy().starts_with('.') => depth += 1,
                _ => return Err(bad()),
            }
        }
        if depth == 0 || location.contains('\\') {
            return Err(bad());
        }
        Ok(self.root.join(relative))
    }

    fn index_path(&self, sid: &RecordingSid) -> PathBuf {
        self.root.join(INDEX_DIR).join(sid.as_str())
    }

    /// The location the index names for `sid`, whether or not the file exists yet.
    async fn indexed_location(&self, sid: &RecordingSid) -> Result<Option<String>, SinkError> {
        let path = self.index_path(sid);
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => {
                let location = text.trim().to_owned();
                self.resolve(&location)?;
                Ok(Some(location))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SinkError::Io { path, source }),
        }
    }

    /// Claims `location` for `sid` in the index unless another writer already named one;
    /// returns the location that wins.
    async fn claim_location(
        &self,
        sid: &RecordingSid,
        location: &str,
    ) -> Result<String, SinkError> {
        let index = self.index_path(sid);
        let dir = self.root.join(INDEX_DIR);
        create_dir_all(&dir).await?;
        let temp = dir.join(format!(".{sid}.{}{PARTIAL_SUFFIX}", unique()));
        write_synced(&temp, location.as_bytes()).await?;
        // A hard link is an exclusive create of a file whose content is already complete.
        let linked = tokio::fs::hard_link(&temp, &index).await;
        let _ = tokio::fs::remove_file(&temp).await;
        match linked {
            Ok(()) => {
                sync_dir(&dir).await?;
                Ok(location.to_owned())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => self
                .indexed_location(sid)
                .await?
                .ok_or_else(|| SinkError::Io {
                    path: index.clone(),
                    source: io::Error::other("index entry vanished while being read"),
                }),
            Err(source) => Err(SinkError::Io {
                path: index,
                source,
            }),
        }
    }
}

#[async_trait]
impl RecordingSink for LocalFolderSink {
    fn name(&self) -> &str {
        Self::NAME
    }

    async fn locate(&self, sid: &RecordingSid) -> Result<Option<String>, SinkError> {
        let Some(location) = self.indexed_location(sid).await? else {
            return Ok(None);
        };
        let path = self.resolve(&location)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => Ok(Some(location)),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SinkError::Io { path, source }),
        }
    }

    async fn store(&self, meta: &RecordingMeta, media: MediaReader) -> Result<String, SinkError> {
        let sid = meta.sid();
        if let Some(existing) = self.locate(sid).await? {
            return Ok(existing);
        }
        // A crash between claiming and renaming leaves an index entry without its file: reuse
        // that path so one recording never gets two names.
        let wanted = match self.indexed_location(sid).await? {
            Some(location) => location,
            None => format!("{}/{}", meta.date_path(), meta.file_name()),
        };
        let dir_of = |location: &str| {
            self.resolve(location)
                .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default())
        };
        let dir = dir_of(&wanted)?;
        create_dir_all(&dir).await?;
        remove_stale_partials(&dir, sid).await;
        let temp = Partial(dir.join(format!(".{sid}.{}{PARTIAL_SUFFIX}", unique())));
        write_media(&temp.0, media, meta.length()).await?;

        let location = self.claim_location(sid, &wanted).await?;
        let final_path = self.resolve(&location)?;
        let final_dir = dir_of(&location)?;
        if final_dir != dir {
            create_dir_all(&final_dir).await?;
        }
        tokio::fs::rename(&temp.0, &final_path)
            .await
            .map_err(|source| SinkError::Io {
                path: final_path.clone(),
                source,
            })?;
        temp.disarm();
        sync_dir(&final_dir).await?;
        Ok(location)
    }
}

/// Copies `media` into a new file at `path` (exactly `length` bytes) and flushes it to disk.
async fn write_media(path: &Path, media: MediaReader, length: u64) -> Result<(), SinkError> {
    let io_err = |source| SinkError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(io_err)?;
    let mut reader = CheckedReader::new(media, length);
    let mut buf = vec![0u8; COPY_BUFFER];
    loop {
        let n = reader.read(&mut buf).await.map_err(SinkError::from_read)?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).await.map_err(io_err)?;
    }
    file.flush().await.map_err(io_err)?;
    file.sync_all().await.map_err(io_err)
}

async fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), SinkError> {
    let io_err = |source| SinkError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::File::create(path).await.map_err(io_err)?;
    file.write_all(bytes).await.map_err(io_err)?;
    file.sync_all().await.map_err(io_err)
}

async fn create_dir_all(dir: &Path) -> Result<(), SinkError> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|source| SinkError::Io {
            path: dir.to_path_buf(),
            source,
        })
}

/// Flushes a folder's entries (a rename or link inside it) to disk.
async fn sync_dir(dir: &Path) -> Result<(), SinkError> {
    let owned = dir.to_path_buf();
    let result = tokio::task::spawn_blocking(move || std::fs::File::open(&owned)?.sync_all())
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
    result.map_err(|source| SinkError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Removes partial files of `sid` left in `dir` by a crashed writer long ago.
async fn remove_stale_partials(dir: &Path, sid: &RecordingSid) {
    let prefix = format!(".{sid}.");
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(&prefix) && name.ends_with(PARTIAL_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE_PARTIAL);
        if old {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        WRITE_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary file removed when dropped before [`Partial::disarm`]: a failed or cancelled
/// write (the worker shutting down mid-download) leaves nothing behind.
struct Partial(PathBuf);

impl Partial {
    fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_cannot_escape_the_root() {
        let sink = LocalFolderSink::new("/data/recordings");
        for bad in [
            "",
            "/etc/passwd",
            "../secret.mp3",
            "2026/../../x.mp3",
            ".index/RE0123456789abcdef0123456789abcdef",
            "2026/11/.hidden.mp3",
            "a\\b.mp3",
        ] {
            assert!(
                matches!(sink.resolve(bad), Err(SinkError::BadLocation(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            sink.resolve("2026/11/29/x.mp3").unwrap(),
            PathBuf::from("/data/recordings/2026/11/29/x.mp3")
        );
    }
}
