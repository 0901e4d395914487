//! Ramal's HTTP shell: Twilio webhooks (every one signature-checked), agent authentication,
//! browser tokens, the call history and live updates. Domain logic lives in the crates it
//! wires together: `call-store`, `access-token`, `twiml-builder`.
//!
//! | module | job |
//! |---|---|
//! | [`config`] | typed configuration: TOML file + environment, every problem explained |
//! | [`assets`] | the webphone, embedded at build time and served with its CSP |
//! | [`demo`] | demo mode: the embedded Twilio simulator and the webphone's simulated calls |
//! | [`doctor`] | `ramal doctor`: configuration and environment checks, each problem explained |
//! | [`startup`] | building the server on a listener (port 0 in tests) |
//! | [`webhook`] | Twilio signature validation, proxy-aware |
//! | [`auth`] | passwords, sessions, login throttling, external JWTs |
//! | [`voice`] | the TwiML documents Ramal answers with |
//! | [`recordings`] | the recording pipeline: filing worker, Twilio media, playback ranges |
//! | [`cluster`] | signals between instances sharing PostgreSQL (live updates, presence) |
//! | [`spool`] | the fsync'd webhook spool: events acknowledged before the database write |
//! | [`routes`] | the route table and handlers |
//! | [`error`] | the one mapping from errors to HTTP responses |

pub mod assets;
pub mod auth;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod live;
pub mod metrics;
pub mod phone;
pub mod presence;
pub mod recordings;
pub mod routes;
pub mod spool;
pub mod startup;
pub mod state;
pub mod voice;
pub mod webhook;

/// Proptest fuzz suites of the parsers that face untrusted input (`scripts/fuzz` runs them long).
#[cfg(test)]
mod fuzz;

pub use startup::{Application, StartError};
