//! The grants a token carries: what the client may do with Twilio.
//!
//! Each grant serialises to the same JSON object, with the same keys in the same order, as
//! twilio-python 9.13's `twilio.jwt.access_token.grants`. Like the reference, optional string
//! fields set to `""` are left out.

mod chat;
mod playback;
mod sync;
mod task_router;
mod video;
mod voice;

pub use chat::ChatGrant;
pub use playback::PlaybackGrant;
pub use sync::SyncGrant;
pub use task_router::TaskRouterGrant;
pub use video::VideoGrant;
pub use voice::{OutgoingApplication, VoiceGrant};

use crate::json;

/// One grant of any kind. Every grant type converts into it with `From`/`into()`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Grant {
    /// Programmable Voice (`voice`).
    Voice(VoiceGrant),
    /// Video (`video`).
    Video(VideoGrant),
    /// Chat / Conversations (`chat`).
    Chat(ChatGrant),
    /// Sync (`data_sync`).
    Sync(SyncGrant),
    /// TaskRouter (`task_router`).
    TaskRouter(TaskRouterGrant),
    /// Live playback (`player`).
    Playback(PlaybackGrant),
}

impl Grant {
    /// The key of this grant inside the token's `grants` object (e.g. `"voice"`).
    pub fn key(&self) -> &'static str {
        match self {
            Grant::Voice(_) => "voice",
            Grant::Video(_) => "video",
            Grant::Chat(_) => "chat",
            Grant::Sync(_) => "data_sync",
            Grant::TaskRouter(_) => "task_router",
            Grant::Playback(_) => "player",
        }
    }

    /// Appends this grant's JSON object.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Grant::Voice(g) => g.write_json(out),
            Grant::Video(g) => g.write_json(out),
            Grant::Chat(g) => g.write_json(out),
            Grant::Sync(g) => g.write_json(out),
            Grant::TaskRouter(g) => g.write_json(out),
            Grant::Playback(g) => g.write_json(out),
        }
    }
}

macro_rules! into_grant {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for Grant {
            fn from(grant: $ty) -> Self {
                Grant::$variant(grant)
            }
        }
    )*};
}
into_grant!(
    Voice(VoiceGrant),
    Video(VideoGrant),
    Chat(ChatGrant),
    Sync(SyncGrant),
    TaskRouter(TaskRouterGrant),
    Playback(PlaybackGrant)
);

/// Writes `{"key":"value",...}` for the fields that are present and non-empty, in order.
pub(crate) fn write_string_fields(out: &mut String, fields: &[(&str, Option<&str>)]) {
    out.push('{');
    let mut first = true;
    for (key, value) in fields {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        json::write_str(out, key);
        out.push(':');
        json::write_str(out, value);
    }
    out.push('}');
}
