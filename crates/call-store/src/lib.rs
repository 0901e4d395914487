#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod clock;
pub mod config;
pub mod csv;
mod db;
pub mod error;
pub mod events;
pub mod form;
pub mod ids;
pub mod migrate;
pub mod model;
pub mod party;
pub mod query;
mod schema;
pub mod state;
pub mod status;
pub mod store;

pub use config::{PostgresUrl, StoreOptions, StoreTarget, open, open_target};
pub use csv::export_csv;
pub use error::{InputError, StoreError};
pub use migrate::{migrate, migration_status, revert_migrations};
pub use store::{Backend, CallStore};
