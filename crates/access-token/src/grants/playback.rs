use serde_json::Value;

use crate::json;

/// Live playback grant (`player`): the grant object returned by Twilio's
/// `PlayerStreamer/.../PlaybackGrant` API, passed through unchanged.
///
/// The value is emitted as given (twilio-python emits `null` for a missing grant; so does this
/// type with [`Value::Null`]). Object keys come out sorted, where the reference keeps the API's
/// order: the JSON objects are equal, the bytes may differ.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaybackGrant {
    grant: Value,
}

impl PlaybackGrant {
    /// Wraps the grant JSON returned by Twilio.
    pub fn new(grant: Value) -> Self {
        Self { grant }
    }

    /// The grant JSON.
    pub fn grant(&self) -> &Value {
        &self.grant
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        json::write_value(out, &self.grant);
    }
}
