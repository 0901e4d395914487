//! The typed TwiML Voice vocabulary, one file per family of verbs.

mod connect;
mod dial;
mod gather;
mod media;
mod pay;
mod response;
mod say;
mod simple;

pub use connect::{
    AiSession, Autopilot, Connect, Conversation, ConversationRelay, ConversationRelaySession,
    Language, Room, VirtualAgent,
};
pub use dial::{
    Application, ApplicationSid, Client, Conference, Dial, Header, Headers, Identity, Number,
    Queue, Sim, Sip, SipUri, WhatsApp,
};
pub use gather::{Gather, Record};
pub use media::{Recording, Siprec, Start, Stop, Stream, Transcription};
pub use pay::{Pay, Prompt};
pub use response::VoiceResponse;
pub use say::{
    Say, SsmlBreak, SsmlEmphasis, SsmlLang, SsmlP, SsmlPhoneme, SsmlProsody, SsmlS, SsmlSayAs,
    SsmlSub, SsmlW,
};
pub use simple::{
    Config, Echo, Enqueue, Hangup, Leave, Parameter, Pause, Play, Redirect, Refer, ReferSip,
    Reject, Sms, Task,
};
