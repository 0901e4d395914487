//! Agent authentication: passwords, sessions, login throttling, external JWTs.

pub mod cache;
pub mod external;
pub mod extract;
pub mod password;
pub mod signer;
pub mod throttle;

pub use cache::AgentCache;
pub use external::{ExternalUser, ExternalVerifier};
pub use extract::CurrentAgent;
pub use signer::{LinkCheck, SessionClaims, Signer};
pub use throttle::LoginThrottle;
