#!/usr/bin/env python3
"""Times twilio-python building and rendering the documents of crates/twiml-builder/benches/render.rs.

    tools/reference/.venv/bin/python tools/reference/twiml_bench.py [--runs N]

Prints one line per document, `<name> <best ns per document>`, the best of N timeit runs (the
least disturbed one, as timeit's documentation recommends). Each builder is written the way an
application would write it (the seed guide's code for the outbound call), not through the fixture
generator's interpreter, and is first checked against the committed python.json fixture so both
sides time the very same bytes.
"""

import argparse
import json
import timeit
from pathlib import Path

from twilio.twiml.voice_response import Client, Dial, Gather, VoiceResponse

FIXTURES = Path(__file__).resolve().parent.parent.parent / "crates" / "twiml-builder" / "tests" / "fixtures"

CALLER_ID = "+553123916801"
RECORDING_STATUS = "https://seu-dominio.com/api/twilio/recording-status"
CALL_STATUS = "https://seu-dominio.com/api/twilio/call-status"
EVENTS = "initiated ringing answered completed"


def seed_outbound(to):
    """The seed guide's /voice answer (section 4.3), verbatim."""
    response = VoiceResponse()
    dial = Dial(caller_id=CALLER_ID, record="record-from-answer", recording_status_callback=RECORDING_STATUS)
    dial.number(to, status_callback=CALL_STATUS, status_callback_event=EVENTS)
    response.append(dial)
    return str(response)


def large_document(identity):
    response = VoiceResponse()
    response.say("Olá, ligação não atendida — ação", voice="Polly.Camila", language="pt-BR")
    gather = Gather(
        input="dtmf speech",
        action="https://seu-dominio.com/api/twilio/menu",
        num_digits=1,
        timeout=5,
        language="pt-BR",
        hints="vendas, suporte, financeiro",
    )
    say = gather.say("Para vendas, digite 1. Para suporte & <ajuda>, digite 2.", language="pt-BR")
    say.break_(time="500ms")
    say.emphasis("Obrigado!", level="strong")
    gather.play("https://example.com/menu.mp3")
    gather.pause(length=2)
    response.append(gather)
    dial = Dial(
        caller_id=CALLER_ID,
        record="record-from-answer",
        recording_status_callback=RECORDING_STATUS,
        answer_on_bridge=True,
        timeout=30,
    )
    for i in range(5):
        dial.number(f"+553199999000{i}", status_callback=CALL_STATUS, status_callback_event=EVENTS)
    client = Client()
    client.identity(identity)
    client.parameter(name="ticket", value='42 & "urgent"')
    dial.append(client)
    response.append(dial)
    response.say("Desculpe, ninguém está disponível no momento.", language="pt-BR")
    response.record(max_length=120, finish_on_key="#", recording_status_callback=RECORDING_STATUS, trim="trim-silence")
    response.hangup()
    return str(response)


BENCHES = {
    "seed_outbound": (lambda: seed_outbound("+5531999999999"), "seed_outbound_to_phone"),
    "large_document": (lambda: large_document("user_1_Alefe_Lins"), "bench_large_document"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timeit repetitions; the best is kept")
    args = parser.parse_args()
    fixtures = json.loads((FIXTURES / "python.json").read_text(encoding="utf-8"))["documents"]
    for name, (build, fixture) in BENCHES.items():
        if build() != fixtures[fixture]:
            raise SystemExit(f"{name}: output differs from python.json[{fixture}]")
        timer = timeit.Timer(build)
        loops, _ = timer.autorange()  # enough loops for >= 0.2 s per run
        best = min(timer.repeat(repeat=args.runs, number=loops)) / loops
        print(f"{name} {best * 1e9:.0f}")


if __name__ == "__main__":
    main()
