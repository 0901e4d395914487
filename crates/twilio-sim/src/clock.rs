//! Virtual time: calls run on a script's durations, optionally compressed.
//!
//! Every event of a call has a virtual offset from the call's start (what Twilio would report in
//! `Timestamp`, `CallDuration`, `RecordingDuration`). The simulator sleeps `offset * time_scale`
//! of real time between events: 0 runs a 30-minute call instantly, 1 plays it in real time
//! (demo mode).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Formats a time the way Twilio does in callbacks and JSON (RFC 2822, zero-padded day, GMT).
pub(crate) fn rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// The clock of one call.
#[derive(Debug, Clone)]
pub(crate) struct CallClock {
    start: DateTime<Utc>,
    now: Duration,
    scale: f64,
}

impl CallClock {
    pub(crate) fn new(start: DateTime<Utc>, scale: f64) -> Self {
        Self {
            start,
            now: Duration::ZERO,
            scale: if scale.is_finite() && scale > 0.0 {
                scale
            } else {
                0.0
            },
        }
    }

    /// Virtual time elapsed since the call started.
    pub(crate) fn now(&self) -> Duration {
        self.now
    }

    /// The wall-clock time of virtual offset `at`.
    pub(crate) fn wall(&self, at: Duration) -> DateTime<Utc> {
        self.start + chrono::Duration::from_std(at).unwrap_or(chrono::Duration::zero())
    }

    /// Moves virtual time forward to `at`, sleeping the scaled real time in between.
    pub(crate) async fn advance_to(&mut self, at: Duration) {
        if at <= self.now {
            return;
        }
        let real = (at - self.now).mul_f64(self.scale);
        if !real.is_zero() {
            tokio::time::sleep(real).await;
        }
        self.now = at;
    }

    /// Like [`advance_to`](Self::advance_to), but stops early when `interrupt` completes: the
    /// clock then reads the virtual instant it completed at (real time elapsed, unscaled).
    ///
    /// `live` waits are for a person (an interactive leg): they take real time even when the
    /// scale is 0, since nobody can act in no time at all.
    pub(crate) async fn advance_until<T>(
        &mut self,
        at: Duration,
        live: bool,
        interrupt: impl Future<Output = T>,
    ) -> Option<T> {
        let scale = if live && self.scale == 0.0 {
            1.0
        } else {
            self.scale
        };
        let ahead = at.saturating_sub(self.now);
        let started = tokio::time::Instant::now();
        tokio::select! {
            // A command already waiting wins over a zero-length sleep.
            biased;
            value = interrupt => {
                if scale > 0.0 {
                    let elapsed = started.elapsed().div_f64(scale).min(ahead);
                    self.now += elapsed;
                }
                Some(value)
            }
            () = tokio::time::sleep(ahead.mul_f64(scale)) => {
                self.now = self.now.max(at);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rfc2822_matches_twilio() {
        let t = Utc.with_ymd_and_hms(2010, 8, 2, 3, 45, 1).unwrap();
        assert_eq!(rfc2822(t), "Mon, 02 Aug 2010 03:45:01 +0000");
    }

    #[tokio::test]
    async fn zero_scale_does_not_sleep_but_counts() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let mut c = CallClock::new(start, 0.0);
        let real = std::time::Instant::now();
        c.advance_to(Duration::from_secs(3600)).await;
        assert!(real.elapsed() < Duration::from_secs(1));
        assert_eq!(c.now(), Duration::from_secs(3600));
        assert_eq!(rfc2822(c.wall(c.now())), "Mon, 01 Jan 2024 01:00:00 +0000");
        c.advance_to(Duration::from_secs(10)).await;
        assert_eq!(c.now(), Duration::from_secs(3600), "time never goes back");
    }

    #[tokio::test]
    async fn an_interrupt_stops_the_wait_at_its_virtual_instant() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        // 1 virtual second = 10 ms of real time.
        let mut c = CallClock::new(start, 0.01);
        let early = tokio::time::sleep(Duration::from_millis(50));
        let got = c.advance_until(Duration::from_secs(60), false, early).await;
        assert_eq!(got, Some(()));
        assert!(
            c.now() >= Duration::from_secs(5) && c.now() < Duration::from_secs(60),
            "{:?}",
            c.now()
        );
        let never = std::future::pending::<()>();
        assert_eq!(
            c.advance_until(Duration::from_secs(60), false, never).await,
            None
        );
        assert_eq!(c.now(), Duration::from_secs(60));
    }

    #[tokio::test]
    async fn live_waits_take_real_time_even_at_scale_zero() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let mut c = CallClock::new(start, 0.0);
        let real = std::time::Instant::now();
        let never = std::future::pending::<()>();
        c.advance_until(Duration::from_millis(80), true, never)
            .await;
        assert!(real.elapsed() >= Duration::from_millis(80));
        // Not live: instant.
        let real = std::time::Instant::now();
        c.advance_until(
            Duration::from_secs(3600),
            false,
            std::future::pending::<()>(),
        )
        .await;
        assert!(real.elapsed() < Duration::from_secs(1));
    }
}
