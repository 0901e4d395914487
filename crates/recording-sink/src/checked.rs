//! A reader that fails unless the stream has exactly the announced length.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

use crate::error::LengthMismatch;

/// Wraps a recording's byte stream and turns a wrong length into an error, so a truncated
/// download (a connection dropped with `Content-Length` unmet, a proxy cutting the body) is
/// never stored as if it were the recording.
///
/// Reading past `expected` bytes, or reaching the end before them, yields an
/// `io::ErrorKind::InvalidData` error carrying a [`LengthMismatch`]; a sink turns it into
/// [`SinkError::LengthMismatch`](crate::SinkError::LengthMismatch) with
/// [`SinkError::from_read`](crate::SinkError::from_read).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use recording_sink::CheckedReader;
/// use tokio::io::AsyncReadExt as _;
///
/// let mut ok = CheckedReader::new(&b"four"[..], 4);
/// let mut bytes = Vec::new();
/// ok.read_to_end(&mut bytes).await.unwrap();
///
/// let mut short = CheckedReader::new(&b"four"[..], 5);
/// assert!(short.read_to_end(&mut Vec::new()).await.is_err());
/// # }
/// ```
#[derive(Debug)]
pub struct CheckedReader<R> {
    inner: R,
    expected: u64,
    received: u64,
}

impl<R> CheckedReader<R> {
    /// Expects exactly `expected` bytes from `inner`.
    pub fn new(inner: R, expected: u64) -> Self {
        Self {
            inner,
            expected,
            received: 0,
        }
    }

    /// Bytes read so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    fn mismatch(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            LengthMismatch {
                expected: self.expected,
                received: self.received,
            },
        )
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CheckedReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let n = (buf.filled().len() - before) as u64;
                this.received += n;
                if n == 0 && this.received != this.expected {
                    return Poll::Ready(Err(this.mismatch()));
                }
                if this.received > this.expected {
                    // An erroring read must not hand out bytes.
                    buf.set_filled(before);
                    return Poll::Ready(Err(this.mismatch()));
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt as _;

    use super::*;
    use crate::SinkError;

    async fn read(data: &[u8], expected: u64) -> Result<Vec<u8>, SinkError> {
        let mut r = CheckedReader::new(data, expected);
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .await
            .map_err(SinkError::from_read)?;
        Ok(out)
    }

    #[tokio::test]
    async fn exact_length_passes_through() {
        assert_eq!(read(b"abcdef", 6).await.unwrap(), b"abcdef");
    }

    #[tokio::test]
    async fn short_and_long_streams_fail() {
        assert!(matches!(
            read(b"abc", 6).await,
            Err(SinkError::LengthMismatch {
                expected: 6,
                received: 3
            })
        ));
        assert!(matches!(
            read(b"abcdefgh", 6).await,
            Err(SinkError::LengthMismatch { expected: 6, .. })
        ));
    }
}
