//! `<Pay>` (PCI-compliant card / ACH capture) and `<Prompt>`.

use crate::enums::{
    BankAccountType, CardType, Method, PayInput, PaymentMethod, PromptErrorType, PromptFor,
    TokenType,
};

use super::say::Say;
use super::simple::{Parameter, Pause, Play};

twiml_element! {
    /// `<Pay>`: collects payment details over DTMF and charges or tokenises them.
    Pay => "Pay"
    attrs {
        /// Input type.
        input: choice(PayInput) = "input";
        /// Action URL receiving the result.
        action: text = "action";
        /// ACH bank account type (requires `paymentMethod="ach-debit"`).
        bank_account_type: choice(BankAccountType) = "bankAccountType";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Seconds to wait for input.
        timeout: uint = "timeout";
        /// Attempts allowed per input.
        max_attempts: uint = "maxAttempts";
        /// Ask for the security code.
        security_code: bool = "securityCode";
        /// Ask for the postal code (`true`) or not (`false`); see also
        /// [`postal_code_default`](Self::postal_code_default).
        postal_code: bool = "postalCode";
        /// Do not ask for the postal code; send this one.
        postal_code_default: text = "postalCode";
        /// Minimum postal code length.
        min_postal_code_length: uint = "minPostalCodeLength";
        /// Payment connector unique name.
        payment_connector: text = "paymentConnector";
        /// Card or ACH debit.
        payment_method: choice(PaymentMethod) = "paymentMethod";
        /// Token type to create.
        token_type: choice(TokenType) = "tokenType";
        /// Amount to charge, as a decimal string (e.g. `10.00`); `0` or absent only tokenises.
        charge_amount: text = "chargeAmount";
        /// Currency, e.g. `brl`, `usd`.
        currency: text = "currency";
        /// Payment description.
        description: text = "description";
        /// Accepted card brands.
        valid_card_types: list(CardType) = "validCardTypes";
        /// Prompt language, e.g. `en-US`.
        language: text = "language";
    }
    children {
        /// Appends a custom `<Prompt>`.
        prompt: Prompt;
        /// Appends a connector `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(Pay, plain, "A `<Pay />` with Twilio's defaults.");

twiml_element! {
    /// `<Prompt>`: replaces one of `<Pay>`'s spoken prompts with nested `<Say>`, `<Play>`,
    /// `<Pause>`.
    Prompt => "Prompt"
    attrs {
        /// The `<Pay>` step this prompt is for (Python's `for_`).
        for_: choice(PromptFor) = "for";
        /// Errors this prompt is for.
        error_type: list(PromptErrorType) = "errorType";
        /// Card brands this prompt is for.
        card_type: list(CardType) = "cardType";
        /// Attempt numbers this prompt is for.
        attempt: uints = "attempt";
        /// Ask twice and require both inputs to match.
        require_matching_inputs: bool = "requireMatchingInputs";
    }
    children {
        /// Appends a `<Say>`.
        say: Say;
        /// Appends a `<Play>`.
        play: Play;
        /// Appends a `<Pause>`.
        pause: Pause;
    }
}
constructors!(Prompt, plain, "An empty `<Prompt>`.");
