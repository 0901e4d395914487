//! Login throttling: repeated failures for one username or from one address lock further
//! attempts for a growing time, so passwords cannot be guessed online.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before the first lock.
const FREE_FAILURES: u32 = 5;
/// First lock; doubles with each further failure, up to [`MAX_LOCK`].
const BASE_LOCK: Duration = Duration::from_secs(30);
/// Longest lock, so a legitimate user is never locked out for long.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

/// Per-key failure counters (key: `user:<name>` or `ip:<addr>`).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl LoginThrottle {
    /// How long the caller must wait before trying any of `keys` again, if locked.
    pub fn locked_for(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().expect("throttle lock poisoned");
        keys.iter()
            .filter_map(|k| entries.get(k))
            .filter_map(|e| e.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Records a failed attempt for every key.
    pub fn failure(&self, keys: &[String], now: Instant) {
        let mut entries = self.entries.lock().expect("throttle lock poisoned");
        // Bound memory under a spray of usernames: forget stale entries.
        if entries.len() > 10_000 {
            entries.retain(|_, e| now.duration_since(e.last_failure) < WINDOW);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last_failure: now,
                locked_until: None,
            });
            if now.duration_since(entry.last_failure) > WINDOW {
                entry.failures = 0;
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures >= FREE_FAILURES {
                let doublings = (entry.failures - FREE_FAILURES).min(10);
                let lock = (BASE_LOCK * 2u32.pow(doublings)).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
    }

    /// Clears the username's counter after a successful login (the address keeps its count).
    pub fn success(&self, user_key: &str) {
        self.entries
            .lock()
            .expect("throttle lock poisoned")
            .remove(user_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures_and_grows() {
        let t = LoginThrottle::default();
        let keys = vec!["user:ana".to_owned(), "ip:1.2.3.4".to_owned()];
        let now = Instant::now();
        for _ in 0..4 {
            t.failure(&keys, now);
            assert_eq!(t.locked_for(&keys, now), None);
        }
        t.failure(&keys, now);
        assert_eq!(t.locked_for(&keys, now), Some(BASE_LOCK));
        t.failure(&keys, now);
        assert_eq!(t.locked_for(&keys, now), Some(BASE_LOCK * 2));
        assert_eq!(t.locked_for(&keys, now + BASE_LOCK * 2), None);
    }

    #[test]
    fn success_clears_the_user_but_not_the_address() {
        let t = LoginThrottle::default();
        let keys = vec!["user:ana".to_owned(), "ip:1.2.3.4".to_owned()];
        let now = Instant::now();
        for _ in 0..5 {
            t.failure(&keys, now);
        }
        t.success("user:ana");
        assert_eq!(t.locked_for(&keys[..1], now), None);
        assert!(t.locked_for(&keys[1..], now).is_some());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = LoginThrottle::default();
        let keys = vec!["user:ana".to_owned()];
        let now = Instant::now();
        for _ in 0..4 {
            t.failure(&keys, now);
        }
        t.failure(&keys, now + WINDOW + Duration::from_secs(1));
        assert_eq!(
            t.locked_for(&keys, now + WINDOW + Duration::from_secs(1)),
            None
        );
    }
}
