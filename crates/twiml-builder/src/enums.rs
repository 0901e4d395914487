//! Attribute values Twilio lists, one enum per list (wire strings from twilio-python 9.13's
//! docstrings and the value lists shipped in twilio-node 6.3's type definitions).
//!
//! All enums are `#[non_exhaustive]`: Twilio adds values. Until this crate has a variant for a new
//! value, pass it with [`Raw`](crate::Raw). Voices, languages and speech models are plain strings
//! because Twilio's catalogues of those change every month.

twiml_enum! {
    /// HTTP method Twilio uses for a callback or action URL.
    Method { Get = "GET", Post = "POST" }
}

twiml_enum! {
    /// Call progress events of `<Number>`, `<Client>`, `<Sip>`, `<Application>` and `<WhatsApp>`
    /// (`statusCallbackEvent`). `answered` arrives as `CallStatus=in-progress`.
    CallProgressEvent {
        Initiated = "initiated",
        Ringing = "ringing",
        Answered = "answered",
        Completed = "completed",
    }
}

twiml_enum! {
    /// Recording status events (`recordingStatusCallbackEvent` of `<Dial>`, `<Record>`,
    /// `<Conference>`, `<Conversation>` and `<Recording>`).
    RecordingEvent { InProgress = "in-progress", Completed = "completed", Absent = "absent" }
}

twiml_enum! {
    /// Conference events (`statusCallbackEvent` of `<Conference>`).
    ConferenceEvent {
        Start = "start",
        End = "end",
        Join = "join",
        Leave = "leave",
        Mute = "mute",
        Hold = "hold",
        Modify = "modify",
        Speaker = "speaker",
        Announcement = "announcement",
    }
}

twiml_enum! {
    /// Events of `<Connect><Conversation>` (`statusCallbackEvent`).
    ConversationEvent {
        CallInitiated = "call-initiated",
        CallRinging = "call-ringing",
        CallAnswered = "call-answered",
        CallCompleted = "call-completed",
    }
}

twiml_enum! {
    /// Recording mode of `<Dial record>`.
    DialRecord {
        DoNotRecord = "do-not-record",
        RecordFromAnswer = "record-from-answer",
        RecordFromRinging = "record-from-ringing",
        RecordFromAnswerDual = "record-from-answer-dual",
        RecordFromRingingDual = "record-from-ringing-dual",
    }
}

twiml_enum! {
    /// Recording mode of `<Connect><Conversation record>`: the `<Dial>` modes plus legacy booleans.
    ConversationRecord {
        DoNotRecord = "do-not-record",
        RecordFromAnswer = "record-from-answer",
        RecordFromRinging = "record-from-ringing",
        RecordFromAnswerDual = "record-from-answer-dual",
        RecordFromRingingDual = "record-from-ringing-dual",
        True = "true",
        False = "false",
    }
}

twiml_enum! {
    /// Recording mode of `<Conference record>`.
    ConferenceRecord { DoNotRecord = "do-not-record", RecordFromStart = "record-from-start" }
}

twiml_enum! {
    /// Whether to trim leading and trailing silence from a recording (`trim`).
    Trim { TrimSilence = "trim-silence", DoNotTrim = "do-not-trim" }
}

twiml_enum! {
    /// Which audio to record (`recordingTrack` of `<Dial>`, `track` of `<Recording>`).
    RecordingTrack { Both = "both", Inbound = "inbound", Outbound = "outbound" }
}

twiml_enum! {
    /// Channels of a `<Start><Recording>`.
    RecordingChannels { Mono = "mono", Dual = "dual" }
}

twiml_enum! {
    /// Event subscriptions of `<Dial events>`.
    DialEvents { CallProgressEvent = "call-progress-event" }
}

twiml_enum! {
    /// Country ringback tone played while `<Dial>` rings (`ringTone`).
    RingTone {
        At = "at", Au = "au", Bg = "bg", Br = "br", Be = "be", Ch = "ch", Cl = "cl", Cn = "cn",
        Cz = "cz", De = "de", Dk = "dk", Ee = "ee", Es = "es", Fi = "fi", Fr = "fr", Gr = "gr",
        Hu = "hu", Il = "il", In = "in", It = "it", Lt = "lt", Jp = "jp", Mx = "mx", My = "my",
        Nl = "nl", No = "no", Nz = "nz", Ph = "ph", Pl = "pl", Pt = "pt", Ru = "ru", Se = "se",
        Sg = "sg", Th = "th", Uk = "uk", Us = "us", UsOld = "us-old", Tw = "tw", Ve = "ve",
        Za = "za",
    }
}

twiml_enum! {
    /// Input `<Gather>` accepts (`input`, a list).
    GatherInput { Dtmf = "dtmf", Speech = "speech" }
}

twiml_enum! {
    /// Why `<Reject>` refuses the call.
    RejectReason { Rejected = "rejected", Busy = "busy" }
}

twiml_enum! {
    /// Answering machine detection mode (`machineDetection` of `<Number>` and `<Sip>`).
    MachineDetection { Enable = "Enable", DetectMessageEnd = "DetectMessageEnd" }
}

twiml_enum! {
    /// `beep` of `<Conference>`.
    ConferenceBeep { True = "true", False = "false", OnEnter = "onEnter", OnExit = "onExit" }
}

twiml_enum! {
    /// `jitterBufferSize` of `<Conference>`.
    JitterBufferSize { Large = "large", Medium = "medium", Small = "small", Off = "off" }
}

twiml_enum! {
    /// Region where a `<Conference>` is mixed.
    ConferenceRegion {
        Us1 = "us1", Us2 = "us2", Ie1 = "ie1", Sg1 = "sg1", Br1 = "br1", Au1 = "au1", Jp1 = "jp1",
        De1 = "de1",
    }
}

twiml_enum! {
    /// Audio track of `<Stream>`, `<Siprec>` and `<Transcription>`.
    StreamTrack {
        InboundTrack = "inbound_track",
        OutboundTrack = "outbound_track",
        BothTracks = "both_tracks",
    }
}

twiml_enum! {
    /// Input `<Pay>` accepts.
    PayInput { Dtmf = "dtmf" }
}

twiml_enum! {
    /// `bankAccountType` of `<Pay>` (ACH debit).
    BankAccountType {
        ConsumerChecking = "consumer-checking",
        ConsumerSavings = "consumer-savings",
        CommercialChecking = "commercial-checking",
        CommercialSavings = "commercial-savings",
    }
}

twiml_enum! {
    /// `paymentMethod` of `<Pay>`.
    PaymentMethod { AchDebit = "ach-debit", CreditCard = "credit-card" }
}

twiml_enum! {
    /// `tokenType` of `<Pay>`.
    TokenType { OneTime = "one-time", Reusable = "reusable", PaymentMethod = "payment-method" }
}

twiml_enum! {
    /// Card brands (`validCardTypes` of `<Pay>`, `cardType` of `<Prompt>`).
    CardType {
        Visa = "visa",
        Mastercard = "mastercard",
        Amex = "amex",
        Maestro = "maestro",
        Discover = "discover",
        Optima = "optima",
        Jcb = "jcb",
        DinersClub = "diners-club",
        Enroute = "enroute",
    }
}

twiml_enum! {
    /// Errors a `<Prompt>` applies to (`errorType`).
    PromptErrorType {
        Timeout = "timeout",
        InvalidCardNumber = "invalid-card-number",
        InvalidCardType = "invalid-card-type",
        InvalidDate = "invalid-date",
        InvalidSecurityCode = "invalid-security-code",
        InternalError = "internal-error",
        InputMatchingFailed = "input-matching-failed",
    }
}

twiml_enum! {
    /// Which `<Pay>` step a `<Prompt>` replaces (`for`).
    PromptFor {
        PaymentCardNumber = "payment-card-number",
        ExpirationDate = "expiration-date",
        SecurityCode = "security-code",
        PostalCode = "postal-code",
        PaymentProcessing = "payment-processing",
        BankAccountNumber = "bank-account-number",
        BankRoutingNumber = "bank-routing-number",
    }
}

twiml_enum! {
    /// `strength` of SSML `<break>`.
    BreakStrength {
        None = "none",
        XWeak = "x-weak",
        Weak = "weak",
        Medium = "medium",
        Strong = "strong",
        XStrong = "x-strong",
    }
}

twiml_enum! {
    /// `level` of SSML `<emphasis>`.
    EmphasisLevel { Strong = "strong", Moderate = "moderate", Reduced = "reduced" }
}

twiml_enum! {
    /// `alphabet` of SSML `<phoneme>`.
    PhonemeAlphabet {
        Ipa = "ipa",
        XSampa = "x-sampa",
        XAmazonJyutping = "x-amazon-jyutping",
        XAmazonPinyin = "x-amazon-pinyin",
        XAmazonPronKana = "x-amazon-pron-kana",
        XAmazonYomigana = "x-amazon-yomigana",
    }
}

twiml_enum! {
    /// `interpret-as` of SSML `<say-as>`.
    InterpretAs {
        Characters = "characters",
        SpellOut = "spell-out",
        Cardinal = "cardinal",
        Number = "number",
        Ordinal = "ordinal",
        Digits = "digits",
        Fraction = "fraction",
        Unit = "unit",
        Date = "date",
        Time = "time",
        Address = "address",
        Expletive = "expletive",
        Telephone = "telephone",
    }
}

twiml_enum! {
    /// `format` of SSML `<say-as interpret-as="date">`.
    SayAsFormat {
        Mdy = "mdy", Dmy = "dmy", Ymd = "ymd", Md = "md", Dm = "dm", Ym = "ym", My = "my",
        D = "d", M = "m", Y = "y", Yyyymmdd = "yyyymmdd",
    }
}

twiml_enum! {
    /// What may interrupt `<ConversationRelay>` speech (`interruptible`,
    /// `welcomeGreetingInterruptible`). Legacy `true`/`false` mean `any`/`none`.
    Interruptible { None = "none", Dtmf = "dtmf", Speech = "speech", Any = "any" }
}

twiml_enum! {
    /// `interruptSensitivity` of `<ConversationRelay>`.
    InterruptSensitivity { Low = "low", Medium = "medium", High = "high" }
}

twiml_enum! {
    /// Text normalisation switch of `<ConversationRelay>` and `<Language>`.
    TextNormalization { Auto = "auto", On = "on", Off = "off" }
}
