//! The HTTP `Range` request header (RFC 9110 §14.1.2), for byte ranges of one recording.
//!
//! One range is served as `206 Partial Content`. Choices where the RFC leaves room:
//! - a unit other than `bytes` is ignored (the whole file, `200`), as the RFC requires;
//! - several ranges are refused with `416`: audio players ask for one range at a time, and a
//!   multipart/byteranges answer would only serve download tools that split a file;
//! - a malformed `bytes=` value is refused with `416` too, rather than silently answered with
//!   50 MB the client did not ask for.

/// What a `Range` header asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No (usable) range: send everything with `200`.
    Full,
    /// Bytes `start..=end` with `206`.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// Not satisfiable, malformed or several ranges: `416` with `Content-Range: bytes */len`.
    Unsatisfiable,
}

impl ByteRange {
    /// Interprets the `Range` header value `header` for `len` bytes.
    pub fn parse(header: Option<&str>, len: u64) -> Self {
        let Some(value) = header else {
            return ByteRange::Full;
        };
        let Some((unit, set)) = value.split_once('=') else {
            return ByteRange::Unsatisfiable;
        };
        if !unit.trim().eq_ignore_ascii_case("bytes") {
            return ByteRange::Full;
        }
        let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
        let (Some(spec), None) = (specs.next(), specs.next()) else {
            return ByteRange::Unsatisfiable;
        };
        Self::one(spec, len).unwrap_or(ByteRange::Unsatisfiable)
    }

    fn one(spec: &str, len: u64) -> Option<Self> {
        let (first, last) = spec.split_once('-')?;
        let digits = |s: &str| -> Option<Option<u64>> {
            if s.is_empty() {
                Some(None)
            } else if s.bytes().all(|b| b.is_ascii_digit()) {
                // Too many digits for u64 means far past the end: saturating keeps the meaning
                // (a first byte there is unsatisfiable, a last byte or suffix reaches the end).
                Some(Some(s.parse().unwrap_or(u64::MAX)))
            } else {
                None
            }
        };
        let (first, last) = (digits(first.trim())?, digits(last.trim())?);
        if len == 0 {
            return None;
        }
        let (start, end) = match (first, last) {
            (Some(start), Some(last)) if last >= start => (start, last.min(len - 1)),
            (Some(start), None) => (start, len - 1),
            (None, Some(suffix)) if suffix > 0 => (len.saturating_sub(suffix), len - 1),
            _ => return None,
        };
        (start < len).then_some(ByteRange::Partial { start, end })
    }

    /// The `Content-Range` value for this range of `len` bytes (`None` for the whole file).
    pub fn content_range(&self, len: u64) -> Option<String> {
        match self {
            ByteRange::Full => None,
            ByteRange::Partial { start, end } => Some(format!("bytes {start}-{end}/{len}")),
            ByteRange::Unsatisfiable => Some(format!("bytes */{len}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn p(header: &str) -> ByteRange {
        ByteRange::parse(Some(header), 1000)
    }

    #[test]
    fn single_ranges() {
        assert_eq!(ByteRange::parse(None, 1000), ByteRange::Full);
        assert_eq!(p("bytes=0-99"), ByteRange::Partial { start: 0, end: 99 });
        assert_eq!(p("bytes=0-"), ByteRange::Partial { start: 0, end: 999 });
        assert_eq!(
            p("bytes=990-"),
            ByteRange::Partial {
                start: 990,
                end: 999
            }
        );
        assert_eq!(
            p("bytes=-100"),
            ByteRange::Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(p("bytes=-5000"), ByteRange::Partial { start: 0, end: 999 });
        assert_eq!(
            p("bytes=500-5000"),
            ByteRange::Partial {
                start: 500,
                end: 999
            }
        );
        assert_eq!(p("Bytes = 1-1"), ByteRange::Partial { start: 1, end: 1 });
        assert_eq!(
            p("bytes=999-999"),
            ByteRange::Partial {
                start: 999,
                end: 999
            }
        );
        assert_eq!(p("bytes=5-9,"), ByteRange::Partial { start: 5, end: 9 });
    }

    #[test]
    fn unsatisfiable_malformed_and_multiple() {
        for header in [
            "bytes=1000-",
            "bytes=1000-2000",
            "bytes=-0",
            "bytes=10-5",
            "bytes=abc",
            "bytes=1-2-3",
            "bytes=-",
            "bytes=",
            "bytes=+1-2",
            "bytes= -1-",
            "bytes=0-1,5-9",
            "bytes=99999999999999999999999-",
            "garbage",
        ] {
            assert_eq!(p(header), ByteRange::Unsatisfiable, "{header}");
        }
        assert_eq!(
            ByteRange::parse(Some("bytes=0-"), 0),
            ByteRange::Unsatisfiable
        );
    }

    #[test]
    fn other_units_are_ignored() {
        assert_eq!(p("items=0-5"), ByteRange::Full);
    }

    #[test]
    fn content_ranges() {
        assert_eq!(
            p("bytes=-100").content_range(1000).as_deref(),
            Some("bytes 900-999/1000")
        );
        assert_eq!(
            ByteRange::Unsatisfiable.content_range(1000).as_deref(),
            Some("bytes */1000")
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_inside(header in ".{0,64}", len in 0u64..u64::MAX) {
            if let ByteRange::Partial { start, end } = ByteRange::parse(Some(&header), len) {
                prop_assert!(start <= end && end < len);
            }
        }

        #[test]
        fn well_formed_ranges_are_served(a in 0u64..5000, b in 0u64..5000, len in 1u64..4000) {
            let header = format!("bytes={}-{}", a.min(b), a.max(b));
            let got = ByteRange::parse(Some(&header), len);
            if a.min(b) < len {
                prop_assert_eq!(got, ByteRange::Partial { start: a.min(b), end: a.max(b).min(len - 1) });
            } else {
                prop_assert_eq!(got, ByteRange::Unsatisfiable);
            }
        }
    }
}
