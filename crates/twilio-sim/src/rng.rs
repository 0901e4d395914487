//! A tiny deterministic random number generator (SplitMix64).
//!
//! The simulator needs reproducible choices (SIDs, shuffles, duplicates) for a given seed, and
//! nothing cryptographic: a 10-line generator avoids a dependency and pins the sequence forever
//! (a `rand` upgrade could change it and silently break recorded expectations).

use std::time::{SystemTime, UNIX_EPOCH};

/// SplitMix64: fast, full-period over `u64`, good enough statistical quality for test choices.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A seed that differs between runs and processes, for simulators without a fixed seed.
    pub(crate) fn entropy_seed() -> u64 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        // Mix the address of a stack value in, so two simulators started in the same
        // nanosecond (parallel tests) still differ.
        let local = 0u8;
        let addr = std::ptr::addr_of!(local) as u64;
        nanos ^ addr.rotate_left(32) ^ u64::from(std::process::id())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform value in `0..bound` (`bound > 0`), by rejection to avoid modulo bias.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound > 0);
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }

    /// A uniform float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Fisher-Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// `n` random bytes rendered as lowercase hex (`2n` characters).
    pub(crate) fn hex(&mut self, n_bytes: usize) -> String {
        let mut out = String::with_capacity(n_bytes * 2);
        let mut left = n_bytes;
        while left > 0 {
            let word = self.next_u64().to_be_bytes();
            for b in word.iter().take(left.min(8)) {
                out.push_str(&format!("{b:02x}"));
            }
            left = left.saturating_sub(8);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_shuffle() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut v1: Vec<u32> = (0..20).collect();
        let mut v2 = v1.clone();
        SplitMix64::new(3).shuffle(&mut v1);
        SplitMix64::new(3).shuffle(&mut v2);
        assert_eq!(v1, v2);
        assert_ne!(v1, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn hex_has_requested_length() {
        let mut r = SplitMix64::new(1);
        assert_eq!(r.hex(16).len(), 32);
        assert_eq!(r.hex(3).len(), 6);
        assert!(
            r.hex(16)
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = SplitMix64::new(99);
        for _ in 0..1000 {
            assert!(r.below(3) < 3);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
