#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[macro_use]
mod macros;

mod element;
mod enums;
mod error;
mod escape;
mod value;
mod verbs;

pub use element::Element;
pub use enums::*;
pub use error::TwimlError;
pub use value::{Choice, Raw, SpeechTimeout, TwimlEnum};
pub use verbs::*;
