//! Ramal's HTTP shell: Twilio webhooks (every one signature-checked), agent authentication,
//! browser tokens, the call history and live updates. Domain logic lives in the crates it
//! wires together: `call-store`, `access-token`, `twiml-builder`.
//!
//! | module | job |
//! |---|---|
//! | [`config`] | typed configuration: TOML file + environment, every problem explained |
//! | [`startup`] | building the server on a listener (port 0 in tests) |
//! | [`webhook`] | Twilio signature validation, proxy-aware |
//! | [`auth`] | passwords, sessions, login throttling, external JWTs |
//! | [`voice`] | the TwiML documents Ramal answers with |
//! | [`routes`] | the route table and handlers |
//! | [`error`] | the one mapping from errors to HTTP responses |

pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod live;
pub mod metrics;
pub mod phone;
pub mod presence;
pub mod routes;
pub mod startup;
pub mod state;
pub mod voice;
pub mod webhook;

pub use startup::{Application, StartError};
