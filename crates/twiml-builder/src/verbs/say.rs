//! `<Say>` and the SSML elements it can hold.

use crate::enums::{BreakStrength, EmphasisLevel, InterpretAs, PhonemeAlphabet, SayAsFormat};

twiml_element! {
    /// `<Say>`: text-to-speech, optionally with SSML children and mixed text.
    ///
    /// ```
    /// use twiml_builder::{Say, SsmlBreak, VoiceResponse};
    /// let say = Say::new("Olá ").break_(SsmlBreak::new().time("500ms")).text("tudo bem?");
    /// let xml = VoiceResponse::new().say(say.language("pt-BR")).to_xml()?;
    /// assert!(xml.ends_with(r#"<Say language="pt-BR">Olá <break time="500ms" />tudo bem?</Say></Response>"#));
    /// # Ok::<(), twiml_builder::TwimlError>(())
    /// ```
    Say => "Say"
    attrs {
        /// Voice to use, e.g. `Polly.Camila` or `Google.pt-BR-Standard-A`.
        voice: text = "voice";
        /// Times to repeat the message (`0` loops until the call ends).
        loop_: uint = "loop";
        /// Language of the message, e.g. `pt-BR`.
        language: text = "language";
    }
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<p>`.
        p: SsmlP;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<s>`.
        s: SsmlS;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(Say, text_or_empty(message), "`<Say>` speaking `message`.");

twiml_element! {
    /// SSML `<break>`: a pause inside `<Say>`.
    SsmlBreak => "break"
    attrs {
        /// Pause strength.
        strength: choice(BreakStrength) = "strength";
        /// Pause length, e.g. `2s` or `500ms`.
        time: text = "time";
    }
    children {}
}
constructors!(SsmlBreak, plain, "An SSML `<break />`.");

twiml_element! {
    /// SSML `<emphasis>`: emphasised words.
    SsmlEmphasis => "emphasis"
    attrs {
        /// Degree of emphasis.
        level: choice(EmphasisLevel) = "level";
    }
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(
    SsmlEmphasis,
    text_or_empty(words),
    "SSML `<emphasis>` around `words`."
);

twiml_element! {
    /// SSML `<lang>`: words in another language.
    SsmlLang => "lang"
    attrs {
        /// Language of the words, e.g. `fr-FR` (rendered as `xml:lang`).
        xml_lang: text = "xml:lang";
    }
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<p>`.
        p: SsmlP;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<s>`.
        s: SsmlS;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(
    SsmlLang,
    text_or_empty(words),
    "SSML `<lang>` around `words`."
);

twiml_element! {
    /// SSML `<p>`: a paragraph.
    SsmlP => "p"
    attrs {}
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<s>`.
        s: SsmlS;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(SsmlP, text_or_empty(words), "SSML `<p>` around `words`.");

twiml_element! {
    /// SSML `<phoneme>`: phonetic pronunciation.
    SsmlPhoneme => "phoneme"
    attrs {
        /// Phonetic alphabet of [`ph`](Self::ph).
        alphabet: choice(PhonemeAlphabet) = "alphabet";
        /// The phonetic symbols.
        ph: text = "ph";
    }
    children {}
}
constructors!(SsmlPhoneme, text(words), "SSML `<phoneme>` around `words`.");

twiml_element! {
    /// SSML `<prosody>`: volume, rate and pitch.
    SsmlProsody => "prosody"
    attrs {
        /// `default`, `silent`, `x-soft`, `soft`, `medium`, `loud`, `x-loud`, `+ndB`, `-ndB`.
        volume: text = "volume";
        /// `x-slow`, `slow`, `medium`, `fast`, `x-fast`, `n%`.
        rate: text = "rate";
        /// `default`, `x-low`, `low`, `medium`, `high`, `x-high`, `+n%`, `-n%`.
        pitch: text = "pitch";
    }
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<p>`.
        p: SsmlP;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<s>`.
        s: SsmlS;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(
    SsmlProsody,
    text_or_empty(words),
    "SSML `<prosody>` around `words`."
);

twiml_element! {
    /// SSML `<s>`: a sentence.
    SsmlS => "s"
    attrs {}
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<lang>`.
        lang: SsmlLang;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
        /// Appends an SSML `<w>`.
        w: SsmlW;
    }
}
constructors!(SsmlS, text_or_empty(words), "SSML `<s>` around `words`.");

twiml_element! {
    /// SSML `<say-as>`: how to read numbers, dates, spelled-out words...
    SsmlSayAs => "say-as"
    attrs {
        /// How to interpret the words (rendered as `interpret-as`).
        interpret_as: choice(InterpretAs) = "interpret-as";
        /// Date format when interpreting as a date.
        format: choice(SayAsFormat) = "format";
    }
    children {}
}
constructors!(SsmlSayAs, text(words), "SSML `<say-as>` around `words`.");

twiml_element! {
    /// SSML `<sub>`: read an alias instead of the written words.
    SsmlSub => "sub"
    attrs {
        /// What to say instead.
        alias: text = "alias";
    }
    children {}
}
constructors!(SsmlSub, text(words), "SSML `<sub>` around `words`.");

twiml_element! {
    /// SSML `<w>`: part of speech of a word.
    SsmlW => "w"
    attrs {
        /// The word's role, e.g. `amazon:VB`.
        role: text = "role";
    }
    children {
        /// Appends an SSML `<break>`.
        break_: SsmlBreak;
        /// Appends an SSML `<emphasis>`.
        emphasis: SsmlEmphasis;
        /// Appends an SSML `<phoneme>`.
        phoneme: SsmlPhoneme;
        /// Appends an SSML `<prosody>`.
        prosody: SsmlProsody;
        /// Appends an SSML `<say-as>`.
        say_as: SsmlSayAs;
        /// Appends an SSML `<sub>`.
        sub: SsmlSub;
    }
}
constructors!(SsmlW, text_or_empty(words), "SSML `<w>` around `words`.");
