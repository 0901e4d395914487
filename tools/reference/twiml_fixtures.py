#!/usr/bin/env python3
"""Reference TwiML fixtures for crates/twiml-builder, produced by Twilio's own helper libraries.

Run from the repository root (re-runnable, deterministic):

    tools/reference/.venv/bin/python tools/reference/twiml_fixtures.py

It writes, under crates/twiml-builder/tests/fixtures/:
  cases.json   the documents, described once in a neutral form (the CASES table below)
  python.json  name -> XML rendered by twilio-python (PyPI twilio 9.13)
  node.json    name -> XML rendered by twilio-node (npm twilio 6.3), via twiml_fixtures.mjs

Each case is a list of elements under <Response>. An element is E(method, [value], *children,
**kwargs): `method` is the twilio-python method that creates it on its parent, `value` its text
(the first positional argument), `kwargs` the Python keyword arguments. T(text) appends text after
the previous child element (SSML mixed content). G(name, value, **attrs) is the generic
add_child(). List values are space-joined before reaching Python (twilio-python would print a
list repr, which Twilio rejects); twilio-node gets the list itself and joins it.

The script fails if some method or keyword argument of twilio-python's voice_response.py is used
by no case, so the fixtures cover the whole vocabulary.
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import twilio
from twilio.twiml import TwiML
from twilio.twiml import voice_response as vr

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "crates" / "twiml-builder" / "tests" / "fixtures"

# Values reused by many cases (the seed guide's, with its placeholder domain).
CALLER_ID = "+553123916801"
PHONE = "+5531999999999"
BASE = "https://seu-dominio.com/api/twilio"
RECORDING_STATUS = BASE + "/recording-status"
CALL_STATUS = BASE + "/call-status"
PT_BR = "Olá, ligação não atendida — ação"
SPECIALS = "& < > \" ' \n \r \t end"
ALL_CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
ALL_RECORDING_EVENTS = ["in-progress", "completed", "absent"]


class E:
    """An element created by calling `method` on its parent."""

    def __init__(self, method, /, *args, **kwargs):
        if args and isinstance(args[0], str):
            self.value, self.children = args[0], list(args[1:])
        else:
            self.value, self.children = None, list(args)
        self.method, self.kwargs = method, kwargs

    def spec(self):
        out = {"method": self.method}
        if self.value is not None:
            out["value"] = self.value
        if self.kwargs:
            out["attrs"] = self.kwargs
        if self.children:
            out["children"] = [c.spec() for c in self.children]
        return out


class T:
    """Text appended after the previous child element."""

    def __init__(self, text):
        self.text = text

    def spec(self):
        return {"text": self.text}


class G(E):
    """A generic element, twilio-python's add_child(name, value, **attrs)."""

    def __init__(self, name, value=None, /, *children, **kwargs):
        super().__init__("add_child", *children, **kwargs)
        self.name, self.value = name, value

    def spec(self):
        out = super().spec()
        out["name"] = self.name
        if self.value is not None:
            out["value"] = self.value
        return out


def ssml_everything():
    """A <Say> with every SSML element, each with every attribute."""
    return E(
        "say",
        "Início ",
        E("break_", strength="x-strong", time="1s"),
        T(" depois da pausa "),
        E("emphasis", "muito", level="strong"),
        E("lang", "bonjour", xml_lang="fr-FR"),
        E("p", "Um parágrafo."),
        E("phoneme", "tomato", alphabet="ipa", ph="təˈmeɪtoʊ"),
        E("prosody", "devagar", volume="x-loud", rate="x-slow", pitch="+10%"),
        E("s", "Uma frase."),
        E("say_as", "12/25/2024", interpret_as="date", format="mdy"),
        E("sub", "W3C", alias="World Wide Web Consortium"),
        E("w", "read", role="amazon:VBD"),
        T(" fim."),
        voice="Polly.Camila",
        language="pt-BR",
        loop=2,
    )


def ssml_nested():
    """SSML containers nesting each of the children twilio-python allows them."""
    leaf = [
        E("break_", time="200ms"),
        E("emphasis", "a", level="moderate"),
        E("phoneme", "b", ph="bi"),
        E("prosody", "c", rate="fast"),
        E("say_as", "d", interpret_as="characters"),
        E("sub", "e", alias="ee"),
    ]
    return E(
        "say",
        E("prosody", *leaf, E("lang", "x", xml_lang="en-US"), E("p", "p"), E("s", "s"), E("w", "w"), pitch="low"),
        E("lang", *leaf, E("lang", "y", xml_lang="es-ES"), E("p", "p"), E("s", "s"), E("w", "w"), xml_lang="en-GB"),
        E("p", *leaf, E("lang", "z", xml_lang="it-IT"), E("s", "s"), E("w", "w")),
        E("s", *leaf, E("lang", "k", xml_lang="de-DE"), E("w", "w")),
        E("emphasis", *leaf, E("lang", "q", xml_lang="ja-JP"), E("w", "w"), level="reduced"),
        E("w", *leaf, role="amazon:NN"),
    )


def each(method, attr, values, value=None):
    """One element per enum value (catches a typo in any wire string)."""
    return [E(method, value, **{attr: v}) if value else E(method, **{attr: v}) for v in values]


CASES = {
    # Seed guide, section 4.3: /voice for calls placed by the browser.
    "seed_outbound_to_phone": [
        E(
            "dial",
            E(
                "number",
                PHONE,
                status_callback=CALL_STATUS,
                status_callback_event="initiated ringing answered completed",
            ),
            caller_id=CALLER_ID,
            record="record-from-answer",
            recording_status_callback=RECORDING_STATUS,
        )
    ],
    "seed_outbound_to_client": [E("dial", E("client", "user_2_Maria"))],
    "seed_outbound_no_destination": [E("say", "Nenhum destino informado.", language="pt-BR")],
    # Seed guide, section 4.4: /voice-incoming.
    "seed_inbound": [
        E("say", "Aguarde enquanto conectamos sua ligação.", language="pt-BR"),
        E(
            "dial",
            E("client", "user_1_Alefe_Lins"),
            record="record-from-answer",
            recording_status_callback=RECORDING_STATUS,
            timeout=30,
        ),
        E("say", "Desculpe, ninguém está disponível no momento.", language="pt-BR"),
    ],
    "empty_response": [],
    "hangup": [E("hangup")],
    "hangup_with_parameter": [E("hangup", E("parameter", name="reason", value="done"))],
    "reject_reasons": [
        E("reject"),
        *each("reject", "reason", ["rejected", "busy"]),
        E("reject", E("parameter", name="k", value="v"), reason="busy"),
    ],
    "redirect_methods": [
        E("redirect", BASE + "/next"),
        E("redirect", BASE + "/next?a=1&b=2", method="GET"),
        E("redirect", BASE + "/next", method="POST"),
    ],
    "leave_and_echo": [E("leave"), E("echo")],
    "pause_lengths": [E("pause"), E("pause", length=0), E("pause", length=5)],
    "play_variants": [
        E("play", "https://example.com/music.mp3"),
        E("play", "https://example.com/music.mp3", loop=0),
        E("play", digits="ww1234#"),
        E("play", "https://example.com/a.wav?x=1&y=2", loop=3, digits="9"),
    ],
    "say_attributes": [
        E("say", "Hello", voice="alice", loop=3, language="en-US"),
        E("say", "Olá", voice="Google.pt-BR-Standard-A", language="pt-BR", loop=0),
    ],
    "say_pt_br_non_ascii": [E("say", PT_BR, voice="Polly.Camila", language="pt-BR")],
    "say_empty_text": [E("say", ""), E("say", "0")],
    "unicode_everywhere": [
        E("say", "日本語 Ελληνικά עברית 😀 e\u0301 \u00a0nbsp \u2028 \u007f\u0085", voice="Polly.Mizuki"),
        E("dial", E("conference", "Sala de reunião ção 🎧", participant_label="Zoë 😀")),
        E("play", "https://example.com/ç/ã.mp3"),
    ],
    "escaping_text": [
        E("say", SPECIALS),
        E("dial", E("number", "+1 & <2> \"3\" '4'")),
        E("redirect", "https://x.test/a?b=1&c=<2>"),
    ],
    "escaping_attributes": [
        E("say", "x", voice=SPECIALS, language="a\r\nb\n\nc\t\td"),
        E("dial", E("client", E("identity", "id"), E("parameter", name=SPECIALS, value=SPECIALS)), caller_id="\"quoted\" & 'single'"),
    ],
    "escaping_entities_look_alike": [
        E("say", "&amp; &lt; &#10; &#x41; ]]> <![CDATA[x]]>", voice="&quot;&amp;"),
    ],
    "ssml_every_element": [ssml_everything()],
    "ssml_nested_containers": [ssml_nested()],
    "ssml_enum_values": [
        E("say", *each("break_", "strength", ["none", "x-weak", "weak", "medium", "strong", "x-strong"])),
        E("say", *[E("emphasis", "e", level=v) for v in ["strong", "moderate", "reduced"]]),
        E("say", *[E("phoneme", "p", alphabet=v) for v in ["ipa", "x-sampa", "x-amazon-jyutping", "x-amazon-pinyin", "x-amazon-pron-kana", "x-amazon-yomigana"]]),
        E("say", *[E("say_as", "s", interpret_as=v) for v in ["characters", "spell-out", "cardinal", "number", "ordinal", "digits", "fraction", "unit", "date", "time", "address", "expletive", "telephone"]]),
        E("say", *[E("say_as", "s", interpret_as="date", format=v) for v in ["mdy", "dmy", "ymd", "md", "dm", "ym", "my", "d", "m", "y", "yyyymmdd"]]),
    ],
    "gather_nested_say_play_pause": [
        E(
            "gather",
            E("say", "Digite o número do pedido.", language="pt-BR"),
            E("pause", length=1),
            E("play", "https://example.com/beep.mp3"),
            E("say", "Ou fale.", voice="Polly.Camila"),
            action=BASE + "/gather",
            method="POST",
            num_digits=6,
            finish_on_key="#",
            timeout=10,
        ),
        E("say", "Não recebemos nada."),
    ],
    "gather_every_attribute": [
        E(
            "gather",
            input="dtmf speech",
            action="/g",
            method="GET",
            timeout=0,
            speech_timeout="auto",
            max_speech_time=60,
            profanity_filter=False,
            finish_on_key="",
            num_digits=1,
            partial_result_callback="/partial",
            partial_result_callback_method="POST",
            language="pt-BR",
            hints="boleto, segunda via, $OOV_CLASS_DIGIT_SEQUENCE",
            barge_in=True,
            debug=False,
            action_on_empty_result=True,
            speech_model="phone_call",
            enhanced=True,
        )
    ],
    "gather_inputs_and_speech_timeout": [
        E("gather", input="dtmf"),
        E("gather", input="speech", speech_timeout=3),
        E("gather", input="speech dtmf", speech_timeout=0),
    ],
    "record_every_attribute": [
        E(
            "record",
            action="/recorded",
            method="POST",
            timeout=5,
            finish_on_key="*#",
            max_length=3600,
            play_beep=False,
            trim="do-not-trim",
            recording_status_callback=RECORDING_STATUS,
            recording_status_callback_method="GET",
            recording_status_callback_event=ALL_RECORDING_EVENTS,
            transcribe=True,
            transcribe_callback="/transcribed",
            recording_configuration_id="JY123",
        ),
        E("record", trim="trim-silence"),
    ],
    "dial_every_attribute": [
        E(
            "dial",
            E("number", PHONE),
            action="/dial-done",
            method="GET",
            timeout=25,
            hangup_on_star=True,
            time_limit=14400,
            caller_id=CALLER_ID,
            record="record-from-ringing-dual",
            trim="trim-silence",
            recording_status_callback=RECORDING_STATUS,
            recording_configuration_id="JY456",
            recording_status_callback_method="POST",
            recording_status_callback_event=["in-progress", "completed"],
            answer_on_bridge=True,
            ring_tone="br",
            recording_track="inbound",
            sequential=False,
            refer_url="/refer",
            refer_method="POST",
            events="call-progress-event",
            passports="eyJhbGciOi,eyJzaGFrZW4",
        )
    ],
    "dial_record_values": each(
        "dial",
        "record",
        ["do-not-record", "record-from-answer", "record-from-ringing", "record-from-answer-dual", "record-from-ringing-dual"],
        value=PHONE,
    ),
    "dial_ring_tones": each(
        "dial",
        "ring_tone",
        ["at", "au", "bg", "br", "be", "ch", "cl", "cn", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hu", "il", "in", "it",
         "lt", "jp", "mx", "my", "nl", "no", "nz", "ph", "pl", "pt", "ru", "se", "sg", "th", "uk", "us", "us-old", "tw", "ve", "za"],
        value=PHONE,
    ),
    "dial_recording_tracks_and_trims": [
        *each("dial", "recording_track", ["both", "inbound", "outbound"], value=PHONE),
        *each("dial", "trim", ["trim-silence", "do-not-trim"], value=PHONE),
    ],
    "dial_text_number": [E("dial", PHONE, timeout=20)],
    "dial_sequential_numbers": [
        E(
            "dial",
            E("number", "+5531911111111", send_digits="ww123"),
            E("number", "+5531922222222", status_callback_event=["answered"]),
            E("number", "+5531933333333", status_callback_event=[]),
            sequential=True,
        )
    ],
    "number_every_attribute": [
        E(
            "dial",
            E(
                "number",
                PHONE,
                send_digits="wwww1928",
                url="/whisper",
                method="GET",
                status_callback_event=ALL_CALL_EVENTS,
                status_callback=CALL_STATUS,
                status_callback_method="POST",
                byoc="BY0123456789abcdef0123456789abcdef",
                machine_detection="DetectMessageEnd",
                amd_status_callback_method="GET",
                amd_status_callback="/amd",
                machine_detection_timeout=30,
                machine_detection_speech_threshold=2400,
                machine_detection_speech_end_threshold=1200,
                machine_detection_silence_timeout=5000,
            ),
            E("number", "+15005550006", machine_detection="Enable"),
        )
    ],
    "client_identity_parameters": [
        E(
            "dial",
            E(
                "client",
                E("identity", "user_1_Alefe_Lins"),
                E("parameter", name="FirstName", value="Álefe"),
                E("parameter", name="Ticket", value="#42 & <urgent>"),
                url="/client-whisper",
                method="POST",
                status_callback_event=["initiated", "completed"],
                status_callback=CALL_STATUS,
                status_callback_method="GET",
            ),
            E("client", "user_2_Maria", status_callback_event=ALL_CALL_EVENTS),
        )
    ],
    "conference_every_attribute": [
        E(
            "dial",
            E(
                "conference",
                "Sala 1",
                muted=False,
                beep="onEnter",
                start_conference_on_enter=True,
                end_conference_on_exit=False,
                wait_url="http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical",
                wait_method="GET",
                max_participants=10,
                record="record-from-start",
                recording_configuration_id="JY789",
                region="br1",
                coach="CA0123456789abcdef0123456789abcdef",
                trim="do-not-trim",
                status_callback_event=["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"],
                status_callback="/conf-status",
                status_callback_method="POST",
                recording_status_callback=RECORDING_STATUS,
                recording_status_callback_method="GET",
                recording_status_callback_event=ALL_RECORDING_EVENTS,
                event_callback_url="/conf-events",
                jitter_buffer_size="small",
                participant_label="agente-1",
            )
        )
    ],
    "conference_enum_values": [
        *[E("dial", E("conference", "c", beep=v)) for v in ["true", "false", "onEnter", "onExit"]],
        *[E("dial", E("conference", "c", jitter_buffer_size=v)) for v in ["large", "medium", "small", "off"]],
        *[E("dial", E("conference", "c", region=v)) for v in ["us1", "us2", "ie1", "sg1", "br1", "au1", "jp1", "de1"]],
        *[E("dial", E("conference", "c", record=v)) for v in ["do-not-record", "record-from-start"]],
    ],
    "queue_in_dial": [
        E(
            "dial",
            E("queue", "suporte", url="/about-to-connect", method="GET", reservation_sid="WR123", post_work_activity_sid="WA456"),
        )
    ],
    "queue_top_level": [E("queue", "fila", url="/q")],
    "sip_every_attribute": [
        E(
            "dial",
            E(
                "sip",
                "sip:agent@example.com;transport=tls?X-Ticket=1&X-Other=2",
                username="admin",
                password="p@ss\"word",
                url="/sip-whisper",
                method="POST",
                status_callback_event=ALL_CALL_EVENTS,
                status_callback=CALL_STATUS,
                status_callback_method="GET",
                machine_detection="Enable",
                amd_status_callback_method="POST",
                amd_status_callback="/amd",
                machine_detection_timeout=10,
                machine_detection_speech_threshold=1000,
                machine_detection_speech_end_threshold=500,
                machine_detection_silence_timeout=3000,
            )
        )
    ],
    "sip_uris_and_headers": [
        E(
            "dial",
            E(
                "sip",
                E("uri", "sip:a@example.com", priority=1, weight=10, username="u", password="p"),
                E("uri", "sip:b@example.com", priority=2),
                E("headers", E("header", name="X-Ticket", value="42"), E("header", name="X-Name", value="Olá & <bem-vindo>")),
            )
        )
    ],
    "sim": [E("dial", E("sim", "DE8caa2afb9d5279926619c458dc7098a8"))],
    "application_sid_and_parameters": [
        E(
            "dial",
            E(
                "application",
                E("application_sid", "AP0123456789abcdef0123456789abcdef"),
                E("parameter", name="AccountNumber", value="12345"),
                url="/app",
                method="GET",
                status_callback_event=ALL_CALL_EVENTS,
                status_callback=CALL_STATUS,
                status_callback_method="POST",
                customer_id="customer-1",
                copy_parent_to=True,
            )
        ),
        E("dial", E("application", "AP0123456789abcdef0123456789abcdef", copy_parent_to=False)),
    ],
    "whatsapp": [
        E(
            "dial",
            E(
                "whats_app",
                "+5531988887777",
                url="/wa",
                method="POST",
                status_callback_event=["ringing", "answered"],
                status_callback=CALL_STATUS,
                status_callback_method="GET",
            )
        )
    ],
    "enqueue_with_task": [
        E(
            "enqueue",
            E("task", json.dumps({"selected_language": "pt-BR", "prioridade": "alta"}, ensure_ascii=False), priority=5, timeout=200),
            workflow_sid="WW0123456789abcdef0123456789abcdef",
        )
    ],
    "enqueue_every_attribute": [
        E(
            "enqueue",
            "suporte",
            action="/left-queue",
            max_queue_size=50,
            method="GET",
            wait_url="/wait-music",
            wait_url_method="POST",
        )
    ],
    "start_stream_with_parameters": [
        E(
            "start",
            E(
                "stream",
                E("parameter", name="agent", value="user_1"),
                E("parameter", name="lang", value="pt-BR"),
                name="fluxo-1",
                connector_name="conn",
                url="wss://example.com/audio",
                track="both_tracks",
                status_callback="/stream-status",
                status_callback_method="GET",
                audio_format="audio/x-mulaw",
                sample_rate="8000",
            ),
            action="/started",
            method="POST",
        ),
        E("say", "O fluxo começou."),
    ],
    "start_siprec_transcription_recording": [
        E(
            "start",
            E(
                "siprec",
                E("parameter", name="customer", value="42"),
                name="rec-1",
                connector_name="SiprecConnector",
                track="inbound_track",
                status_callback="/siprec",
                status_callback_method="POST",
            ),
            E(
                "transcription",
                E("config", name="model", value="long"),
                E("parameter", name="agent", value="Álefe"),
                name="tr-1",
                track="outbound_track",
                status_callback_url="/transcription",
                status_callback_method="GET",
                inbound_track_label="cliente",
                outbound_track_label="agente",
                partial_results=True,
                language_code="pt-BR",
                transcription_engine="google",
                profanity_filter=False,
                speech_model="telephony",
                hints="boleto, pix",
                enable_automatic_punctuation=True,
                intelligence_service="GA0123",
            ),
            E(
                "recording",
                recording_status_callback=RECORDING_STATUS,
                recording_status_callback_method="POST",
                recording_status_callback_event=ALL_RECORDING_EVENTS,
                trim="trim-silence",
                track="both",
                channels="dual",
                recording_configuration_id="JY000",
            ),
            E("recording", track="inbound", channels="mono"),
            E("recording", track="outbound"),
        )
    ],
    "stop_everything": [
        E(
            "stop",
            E("stream", name="fluxo-1"),
            E("siprec", name="rec-1"),
            E("transcription", name="tr-1"),
        )
    ],
    "connect_stream_and_room": [
        E("connect", E("stream", E("parameter", name="x", value="1"), url="wss://example.com/bi"), action="/after", method="GET"),
        E("connect", E("room", "sala-de-video", participant_identity="alice")),
    ],
    "connect_autopilot_and_ai": [
        E("connect", E("autopilot", "UA0123456789abcdef")),
        E("connect", E("ai_session", ai_connector="connector-1", ai_session_configuration="cfg-1")),
        E("connect", E("conversation_relay_session", connector="crs-1", session_configuration="cfg-2")),
    ],
    "connect_virtual_agent": [
        E(
            "connect",
            E(
                "virtual_agent",
                E("config", name="language", value="pt-br"),
                E("parameter", name="customer_name", value="Maria"),
                connector_name="dialogflow-cx",
                language="pt-BR",
                sentiment_analysis=True,
                status_callback="/va-status",
                status_callback_method="POST",
            ),
            action="/va-done",
        )
    ],
    "connect_conversation": [
        E(
            "connect",
            E(
                "conversation",
                service_instance_sid="IS0123456789abcdef0123456789abcdef",
                inbound_autocreation=True,
                routing_assignment_timeout=30,
                inbound_timeout=60,
                url="/conv",
                method="GET",
                record="record-from-answer-dual",
                trim="do-not-trim",
                recording_status_callback=RECORDING_STATUS,
                recording_status_callback_method="POST",
                recording_status_callback_event=["completed"],
                status_callback="/conv-status",
                status_callback_method="GET",
                status_callback_event=["call-initiated", "call-ringing", "call-answered", "call-completed"],
            )
        ),
        E("connect", E("conversation", record="true")),
    ],
    "connect_conversation_relay": [
        E(
            "connect",
            E(
                "conversation_relay",
                E(
                    "language",
                    code="pt-BR",
                    tts_provider="Google",
                    voice="pt-BR-Chirp3-HD-Aoede",
                    transcription_provider="Deepgram",
                    speech_model="nova-3-general",
                    hints="boleto, pix",
                    asr_smart_format=True,
                    tts_text_normalization="on",
                    tts_language_text_normalization=False,
                ),
                E("language", code="en-US", tts_provider="ElevenLabs"),
                E("parameter", name="caller", value="+5531999999999"),
                url="wss://example.com/relay",
                language="pt-BR",
                tts_language="pt-BR",
                transcription_language="pt-BR",
                tts_provider="Google",
                voice="pt-BR-Standard-A",
                transcription_provider="Google",
                speech_model="telephony",
                profanity_filter=True,
                dtmf_detection=True,
                welcome_greeting="Olá! Como posso ajudar?",
                partial_prompts=False,
                welcome_greeting_interruptible="speech",
                interruptible="any",
                preemptible=True,
                hints="segunda via",
                intelligence_service="GA123",
                report_input_during_agent_speech=False,
                elevenlabs_text_normalization="auto",
                interrupt_sensitivity="high",
                debug="debugging speaker-events tokens-played",
                backgroundNoiseReduction=True,
                speechTimeout="800",
                deepgramSmartFormat=False,
                ignoreBackchannel=True,
                events="agent-speech",
                partial_prompt_on_hangup=True,
                eager_eot_threshold="0.5",
                asr_smart_format=True,
                tts_text_normalization="off",
                tts_language_text_normalization=True,
                elevenlabs_language_text_normalization=False,
                include_in_prompt="turn-state",
                customer_name="Maria",
                application_reconnect=True,
                echo_prompt_filtering=True,
                turn_detection=False,
            ),
            action="/relay-done",
            method="POST",
        )
    ],
    "conversation_relay_enum_values": [
        *[E("connect", E("conversation_relay", url="wss://x", interruptible=v, welcome_greeting_interruptible=v)) for v in ["none", "dtmf", "speech", "any"]],
        *[E("connect", E("conversation_relay", url="wss://x", interrupt_sensitivity=v, tts_text_normalization=t)) for v, t in [("low", "auto"), ("medium", "on"), ("high", "off")]],
    ],
    "pay_every_attribute": [
        E(
            "pay",
            E(
                "prompt",
                E("say", "Digite o número do cartão.", language="pt-BR"),
                E("pause", length=1),
                E("play", "https://example.com/card.mp3"),
                for_="payment-card-number",
                error_type=["timeout", "invalid-card-number"],
                card_type=["visa", "amex"],
                attempt=[1, 2],
                require_matching_inputs=True,
            ),
            E("parameter", name="invoice", value="INV-1"),
            input="dtmf",
            action="/paid",
            status_callback="/pay-status",
            status_callback_method="GET",
            timeout=5,
            max_attempts=3,
            security_code=True,
            postal_code=False,
            min_postal_code_length=5,
            payment_connector="Default_Stripe",
            payment_method="credit-card",
            token_type="reusable",
            charge_amount="10.50",
            currency="brl",
            description="Pedido #42 — ação",
            valid_card_types=["visa", "mastercard", "amex", "maestro", "discover", "optima", "jcb", "diners-club", "enroute"],
            language="en-US",
        )
    ],
    "pay_ach_and_postal_code_default": [
        E("pay", payment_method="ach-debit", bank_account_type="consumer-checking", token_type="one-time", postal_code="94105"),
        *each("pay", "bank_account_type", ["consumer-savings", "commercial-checking", "commercial-savings"]),
        E("pay", token_type="payment-method", postal_code=True),
    ],
    "prompt_enum_values": [
        E("pay", *[E("prompt", for_=v) for v in ["payment-card-number", "expiration-date", "security-code", "postal-code", "payment-processing", "bank-account-number", "bank-routing-number"]]),
        E("pay", E("prompt", error_type=["timeout", "invalid-card-number", "invalid-card-type", "invalid-date", "invalid-security-code", "internal-error", "input-matching-failed"], attempt=[3])),
    ],
    "prompt_top_level": [E("prompt", E("say", "Olá"), for_="expiration-date")],
    "refer_sip": [E("refer", E("sip", "sip:transfer@example.com?X-Reason=busy"), action="/referred", method="GET")],
    "sms": [E("sms", PT_BR, to="+5531988887777", from_=CALLER_ID, action="/sms-done", method="POST", status_callback="/sms-status")],
    "methods_everywhere": [
        E("dial", E("number", PHONE, method="POST", status_callback_method="GET", amd_status_callback_method="POST"), method="GET", recording_status_callback_method="POST", refer_method="GET"),
        E("enqueue", "q", method="POST", wait_url_method="GET"),
    ],
    "booleans_and_zeros": [
        E("dial", PHONE, hangup_on_star=False, answer_on_bridge=False, timeout=0, time_limit=0),
        E("record", play_beep=True, transcribe=False, max_length=0),
        E("gather", barge_in=False, profanity_filter=True, num_digits=0),
    ],
    "generic_child_and_unknown_attributes": [
        G("FutureVerb", "conteúdo & <mais>", newAttribute="1", other_attr="&\"x\""),
        E("say", "Olá", language="pt-BR", futureAttribute="x<y"),
        E("dial", G("FutureNoun", None, G("Deep", "inner", level="2"), kind="a"), E("number", PHONE, customThing="yes")),
    ],
    "raw_enum_values": [
        E("dial", PHONE, record="record-from-future-mode", ring_tone="xx"),
        E("dial", E("number", PHONE, status_callback_event=["initiated", "future-event"])),
        E("reject", reason="some-new-reason"),
    ],
    "browser_to_browser_with_status": [
        E(
            "dial",
            E("client", "user_7_João", status_callback=CALL_STATUS, status_callback_event=ALL_CALL_EVENTS, status_callback_method="POST"),
            caller_id="client:user_1_Alefe_Lins",
            answer_on_bridge=True,
            record="record-from-answer-dual",
            recording_status_callback=RECORDING_STATUS,
            recording_status_callback_event=["completed", "absent"],
        )
    ],
    "ivr_menu": [
        E(
            "gather",
            E("say", "Para vendas, digite 1. Para suporte, digite 2.", language="pt-BR", voice="Polly.Camila"),
            input="dtmf speech",
            num_digits=1,
            action="/menu",
            hints="vendas, suporte",
            language="pt-BR",
        ),
        E("redirect", "/menu?retry=1", method="POST"),
    ],
    # The larger document of benches/render.rs and twiml_bench.py.
    "bench_large_document": [
        E("say", PT_BR, voice="Polly.Camila", language="pt-BR"),
        E(
            "gather",
            E(
                "say",
                "Para vendas, digite 1. Para suporte & <ajuda>, digite 2.",
                E("break_", time="500ms"),
                E("emphasis", "Obrigado!", level="strong"),
                language="pt-BR",
            ),
            E("play", "https://example.com/menu.mp3"),
            E("pause", length=2),
            input=["dtmf", "speech"],
            action=BASE + "/menu",
            num_digits=1,
            timeout=5,
            language="pt-BR",
            hints="vendas, suporte, financeiro",
        ),
        E(
            "dial",
            *[E("number", f"+553199999000{i}", status_callback=CALL_STATUS, status_callback_event=ALL_CALL_EVENTS) for i in range(5)],
            E("client", E("identity", "user_1_Alefe_Lins"), E("parameter", name="ticket", value='42 & "urgent"')),
            caller_id=CALLER_ID,
            record="record-from-answer",
            recording_status_callback=RECORDING_STATUS,
            answer_on_bridge=True,
            timeout=30,
        ),
        E("say", "Desculpe, ninguém está disponível no momento.", language="pt-BR"),
        E("record", max_length=120, finish_on_key="#", recording_status_callback=RECORDING_STATUS, trim="trim-silence"),
        E("hangup"),
    ],
    "voicemail": [
        E("say", "Deixe sua mensagem após o sinal.", language="pt-BR"),
        E("record", max_length=120, finish_on_key="#", play_beep=True, recording_status_callback=RECORDING_STATUS, trim="trim-silence"),
        E("say", "Nenhuma mensagem gravada. Tchau!", language="pt-BR"),
        E("hangup"),
    ],
}


def build_python(parent, node):
    """Builds `node` under `parent` with twilio-python's own methods."""
    kwargs = {k: (" ".join(str(x) for x in v) if isinstance(v, list) else v) for k, v in node.kwargs.items()}
    if isinstance(node, G):
        child = parent.add_child(node.name, node.value, **kwargs)
    else:
        args = [node.value] if node.value is not None else []
        child = getattr(parent, node.method)(*args, **kwargs)
    previous_was_element = False
    for item in node.children:
        if isinstance(item, T):
            # twilio-python sets `tail` on the last child, so text must follow an element and a
            # second text would overwrite the first: refuse such a case rather than record a bug.
            if not previous_was_element:
                raise ValueError(f"T({item.text!r}) must follow an element in {node.method}")
            child.append(item.text)
            previous_was_element = False
        else:
            build_python(child, item)
            previous_was_element = True
    return child


def render_python(elements):
    response = vr.VoiceResponse()
    for element in elements:
        build_python(response, element)
    return str(response)


def vocabulary():
    """Every (parent class, factory method) of voice_response.py, and every (created class,
    parameter): attributes belong to the element, whichever parent creates it."""
    methods, params = set(), set()
    for cls_name, cls in inspect.getmembers(vr, inspect.isclass):
        if not issubclass(cls, TwiML) or cls.__module__ != vr.__name__:
            continue
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or fn.__qualname__.split(".")[0] != cls_name:
                continue
            methods.add((cls_name, name))
            created = _created_class(cls, name).__name__
            for p in list(inspect.signature(fn).parameters.values())[1:]:
                if p.kind != p.VAR_KEYWORD:
                    params.add((created, p.name))
    return methods, params


def used(elements):
    """The (parent class, method) and (created class, parameter) pairs the cases exercise."""
    methods, params = set(), set()

    def walk(parent_cls, node):
        if isinstance(node, T):
            return
        if isinstance(node, G):
            child_cls = vr.TwiML
        else:
            fn = getattr(parent_cls, node.method)
            signature = list(inspect.signature(fn).parameters)[1:]
            methods.add((parent_cls.__name__, node.method))
            child_cls = _created_class(parent_cls, node.method)
            if node.value is not None:
                params.add((child_cls.__name__, signature[0]))
            for k in node.kwargs:
                params.add((child_cls.__name__, k))
        for item in node.children:
            walk(child_cls, item)

    for case in elements:
        for element in case:
            walk(vr.VoiceResponse, element)
    return methods, params


def _created_class(parent_cls, method):
    """The class a twilio-python factory method instantiates (found by calling it)."""
    fn = getattr(parent_cls, method)
    sig = inspect.signature(fn)
    required = [p for p in list(sig.parameters.values())[1:] if p.default is p.empty and p.kind != p.VAR_KEYWORD]
    probe = parent_cls.__new__(parent_cls)
    TwiML.__init__(probe)
    return type(fn(probe, *["x"] * len(required)))


def check_coverage():
    all_methods, all_params = vocabulary()
    used_methods, used_params = used(CASES.values())
    missing = sorted(all_methods - used_methods) + sorted(all_params - used_params)
    if missing:
        sys.exit("twiml_fixtures.py: no case uses " + ", ".join(".".join(m) for m in missing))
    return len(all_methods), len(all_params)


def write_json(path, data, sort_keys=True):
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=sort_keys)
    path.write_text(text + "\n", encoding="utf-8")


def main():
    methods, params = check_coverage()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    cases = {name: [e.spec() for e in elements] for name, elements in CASES.items()}
    # Keyword order kept: twilio-node emits attributes in the order it gets them.
    write_json(FIXTURES / "cases.json", {"generator": "tools/reference/twiml_fixtures.py", "cases": cases}, sort_keys=False)
    rendered = {name: render_python(elements) for name, elements in CASES.items()}
    write_json(FIXTURES / "python.json", {"library": f"twilio-python {twilio.__version__}", "documents": rendered})
    print(f"python.json: {len(rendered)} documents (twilio-python {twilio.__version__}); "
          f"vocabulary covered: {methods} methods, {params} parameters")
    if "--no-node" not in sys.argv:
        subprocess.run(["node", str(HERE / "twiml_fixtures.mjs")], check=True)


if __name__ == "__main__":
    main()
