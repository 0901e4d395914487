//! Prints the two TwiML documents of the seed guide (sections 4.3 and 4.4), built with the typed
//! API: the outbound call placed by the browser and the inbound call to the Twilio number.
//!
//! Run with `cargo run -p twiml-builder --example seed_twiml`.

use twiml_builder::{
    CallProgressEvent, Client, Dial, DialRecord, Number, Say, TwimlError, VoiceResponse,
};

const CALLER_ID: &str = "+553123916801";
const RECORDING_STATUS: &str = "https://seu-dominio.com/api/twilio/recording-status";
const CALL_STATUS: &str = "https://seu-dominio.com/api/twilio/call-status";

/// `/api/twilio/voice`: browser -> phone, recorded from answer, with status callbacks on the
/// child leg.
fn outbound(to: &str) -> VoiceResponse<'_> {
    VoiceResponse::new().dial(
        Dial::new()
            .caller_id(CALLER_ID)
            .record(DialRecord::RecordFromAnswer)
            .recording_status_callback(RECORDING_STATUS)
            .number(
                Number::new(to)
                    .status_callback(CALL_STATUS)
                    .status_callback_event([
                        CallProgressEvent::Initiated,
                        CallProgressEvent::Ringing,
                        CallProgressEvent::Answered,
                        CallProgressEvent::Completed,
                    ]),
            ),
    )
}

/// `/api/twilio/voice-incoming`: greet in pt-BR, ring the agent's browser for 30 s, then apologise.
fn inbound(identity: &str) -> VoiceResponse<'_> {
    VoiceResponse::new()
        .say(Say::new("Aguarde enquanto conectamos sua ligação.").language("pt-BR"))
        .dial(
            Dial::new()
                .record(DialRecord::RecordFromAnswer)
                .recording_status_callback(RECORDING_STATUS)
                .timeout(30)
                .client(Client::new(identity)),
        )
        .say(Say::new("Desculpe, ninguém está disponível no momento.").language("pt-BR"))
}

fn main() -> Result<(), TwimlError> {
    println!("{}", outbound("+5531999999999").to_xml()?);
    println!("{}", inbound("user_1_Alefe_Lins").to_xml()?);
    Ok(())
}
