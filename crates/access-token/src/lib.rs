#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod decode;
pub mod grants;
mod identity;
mod json;
mod region;
mod secret;
pub mod sid;
mod token;
mod ttl;

pub use decode::{
    Claims, DecodeError, DecodedToken, Header, Part, Problem, TWILIO_CTY, decode_unverified,
    decode_verified,
};
pub use grants::{
    ChatGrant, Grant, OutgoingApplication, PlaybackGrant, SyncGrant, TaskRouterGrant, VideoGrant,
    VoiceGrant,
};
pub use identity::{FALLBACK_IDENTITY, Identity, IdentityError, MAX_IDENTITY_LEN};
pub use region::{Region, RegionError};
pub use secret::{ApiKeySecret, SecretError};
pub use sid::{
    AccountSid, ApiKeySid, ApplicationSid, CredentialSid, RoleSid, ServiceSid, Sid, SidError,
    SidKind, WorkerSid, WorkspaceSid,
};
pub use token::{AccessToken, SignedToken, TokenError};
pub use ttl::{Ttl, TtlError};

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    #[test]
    fn constant_header_is_pythons_header() {
        let header = r#"{"alg":"HS256","cty":"twilio-fpa;v=1","typ":"JWT"}"#;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header);
        assert_eq!(encoded, crate::token::HEADER_B64);
    }
}
