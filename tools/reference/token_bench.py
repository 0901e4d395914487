"""Time minting a Voice token with twilio-python: the baseline for crates/access-token.

Same work as crates/access-token/benches/mint.rs: build the AccessToken (identity, system clock),
add a VoiceGrant (incoming allowed + outgoing application SID), sign with to_jwt().

    tools/reference/.venv/bin/python tools/reference/token_bench.py [--repeat N] [--number N]

Prints `python_mint_voice_ns_per_op=<best of N runs>` (ns per token).
"""

import argparse
import timeit

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

# Same inputs as the Rust benchmark.
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
API_KEY_SID = "SK00112233445566778899aabbccddeeff"
SECRET = "Zz9yXx8wVv7uTt6sRr5qPp4oNn3mLl2k"
APP_SID = "APa1b2c3d4e5f60718293a4b5c6d7e8f90"
IDENTITY = "user_1_Alefe_Lins"


def mint_voice():
    token = AccessToken(ACCOUNT_SID, API_KEY_SID, SECRET, identity=IDENTITY, ttl=3600)
    token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=APP_SID))
    return token.to_jwt()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7, help="timing runs; the best is kept")
    parser.add_argument("--number", type=int, default=10_000, help="tokens per run")
    args = parser.parse_args()
    assert mint_voice().count(".") == 2
    runs = timeit.repeat(mint_voice, repeat=args.repeat, number=args.number)
    best_ns = min(runs) / args.number * 1e9
    print(f"python_mint_voice_ns_per_op={best_ns:.0f}")


if __name__ == "__main__":
    main()
