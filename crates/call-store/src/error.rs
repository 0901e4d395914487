//! Error types: one for bad input, one for storage.

use std::fmt;

/// Why a Twilio form, an identifier or another input value was refused.
///
/// Refused input is never written: the store returns this before any transaction starts.
/// `field` is the Twilio parameter name (`CallSid`, `RecordingDuration`, ...) or the name of
/// the argument, so http-api can answer with a precise 4xx message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A required field is absent (or empty where emptiness is not meaningful).
    #[error("required field {field} is missing")]
    Missing {
        /// Name of the missing field.
        field: &'static str,
    },
    /// A field is present but malformed or out of range. The value itself is not repeated
    /// because it may hold a phone number.
    #[error("field {field} is invalid: {reason}")]
    Invalid {
        /// Name of the field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl InputError {
    /// The name of the field this error is about.
    pub fn field(&self) -> &'static str {
        match self {
            InputError::Missing { field } | InputError::Invalid { field, .. } => field,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        InputError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// The same error reported under another field name (a `CallSid` parser used for
    /// `ParentCallSid`, for example).
    pub(crate) fn for_field(self, field: &'static str) -> Self {
        match self {
            InputError::Missing { .. } => InputError::Missing { field },
            InputError::Invalid { reason, .. } => InputError::Invalid { field, reason },
        }
    }
}

/// A failure of the store itself (database, pool, migrations), or a request it refuses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The input was refused; nothing was written.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The store location (URL or path) cannot be used.
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// The data directory or database file could not be created.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Connecting to the database failed.
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The underlying error.
        #[source]
        source: diesel::ConnectionError,
    },
    /// No pooled connection could be obtained in time (pool exhausted or database down).
    #[error("no database connection available: {0}")]
    Pool(String),
    /// A query failed.
    #[error("database error while {context}: {source}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: diesel::result::Error,
    },
    /// A write was executed but its transaction could not be committed: nothing was stored.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// Running or inspecting migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A unique value is already taken (an agent's username or identity, for example).
    #[error("{what} already exists")]
    Conflict {
        /// What collided.
        what: &'static str,
    },
    /// The row the request names does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// A job was completed or failed by a worker that no longer holds its lease (it expired
    /// and another worker may have claimed the job).
    #[error("job {job_id} is not leased to this worker")]
    LeaseLost {
        /// The job's id.
        job_id: i64,
    },
    /// A value read back from the database does not parse: the database was edited by hand or
    /// by a newer version.
    #[error("unexpected value in {table}.{column}: {reason}")]
    Corrupt {
        /// Table name.
        table: &'static str,
        /// Column name.
        column: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl StoreError {
    /// Whether repeating the same operation can never succeed because the data itself is
    /// refused (bad input, a constraint, a corrupt row), as opposed to a failure of the
    /// database or its connection, or a clash between concurrent transactions, which a
    /// retry may get past.
    pub fn is_permanent(&self) -> bool {
        use diesel::result::DatabaseErrorKind as Kind;
        match self {
            StoreError::Input(_)
            | StoreError::Corrupt { .. }
            | StoreError::Conflict { .. }
            | StoreError::NotFound { .. }
            | StoreError::Config(_) => true,
            StoreError::Database {
                source: diesel::result::Error::DatabaseError(kind, _),
                ..
            } => matches!(
                kind,
                Kind::UniqueViolation
                    | Kind::ForeignKeyViolation
                    | Kind::NotNullViolation
                    | Kind::CheckViolation
                    | Kind::RestrictViolation
                    | Kind::ExclusionViolation
            ),
            _ => false,
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(source: diesel::result::Error) -> Self {
        StoreError::Database {
            context: "running a transaction",
            source,
        }
    }
}

/// Attaches what the store was doing to a diesel error.
pub(crate) fn db(context: &'static str) -> impl FnOnce(diesel::result::Error) -> StoreError {
    move |source| StoreError::Database { context, source }
}

/// Wraps any displayable migration error.
pub(crate) fn migration_error(err: impl fmt::Display) -> StoreError {
    StoreError::Migration(err.to_string())
}
