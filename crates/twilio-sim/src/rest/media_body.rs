//! A streamed response body generated on the fly (recordings of any size without memory).

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;

use crate::media::MediaSpec;

const CHUNK: u64 = 64 * 1024;

/// Streams `spec`; with `fail_at`, errors once that many bytes were sent, which makes actix-web
/// drop the connection with the announced `Content-Length` unmet.
pub(super) struct MediaBody {
    spec: MediaSpec,
    offset: u64,
    fail_at: Option<u64>,
    /// At `fail_at`, stall (nothing more is sent, the connection stays open) instead of
    /// dropping the connection.
    stall: bool,
}

impl MediaBody {
    pub(super) fn new(spec: MediaSpec, fail_at: Option<u64>) -> Self {
        Self {
            spec,
            offset: 0,
            fail_at,
            stall: false,
        }
    }

    /// A body that sends its first `at` bytes, then nothing, never ending.
    pub(super) fn stalling(spec: MediaSpec, at: u64) -> Self {
        Self {
            stall: true,
            ..Self::new(spec, Some(at))
        }
    }
}

impl MessageBody for MediaBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.spec.len())
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        let stop = this.fail_at.unwrap_or(u64::MAX).min(this.spec.len());
        if this.offset >= stop {
            if this.stall && this.offset < this.spec.len() {
                // Never woken: the client sees an open connection that goes quiet.
                return Poll::Pending;
            }
            if this.fail_at.is_some() && this.offset < this.spec.len() {
                return Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected fault: connection dropped mid-body",
                ))));
            }
            return Poll::Ready(None);
        }
        let n = CHUNK.min(stop - this.offset) as usize;
        let mut buf = vec![0u8; n];
        this.spec.read_at(this.offset, &mut buf);
        this.offset += n as u64;
        Poll::Ready(Some(Ok(Bytes::from(buf))))
    }
}
