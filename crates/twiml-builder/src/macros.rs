//! Declarative macros that turn the vocabulary tables in `enums.rs` and `verbs/` into types.
//! Keeping the vocabulary as data makes it easy to compare with twilio-python's
//! `voice_response.py` line by line.

/// Defines a value enum: `as_str`, `Display`, `FromStr`, `ALL` and the sealed `TwimlEnum`.
macro_rules! twiml_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident = $wire:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The string Twilio expects.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl crate::value::sealed::Sealed for $name {}

        impl crate::value::TwimlEnum for $name {
            const VALUES: &'static [&'static str] = &[$($wire),+];
            fn index(self) -> usize {
                self as usize
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = crate::TwimlError;
            /// Parses the exact wire string (case-sensitive, as Twilio is).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(crate::TwimlError::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }
    };
}

/// One typed attribute setter. Kinds: `text`, `uint`, `bool`, `choice(Enum)`, `list(Enum)`,
/// `uints`, `into(Type)`.
macro_rules! attr_setter {
    ($(#[$m:meta])* $fn:ident, text, $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "`.")]
        #[must_use]
        pub fn $fn(mut self, value: impl Into<::std::borrow::Cow<'a, str>>) -> Self {
            self.el.set($attr, crate::value::AttrValue::Text(value.into()));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, uint, $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "`.")]
        #[must_use]
        pub fn $fn(mut self, value: u32) -> Self {
            self.el.set($attr, crate::value::AttrValue::UInt(value));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, bool, $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "` to `true` or `false`.")]
        #[must_use]
        pub fn $fn(mut self, value: bool) -> Self {
            self.el.set($attr, crate::value::AttrValue::Bool(value));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, choice($ty:ty), $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "`; takes [`", stringify!($ty), "`] or a [`Raw`](crate::Raw) string.")]
        #[must_use]
        pub fn $fn(mut self, value: impl Into<crate::Choice<'a, $ty>>) -> Self {
            self.el.set($attr, crate::value::AttrValue::from_choice(value.into()));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, list($ty:ty), $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "` to the values joined by spaces; items are [`", stringify!($ty), "`] or [`Raw`](crate::Raw) strings.")]
        #[must_use]
        pub fn $fn<I>(mut self, values: I) -> Self
        where
            I: IntoIterator,
            I::Item: Into<crate::Choice<'a, $ty>>,
        {
            self.el.set($attr, crate::value::AttrValue::from_choices::<$ty, I>(values));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, uints, $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "` to the numbers joined by spaces.")]
        #[must_use]
        pub fn $fn(mut self, values: impl IntoIterator<Item = u32>) -> Self {
            self.el.set($attr, crate::value::AttrValue::from_numbers(values));
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, into($ty:ty), $attr:literal) => {
        $(#[$m])*
        #[doc = concat!("\n\nSets `", $attr, "`.")]
        #[must_use]
        pub fn $fn(mut self, value: $ty) -> Self {
            self.el.set($attr, crate::value::AttrValue::from(value));
            self
        }
    };
}

/// Defines a typed element: the struct, its attribute setters, its typed child methods, the
/// generic escape hatches and rendering.
macro_rules! twiml_element {
    (
        $(#[$meta:meta])*
        $ty:ident => $tag:literal
        attrs {
            $( $(#[$am:meta])* $afn:ident : $kind:ident $(($kty:ty))? = $attr:literal; )*
        }
        children {
            $( $(#[$cm:meta])* $cfn:ident : $cty:ident; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty<'a> {
            pub(crate) el: crate::Element<'a>,
        }

        impl<'a> $ty<'a> {
            /// The bare element; public constructors add the text content.
            fn bare() -> Self {
                Self { el: crate::Element::typed($tag) }
            }

            $( attr_setter!($(#[$am])* $afn, $kind $(($kty))?, $attr); )*

            $(
                $(#[$cm])*
                #[must_use]
                // Child methods are named after their element, SSML `<sub>` included.
                #[allow(clippy::should_implement_trait)]
                pub fn $cfn(mut self, child: $cty<'a>) -> Self {
                    self.el.push_element(child.el);
                    self
                }
            )*

            /// Sets any attribute by its exact XML name (e.g. one Twilio added after this
            /// release), replacing an earlier value of the same name. The name is checked when
            /// rendering.
            #[must_use]
            pub fn attr(
                mut self,
                name: impl Into<::std::borrow::Cow<'a, str>>,
                value: impl Into<::std::borrow::Cow<'a, str>>,
            ) -> Self {
                self.el = self.el.attr(name, value);
                self
            }

            /// Appends text content after what is already there (mixed content, as in SSML).
            #[must_use]
            pub fn text(mut self, text: impl Into<::std::borrow::Cow<'a, str>>) -> Self {
                self.el.push_text(text.into());
                self
            }

            /// Appends any element, typed or [`Element`](crate::Element), without checking that
            /// Twilio allows it here.
            #[must_use]
            pub fn child(mut self, child: impl Into<crate::Element<'a>>) -> Self {
                self.el.push_element(child.into());
                self
            }

            /// Renders the declaration and this element, as twilio-python's `to_xml()`.
            pub fn to_xml(&self) -> Result<String, crate::TwimlError> {
                self.el.to_xml()
            }

            /// Appends the declaration and this element to `out`; on error `out` is unchanged.
            pub fn write_to(&self, out: &mut String) -> Result<(), crate::TwimlError> {
                self.el.write_to(out)
            }

            /// Appends this element without the declaration; on error `out` is unchanged.
            pub fn write_fragment_to(&self, out: &mut String) -> Result<(), crate::TwimlError> {
                self.el.write_fragment_to(out)
            }

            /// The untyped element, for code that handles any TwiML generically.
            pub fn into_element(self) -> crate::Element<'a> {
                self.el
            }
        }

        impl<'a> From<$ty<'a>> for crate::Element<'a> {
            fn from(value: $ty<'a>) -> Self {
                value.el
            }
        }
    };
}

/// Constructors shared by many elements.
macro_rules! constructors {
    // No text content: `new()` and `Default`.
    ($ty:ident, plain, $doc:literal) => {
        impl<'a> $ty<'a> {
            #[doc = $doc]
            pub fn new() -> Self {
                Self::bare()
            }
        }
        impl Default for $ty<'_> {
            fn default() -> Self {
                Self::new()
            }
        }
    };
    // Required text content.
    ($ty:ident, text($param:ident), $doc:literal) => {
        impl<'a> $ty<'a> {
            #[doc = $doc]
            pub fn new($param: impl Into<::std::borrow::Cow<'a, str>>) -> Self {
                let mut this = Self::bare();
                this.el.push_text($param.into());
                this
            }
        }
    };
    // Optional text content: `new(text)` and `empty()`.
    ($ty:ident, text_or_empty($param:ident), $doc:literal) => {
        constructors!($ty, text($param), $doc);
        impl<'a> $ty<'a> {
            #[doc = concat!("An element with no text content (see [`", stringify!($ty), "::new`]); add children or text later.")]
            pub fn empty() -> Self {
                Self::bare()
            }
        }
    };
}
