use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in storage. Callers tell the client only whether to retry; the cause is
/// for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No connection could be had in time: the database is down or overloaded. Retryable.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    #[error("migrating the database failed: {0}")]
    Migration(String),
    /// A stored value that this release cannot read.
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// A unit of work panicked; what it wrote was rolled back, and nothing else with it.
    #[error("a write failed unexpectedly and was rolled back: {0}")]
    Panicked(String),
}

impl StorageError {
    /// Whether the same request may succeed if tried again shortly.
    pub fn is_retryable(&self) -> bool {
        match self {
            StorageError::Unavailable(_) => true,
            StorageError::Query(DieselError::DatabaseError(kind, _)) => matches!(
                kind,
                DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ClosedConnection
            ),
            _ => false,
        }
    }
}

impl From<diesel::r2d2::PoolError> for StorageError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        StorageError::Unavailable(error.to_string())
    }
}
