//! Segment files: the spool is a series of append-only files named for the sequence number of
//! their first frame (`00000000000000000042.seg`), so sorting names sorts frames.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use super::frame::{self, Decoded};

const SUFFIX: &str = ".seg";

/// The file name of the segment whose first frame is `first_seq`.
pub(crate) fn path_for(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{first_seq:020}{SUFFIX}"))
}

/// The segments in `dir`, oldest first, as (first sequence number, path).
pub(crate) fn list(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(first) = name
            .to_str()
            .and_then(|n| n.strip_suffix(SUFFIX))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        segments.push((first, entry.path()));
    }
    segments.sort_unstable();
    Ok(segments)
}

/// Makes a created or removed file name durable (POSIX needs the directory synced too).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Scans a segment: the last intact frame's sequence number and the length of the intact
/// prefix. Bytes after it are a torn write from a crash (never acknowledged).
pub(crate) fn scan(path: &Path) -> io::Result<(Option<u64>, u64)> {
    let bytes = std::fs::read(path)?;
    let mut at = 0;
    let mut last = None;
    while let Decoded::Frame { seq, len, .. } = frame::decode(&bytes[at..]) {
        last = Some(seq);
        at += len;
    }
    Ok((last, at as u64))
}

/// Reads frames of one segment in order as they become available.
#[derive(Debug)]
pub(crate) struct SegmentReader {
    pub(crate) first_seq: u64,
    pub(crate) path: PathBuf,
    file: File,
    buf: Vec<u8>,
    start: usize,
}

/// One frame read back.
#[derive(Debug)]
pub(crate) struct ReadFrame {
    pub(crate) seq: u64,
    pub(crate) payload: Vec<u8>,
}

impl SegmentReader {
    pub(crate) fn open(first_seq: u64, path: PathBuf) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).open(&path)?;
        Ok(Self {
            first_seq,
            path,
            file,
            buf: Vec::new(),
            start: 0,
        })
    }

    /// The next frame, if a whole one is in the file now. `Ok(None)` means "not yet" (or the
    /// segment's end: the caller knows from the durable sequence number which).
    pub(crate) fn next(&mut self) -> io::Result<Option<ReadFrame>> {
        loop {
            match frame::decode(&self.buf[self.start..]) {
                Decoded::Frame { seq, payload, len } => {
                    let frame = ReadFrame {
                        seq,
                        payload: payload.to_vec(),
                    };
                    self.start += len;
                    return Ok(Some(frame));
                }
                Decoded::Corrupt => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("damaged frame in {}", self.path.display()),
                    ));
                }
                Decoded::Incomplete => {
                    if !self.fill()? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Reads what the writer appended since the last read; false when nothing was new.
    fn fill(&mut self) -> io::Result<bool> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let before = self.buf.len();
        let position = self.file.stream_position()?;
        self.file.read_to_end(&mut self.buf)?;
        if self.buf.len() == before {
            // Reading at EOF leaves the position; nothing to undo.
            self.file.seek(SeekFrom::Start(position))?;
            return Ok(false);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn reader_follows_appends_and_scan_finds_the_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), 5);
        let mut file = File::create(&path).unwrap();
        let mut bytes = Vec::new();
        frame::encode(5, b"a", &mut bytes);
        file.write_all(&bytes).unwrap();
        let mut reader = SegmentReader::open(5, path.clone()).unwrap();
        assert_eq!(reader.next().unwrap().unwrap().seq, 5);
        assert!(reader.next().unwrap().is_none());

        let mut more = Vec::new();
        frame::encode(6, b"bb", &mut more);
        // Half a frame is not a frame yet...
        file.write_all(&more[..7]).unwrap();
        assert!(reader.next().unwrap().is_none());
        assert_eq!(scan(&path).unwrap(), (Some(5), bytes.len() as u64));
        // ...the rest completes it.
        file.write_all(&more[7..]).unwrap();
        let frame = reader.next().unwrap().unwrap();
        assert_eq!((frame.seq, frame.payload.as_slice()), (6, &b"bb"[..]));
        assert_eq!(
            scan(&path).unwrap(),
            (Some(6), (bytes.len() + more.len()) as u64)
        );
        assert_eq!(list(dir.path()).unwrap(), vec![(5, path)]);
    }
}
