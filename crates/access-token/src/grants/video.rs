use super::write_string_fields;

/// Video grant (`video`): lets the client connect to Video rooms, optionally only one.
///
/// JSON: `{"room": ...}` when a room is set, `{}` otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VideoGrant {
    room: Option<String>,
}

impl VideoGrant {
    /// A grant for any room.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts the grant to one room, by name or `RM...` SID (omitted if empty).
    pub fn room(mut self, room: impl Into<String>) -> Self {
        self.room = Some(room.into());
        self
    }

    /// The room, if restricted to one.
    pub fn room_name(&self) -> Option<&str> {
        self.room.as_deref()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        write_string_fields(out, &[("room", self.room.as_deref())]);
    }
}
