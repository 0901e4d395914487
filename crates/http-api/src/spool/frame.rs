//! On-disk framing of spool records: `[payload length u32][crc32 u32][seq u64][payload]`,
//! little-endian. A crash can leave a torn last frame; readers stop at the first frame that is
//! short or whose checksum does not match, and the writer cuts it away at start.

/// Bytes before the payload.
pub(crate) const HEADER: usize = 16;
/// Largest payload accepted. Webhook bodies are capped far lower (`max_body_bytes`); a longer
/// length field can only be garbage.
pub(crate) const MAX_PAYLOAD: usize = 4 << 20;

/// Appends one frame to `out`.
pub(crate) fn encode(seq: u64, payload: &[u8], out: &mut Vec<u8>) {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&seq.to_le_bytes());
    crc.update(payload);
    // Payloads are far below 4 GiB (see MAX_PAYLOAD, checked by the caller).
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
}

/// What the start of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded<'a> {
    /// A whole, intact frame of `len` bytes.
    Frame {
        /// Its sequence number.
        seq: u64,
        /// The record.
        payload: &'a [u8],
        /// Bytes the frame takes, header included.
        len: usize,
    },
    /// The buffer ends inside a frame: more bytes may come (or the tail is torn).
    Incomplete,
    /// The bytes are not a frame (a torn write overwritten, or damage).
    Corrupt,
}

/// Decodes the frame at the start of `buf`.
pub(crate) fn decode(buf: &[u8]) -> Decoded<'_> {
    if buf.len() < HEADER {
        return Decoded::Incomplete;
    }
    let word = |at: usize| u32::from_le_bytes(buf[at..at + 4].try_into().expect("4 bytes"));
    let len = word(0) as usize;
    if len > MAX_PAYLOAD {
        return Decoded::Corrupt;
    }
    if buf.len() < HEADER + len {
        return Decoded::Incomplete;
    }
    let seq = u64::from_le_bytes(buf[8..16].try_into().expect("8 bytes"));
    let payload = &buf[HEADER..HEADER + len];
    let mut crc = crc32fast::Hasher::new();
    crc.update(&seq.to_le_bytes());
    crc.update(payload);
    if crc.finalize() != word(4) {
        return Decoded::Corrupt;
    }
    Decoded::Frame {
        seq,
        payload,
        len: HEADER + len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_damage_is_detected() {
        let mut buf = Vec::new();
        encode(7, b"hello", &mut buf);
        encode(8, b"", &mut buf);
        let Decoded::Frame { seq, payload, len } = decode(&buf) else {
            panic!("first frame")
        };
        assert_eq!((seq, payload, len), (7, &b"hello"[..], HEADER + 5));
        assert_eq!(
            decode(&buf[len..]),
            Decoded::Frame {
                seq: 8,
                payload: b"",
                len: HEADER
            }
        );
        // Every strict prefix of a frame is incomplete, never a wrong frame.
        for cut in 0..len {
            assert_eq!(decode(&buf[..cut]), Decoded::Incomplete, "cut at {cut}");
        }
        // Any flipped byte in the checksummed part is caught.
        for at in 4..len {
            let mut damaged = buf.clone();
            damaged[at] ^= 0x40;
            assert_eq!(decode(&damaged), Decoded::Corrupt, "byte {at}");
        }
        let mut huge = buf.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge), Decoded::Corrupt);
    }
}
