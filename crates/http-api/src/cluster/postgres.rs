//! Signals between instances through PostgreSQL `LISTEN`/`NOTIFY`, on one dedicated
//! connection per instance (diesel has no API for asynchronous notifications; tokio-postgres,
//! which diesel-async already uses, has).
//!
//! Notifications are not stored: while the connection is down an instance misses signals.
//! That costs little: presence heartbeats come every 10 s, and a missed call update only
//! delays a browser's view until the next one (the history itself is in the database).

use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use super::{Envelope, Signal, act};
use crate::state::AppState;

/// The notification channel all instances listen on.
pub const CHANNEL: &str = "ramal_signals";
const RETRY_START: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// The instance's side of the shared channel, before it runs.
#[derive(Debug)]
pub struct Link {
    url: String,
    instance: u64,
    outgoing: mpsc::UnboundedReceiver<Signal>,
}

impl Link {
    pub(super) fn new(url: &str, instance: u64, outgoing: mpsc::UnboundedReceiver<Signal>) -> Self {
        Self {
            // With the store's TCP liveness settings: a LISTEN connection to a vanished
            // server is noticed (and reopened) within about a minute.
            url: call_store::PostgresUrl::new(url).map_or_else(|| url.to_owned(), |u| u.expose()),
            instance,
            outgoing,
        }
    }
}

/// The running link; [`LinkHandle::stop`] closes it.
#[derive(Debug)]
pub struct LinkHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    listening: watch::Receiver<bool>,
}

impl LinkHandle {
    /// Stops listening and waits for the task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Waits until the link listens (at most `timeout`); false if it could not connect.
    pub async fn listening(&self, timeout: Duration) -> bool {
        let mut listening = self.listening.clone();
        matches!(
            tokio::time::timeout(timeout, listening.wait_for(|l| *l)).await,
            Ok(Ok(_))
        )
    }
}

/// Connects (and reconnects) the link for `state`'s instance.
pub fn start(link: Link, state: AppState) -> LinkHandle {
    let (stop, stopped) = watch::channel(false);
    let (listening_tx, listening) = watch::channel(false);
    let task = tokio::spawn(run(link, state, stopped, listening_tx));
    LinkHandle {
        stop,
        task,
        listening,
    }
}

async fn run(
    mut link: Link,
    state: AppState,
    mut stopped: watch::Receiver<bool>,
    listening: watch::Sender<bool>,
) {
    let mut delay = RETRY_START;
    let mut failing = false;
    loop {
        match session(&mut link, &state, &mut stopped, &listening).await {
            Ok(()) => return,
            Err(e) => {
                listening.send_replace(false);
                if !failing {
                    tracing::warn!(error = %e, "lost the signal channel to the other instances; reconnecting");
                    failing = true;
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stopped.changed() => return,
        }
        delay = (delay * 2).min(RETRY_MAX);
        if *listening.borrow() {
            delay = RETRY_START;
        }
    }
}

/// One connection's life: listen, forward our signals, act on the others'.
async fn session(
    link: &mut Link,
    state: &AppState,
    stopped: &mut watch::Receiver<bool>,
    listening: &watch::Sender<bool>,
) -> Result<(), String> {
    let (client, mut connection) = tokio_postgres::connect(&link.url, NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let (incoming_tx, mut incoming) = mpsc::unbounded_channel::<Option<String>>();
    // The connection is driven by polling its messages; notifications come out of it.
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if incoming_tx.send(Some(n.payload().to_owned())).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = incoming_tx.send(None);
    });
    let result = async {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| e.to_string())?;
        listening.send_replace(true);
        tracing::info!("listening for the other instances' signals");
        loop {
            tokio::select! {
                _ = stopped.changed() => return Ok(()),
                received = incoming.recv() => match received {
                    Some(Some(payload)) => receive(state, link.instance, &payload).await,
                    _ => return Err("the database closed the connection".to_owned()),
                },
                signal = link.outgoing.recv() => {
                    let Some(signal) = signal else { return Ok(()) };
                    let payload = serde_json::to_string(&Envelope { from: link.instance, signal })
                        .expect("signals serialize");
                    client
                        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}

async fn receive(state: &AppState, instance: u64, payload: &str) {
    match serde_json::from_str::<Envelope>(payload) {
        // Our own signals were acted on when published.
        Ok(envelope) if envelope.from == instance => {}
        Ok(envelope) => act(state, &envelope.signal).await,
        Err(e) => tracing::warn!(error = %e, "ignored a malformed signal from another instance"),
    }
}
