//! Delivery of one call's asynchronous callbacks according to [`DeliveryOptions`].

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinHandle;

use super::{DeliveryOptions, Outgoing, PendingCallback, send};
use crate::rng::SplitMix64;
use crate::shared::Shared;

/// Routes the callbacks of one call. Each "stream" (a leg's status events, a recording's events)
/// is delivered in order; streams run concurrently.
#[derive(Debug)]
pub(crate) struct Dispatcher {
    shared: Arc<Shared>,
    options: DeliveryOptions,
    rng: SplitMix64,
    streams: HashMap<String, JoinHandle<()>>,
    held: Vec<Outgoing>,
}

impl Dispatcher {
    /// `call_index` makes each call's random choices distinct yet reproducible.
    pub(crate) fn new(shared: Arc<Shared>, options: DeliveryOptions, call_index: u64) -> Self {
        let seed = options.seed ^ call_index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self {
            shared,
            options,
            rng: SplitMix64::new(seed),
            streams: HashMap::new(),
            held: Vec::new(),
        }
    }

    fn duplicate(&mut self) -> bool {
        self.options.duplicate_ratio > 0.0 && self.rng.unit() < self.options.duplicate_ratio
    }

    /// Hands over one callback, fired now.
    pub(crate) fn emit(&mut self, stream: &str, out: Outgoing) {
        if self.options.collect {
            self.shared.push_pending(PendingCallback { request: out });
            return;
        }
        let twice = self.duplicate();
        if self.options.shuffle {
            if twice {
                self.held.push(out.clone());
            }
            self.held.push(out);
            return;
        }
        let previous = self.streams.remove(stream);
        let shared = Arc::clone(&self.shared);
        let delay = self.options.delay;
        let handle = tokio::spawn(async move {
            if let Some(p) = previous {
                let _ = p.await;
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            send(&shared, &out).await;
            if twice {
                send(&shared, &out).await;
            }
        });
        self.streams.insert(stream.to_owned(), handle);
    }

    /// Waits for every callback of the call to be delivered (shuffled ones are sent now).
    pub(crate) async fn finish(mut self) {
        for (_, handle) in self.streams.drain() {
            let _ = handle.await;
        }
        let mut held = std::mem::take(&mut self.held);
        self.rng.shuffle(&mut held);
        for out in held {
            if !self.options.delay.is_zero() {
                tokio::time::sleep(self.options.delay).await;
            }
            send(&self.shared, &out).await;
        }
    }
}
