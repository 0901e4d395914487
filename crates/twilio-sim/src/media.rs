//! Deterministic recording media, generated on the fly so a 50 MB recording costs no memory.
//!
//! - MP3: MPEG-1 Layer III frames, 32 kbps, 32 kHz, mono (4,000 bytes per second, the bit rate of
//!   Twilio's MP3s). Every frame is valid digital silence; the unused bytes of each frame carry a
//!   pattern of the frame number (ancillary data decoders ignore), so a byte out of place in
//!   transit changes the file.
//! - WAV: RIFF PCM, 16-bit, 8 kHz, 1 or 2 channels, a quiet triangle tone per channel.
//!
//! The same (format, duration, channels, size) always gives the same bytes, so a test can compare
//! what a server stored with [`MediaSpec::to_vec`] or [`MediaSpec::read_at`].

/// Recording file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaFormat {
    /// `.mp3`, `audio/mpeg`.
    Mp3,
    /// `.wav` or no extension, `audio/x-wav`.
    Wav,
}

impl MediaFormat {
    /// The `Content-Type` Twilio answers with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Mp3 => "audio/mpeg",
            Self::Wav => "audio/x-wav",
        }
    }
}

const MP3_FRAME_LEN: u64 = 144; // 144 * 32 kbps / 32 kHz
const MP3_FRAME_SAMPLES: u64 = 1152;
const MP3_SAMPLE_RATE: u64 = 32_000;
/// Frame header: sync, MPEG-1, Layer III, no CRC; 32 kbps; 32 kHz; no padding; mono, original.
const MP3_HEADER: [u8; 4] = [0xFF, 0xFB, 0x18, 0xC4];
/// Mono MPEG-1 side information is 17 bytes; all zero means two empty (silent) granules.
const MP3_SIDE_INFO_END: u64 = 4 + 17;

const WAV_HEADER_LEN: u64 = 44;
const WAV_RATE: u64 = 8_000;

/// The media of one recording in one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaSpec {
    format: MediaFormat,
    channels: u8,
    len: u64,
}

impl MediaSpec {
    /// Media of `duration_secs` seconds with `channels` channels (MP3 is always mono).
    pub fn new(format: MediaFormat, duration_secs: u64, channels: u8) -> Self {
        let channels = channels.clamp(1, 2);
        let len = match format {
            MediaFormat::Mp3 => {
                let frames = (duration_secs * MP3_SAMPLE_RATE).div_ceil(MP3_FRAME_SAMPLES);
                frames.max(1) * MP3_FRAME_LEN
            }
            MediaFormat::Wav => WAV_HEADER_LEN + duration_secs * WAV_RATE * 2 * u64::from(channels),
        };
        Self {
            format,
            channels,
            len,
        }
    }

    /// The same media cut or extended to exactly `len` bytes (for size tests).
    pub fn with_len(mut self, len: u64) -> Self {
        self.len = len;
        self
    }

    /// The format.
    pub fn format(&self) -> MediaFormat {
        self.format
    }

    /// Total size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the media has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Fills `buf` with the bytes starting at `offset` (bytes past the end are left untouched).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.len.saturating_sub(offset) as usize);
        for (i, slot) in buf[..n].iter_mut().enumerate() {
            *slot = self.byte(offset + i as u64);
        }
        n
    }

    /// The whole file.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.len as usize];
        self.read_at(0, &mut v);
        v
    }

    fn byte(&self, pos: u64) -> u8 {
        match self.format {
            MediaFormat::Mp3 => {
                let frame = pos / MP3_FRAME_LEN;
                let at = pos % MP3_FRAME_LEN;
                if at < 4 {
                    MP3_HEADER[at as usize]
                } else if at < MP3_SIDE_INFO_END {
                    0
                } else {
                    (frame.wrapping_mul(31) ^ at.wrapping_mul(7) ^ (frame >> 8)) as u8
                }
            }
            MediaFormat::Wav => {
                if pos < WAV_HEADER_LEN {
                    self.wav_header()[pos as usize]
                } else {
                    let data = pos - WAV_HEADER_LEN;
                    let block = 2 * u64::from(self.channels);
                    let frame = data / block;
                    let channel = (data % block) / 2;
                    let sample = triangle(frame, if channel == 0 { 18 } else { 24 });
                    sample.to_le_bytes()[(data % 2) as usize]
                }
            }
        }
    }

    fn wav_header(&self) -> [u8; 44] {
        let channels = u16::from(self.channels);
        let data_len = self.len.saturating_sub(WAV_HEADER_LEN) as u32;
        let mut h = [0u8; 44];
        h[0..4].copy_from_slice(b"RIFF");
        h[4..8].copy_from_slice(&(data_len + 36).to_le_bytes());
        h[8..12].copy_from_slice(b"WAVE");
        h[12..16].copy_from_slice(b"fmt ");
        h[16..20].copy_from_slice(&16u32.to_le_bytes());
        h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
        h[22..24].copy_from_slice(&channels.to_le_bytes());
        h[24..28].copy_from_slice(&(WAV_RATE as u32).to_le_bytes());
        h[28..32].copy_from_slice(&(WAV_RATE as u32 * 2 * u32::from(channels)).to_le_bytes());
        h[32..34].copy_from_slice(&(2 * channels).to_le_bytes());
        h[34..36].copy_from_slice(&16u16.to_le_bytes());
        h[36..40].copy_from_slice(b"data");
        h[40..44].copy_from_slice(&data_len.to_le_bytes());
        h
    }
}

/// A triangle wave of `period` samples, amplitude ±3000 (quiet), in integers so it is identical
/// on every platform.
fn triangle(n: u64, period: u64) -> i16 {
    let phase = (n % period) as i64;
    let half = (period / 2) as i64;
    let v = if phase < half {
        phase * 12_000 / half - 6_000
    } else {
        6_000 - (phase - half) * 12_000 / half
    };
    (v / 2) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp3_is_framed_silence_at_4000_bytes_per_second() {
        let m = MediaSpec::new(MediaFormat::Mp3, 9, 1);
        assert_eq!(m.len(), 250 * 144); // 9 s * 32000 / 1152 = 250 frames
        let bytes = m.to_vec();
        for frame in bytes.chunks(144) {
            assert_eq!(&frame[..4], &MP3_HEADER);
            assert!(frame[4..21].iter().all(|&b| b == 0));
        }
        assert_ne!(bytes[21..144], bytes[144 + 21..288], "frames differ");
    }

    #[test]
    fn wav_header_describes_the_data() {
        let m = MediaSpec::new(MediaFormat::Wav, 2, 2);
        let b = m.to_vec();
        assert_eq!(b.len() as u64, 44 + 2 * 8000 * 4);
        assert_eq!(&b[0..4], b"RIFF");
        assert_eq!(u16::from_le_bytes([b[22], b[23]]), 2);
        assert_eq!(
            u32::from_le_bytes([b[40], b[41], b[42], b[43]]) as usize,
            b.len() - 44
        );
    }

    #[test]
    fn read_at_matches_to_vec_and_is_deterministic() {
        let m = MediaSpec::new(MediaFormat::Mp3, 3, 1).with_len(5000);
        let all = m.to_vec();
        assert_eq!(all, m.to_vec());
        let mut part = [0u8; 300];
        assert_eq!(m.read_at(4800, &mut part), 200);
        assert_eq!(&part[..200], &all[4800..]);
    }
}
