//! Fuzz suites (proptest) for the code that reads untrusted input at the HTTP edge: Twilio
//! signatures and URL rebuilding, webhook bodies through the real routes, the TwiML answered
//! with request data in it, E.164 numbers and the `Range` header.
//!
//! `RAMAL_FUZZ_CASES` sets the cases per property (a tenth of it for the HTTP suite, whose
//! cases are whole exchanges); unset, each suite runs a smoke count sized for CI.
//! `scripts/fuzz` (or `just fuzz`) runs them long. Failing inputs proptest finds are kept in
//! `proptest-regressions/fuzz/` (committed) and replayed first on every run.

mod phone;
mod range;
mod signature;
mod voice_twiml;
mod webhooks;

use proptest::test_runner::Config as ProptestConfig;

/// The proptest configuration of a suite whose smoke run is `smoke_cases` cases.
fn config(smoke_cases: u32) -> ProptestConfig {
    scaled_config(smoke_cases, 1)
}

/// Like [`config`], for a suite whose cases cost far more than the others (whole HTTP
/// exchanges): it runs `RAMAL_FUZZ_CASES / divisor` cases, so a long run stays hours shorter.
fn scaled_config(smoke_cases: u32, divisor: u32) -> ProptestConfig {
    let cases = match std::env::var("RAMAL_FUZZ_CASES") {
        Ok(v) => {
            let cases: u32 = v
                .parse()
                .unwrap_or_else(|_| panic!("RAMAL_FUZZ_CASES={v:?} is not a whole number"));
            (cases / divisor).max(1)
        }
        Err(_) => smoke_cases,
    };
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}
