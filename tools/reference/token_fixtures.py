"""Generate Access Token fixtures with twilio-python, the reference for crates/access-token.

Run from the repository root (re-runnable, deterministic):

    tools/reference/.venv/bin/python tools/reference/token_fixtures.py

Writes crates/access-token/tests/fixtures/python_tokens.json: for every case, the inputs (in
twilio-python's own argument names), the clock, the JWT twilio-python produced, and its header
and payload both as the exact decoded text and as JSON. The clock is fixed by patching
time.time, which is all twilio-python reads.
"""

import base64
import json
import pathlib
import sys
from unittest import mock

import jwt as pyjwt
import twilio
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import (
    ChatGrant,
    PlaybackGrant,
    SyncGrant,
    TaskRouterGrant,
    VideoGrant,
    VoiceGrant,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "crates/access-token/tests/fixtures/python_tokens.json"

# Fake but well-formed credentials (Twilio's shape: 2 capitals + 32 lowercase hex).
AC = "AC" + "0123456789abcdef" * 2
AC2 = "AC" + "fedcba9876543210" * 2
SK = "SK" + "00112233445566778899aabbccddeeff"
SK2 = "SK" + "ffeeddccbbaa99887766554433221100"
AP = "AP" + "a1b2c3d4e5f60718293a4b5c6d7e8f90"
CR = "CR" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
IS = "IS" + "5555aaaa5555aaaa5555aaaa5555aaaa"
RL = "RL" + "1234abcd1234abcd1234abcd1234abcd"
WS = "WS" + "9999000099990000999900009999abcd"
WK = "WK" + "abcdef0123456789abcdef0123456789"
SECRET = "Zz9yXx8wVv7uTt6sRr5qPp4oNn3mLl2k"
SECRET2 = "another-secret-with-punctuation!?"
NOW = 1_700_000_000

GRANT_CLASSES = {
    "voice": VoiceGrant,
    "video": VideoGrant,
    "chat": ChatGrant,
    "data_sync": SyncGrant,
    "task_router": TaskRouterGrant,
    "player": PlaybackGrant,
}

VOICE_APP = {"type": "voice", "incoming_allow": True, "outgoing_application_sid": AP}
PLAYBACK = {
    "requestCredentials": None,
    "playbackUrl": "https://0a1b2c3d4e5f.us-east-1.playback.live-video.net/api/video/v1/x.m3u8",
    "playerStreamerSid": "VJ" + "0123456789abcdef" * 2,
}


def case(name, grants=(), **kw):
    """A case: kw uses AccessToken's argument names; nbf absent means twilio-python's default."""
    inputs = {
        "account_sid": kw.pop("account_sid", AC),
        "signing_key_sid": kw.pop("signing_key_sid", SK),
        "secret": kw.pop("secret", SECRET),
        "now": kw.pop("now", NOW),
        "identity": kw.pop("identity", None),
        "ttl": kw.pop("ttl", None),
        "nbf": kw.pop("nbf", "default"),
        "region": kw.pop("region", None),
        "grants": list(grants),
    }
    if kw:
        raise ValueError(f"unknown inputs {kw}")
    return {"name": name, "input": inputs}


CASES = [
    # The seed's token: incoming + outgoing app, accented name already sanitised.
    case("seed_voice_token", [VOICE_APP], identity="user_1_Alefe_Lins"),
    case("voice_empty_grant", [{"type": "voice"}], identity="alice"),
    case("voice_incoming_only", [{"type": "voice", "incoming_allow": True}], identity="alice"),
    case("voice_incoming_false_is_omitted", [{"type": "voice", "incoming_allow": False}], identity="alice"),
    case("voice_outgoing_only", [{"type": "voice", "outgoing_application_sid": AP}], identity="bob_2"),
    case(
        "voice_outgoing_params",
        [{
            "type": "voice",
            "incoming_allow": True,
            "outgoing_application_sid": AP,
            "outgoing_application_params": {"agent": "user_7", "queue": "support", "b": "2", "a": "1"},
        }],
        identity="user_7",
    ),
    case(
        "voice_params_need_escaping",
        [{
            "type": "voice",
            "outgoing_application_sid": AP,
            "outgoing_application_params": {
                "quote": 'say "hi"',
                "backslash": "C:\\path\\file",
                "controls": "line1\nline2\ttab\r\b\f\u0001\u007f",
                "unicode": "Álefe – São Paulo €",
                "emoji": "call 📞 me",
                "html": "</script>&<>",
            },
        }],
        identity="escaper",
    ),
    case(
        "voice_empty_params_are_omitted",
        [{"type": "voice", "outgoing_application_sid": AP, "outgoing_application_params": {}}],
        identity="alice",
    ),
    case(
        "voice_full",
        [{
            "type": "voice",
            "incoming_allow": True,
            "outgoing_application_sid": AP,
            "outgoing_application_params": {"To": "+5531999999999"},
            "push_credential_sid": CR,
            "endpoint_id": "alice-laptop-1",
        }],
        identity="alice",
    ),
    case("voice_empty_endpoint_is_omitted", [{"type": "voice", "incoming_allow": True, "endpoint_id": ""}], identity="alice"),
    case("voice_without_identity", [VOICE_APP]),
    case("no_grants_no_identity"),
    case("identity_only", identity="lonely"),
    case("video_any_room", [{"type": "video"}], identity="viewer"),
    case("video_room", [{"type": "video", "room": "daily-standup"}], identity="alice@example.com"),
    case(
        "chat_full",
        [{
            "type": "chat",
            "service_sid": IS,
            "endpoint_id": "HipFlowSlackDockRC:user@example.com:someiosdevice",
            "deployment_role_sid": RL,
            "push_credential_sid": CR,
        }],
        identity="user@example.com",
    ),
    case("chat_service_only", [{"type": "chat", "service_sid": IS}], identity="Zoë Ñandú"),
    case("sync", [{"type": "data_sync", "service_sid": IS, "endpoint_id": "sync-ep"}], identity="syncer"),
    case("task_router", [{"type": "task_router", "workspace_sid": WS, "worker_sid": WK, "role": "worker"}], identity="worker_1"),
    case("playback_sorted_keys", [{"type": "player", "grant": {"a": 1, "b": [True, None, "x"], "c": {"d": "é"}}}], identity="viewer"),
    case("playback_api_order", [{"type": "player", "grant": PLAYBACK}], identity="viewer"),
    case("playback_none", [{"type": "player"}], identity="viewer"),
    case(
        "all_grants_combined",
        [
            {"type": "video", "room": "room-1"},
            {"type": "voice", "incoming_allow": True, "outgoing_application_sid": AP, "outgoing_application_params": {"x": "y"}},
            {"type": "chat", "service_sid": IS},
            {"type": "data_sync", "service_sid": IS},
            {"type": "task_router", "workspace_sid": WS, "worker_sid": WK, "role": "supervisor"},
            {"type": "player", "grant": {"k": "v"}},
        ],
        identity="everything",
    ),
    case(
        "same_grant_twice_keeps_first_position_last_value",
        [
            {"type": "voice", "incoming_allow": True},
            {"type": "video"},
            {"type": "voice", "outgoing_application_sid": AP},
        ],
        identity="twice",
    ),
    case("ttl_one_second", [VOICE_APP], identity="alice", ttl=1),
    case("ttl_ten_minutes", [VOICE_APP], identity="alice", ttl=600),
    case("ttl_24h_maximum", [VOICE_APP], identity="alice", ttl=86_400),
    case("nbf_omitted", [VOICE_APP], identity="alice", nbf=None),
    case("nbf_explicit_past", [VOICE_APP], identity="alice", nbf=NOW - 30),
    case("nbf_explicit_future", [VOICE_APP], identity="alice", nbf=NOW + 60),
    case("region_ie1", [VOICE_APP], identity="alice", region="ie1"),
    case("region_au1_no_nbf", [{"type": "video"}], identity="alice", region="au1", nbf=None),
    case("other_account_key_and_secret", [VOICE_APP], identity="alice", account_sid=AC2, signing_key_sid=SK2, secret=SECRET2),
    case("identity_max_length", [VOICE_APP], identity="a" * 255 + "Z"),
    case("clock_zero", [VOICE_APP], identity="alice", now=0),
    case("clock_far_future", [VOICE_APP], identity="alice", now=4_102_444_800),
]


def build_grant(spec):
    spec = dict(spec)
    cls = GRANT_CLASSES[spec.pop("type")]
    return cls(**spec)


def mint(inputs):
    kwargs = {"identity": inputs["identity"], "region": inputs["region"]}
    if inputs["ttl"] is not None:
        kwargs["ttl"] = inputs["ttl"]
    if inputs["nbf"] != "default":
        kwargs["nbf"] = inputs["nbf"]
    token = AccessToken(inputs["account_sid"], inputs["signing_key_sid"], inputs["secret"], **kwargs)
    for spec in inputs["grants"]:
        token.add_grant(build_grant(spec))
    with mock.patch("time.time", return_value=inputs["now"] + 0.75):
        return token.to_jwt()


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8")


def main():
    cases = []
    for c in CASES:
        token = mint(c["input"])
        header_b64, payload_b64, _sig = token.split(".")
        header_json, payload_json = b64decode(header_b64), b64decode(payload_b64)
        # Cross-check with PyJWT's own verification so a fixture can never hold a bad signature.
        pyjwt.decode(token, c["input"]["secret"], algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False})
        cases.append({
            **c,
            "jwt": token,
            "header_json": header_json,
            "payload_json": payload_json,
            "header": json.loads(header_json),
            "payload": json.loads(payload_json),
        })
    names = [c["name"] for c in cases]
    if len(set(names)) != len(names):
        sys.exit("duplicate case names")
    document = {
        "generator": "tools/reference/token_fixtures.py",
        "reference": f"twilio-python {twilio.__version__}, PyJWT {pyjwt.__version__}",
        "note": "input uses twilio-python's argument names; nbf 'default' means the argument was not passed",
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
