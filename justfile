# Ramal task runner. `just --list` shows every recipe.
# Install just with `cargo install --locked just` or `scripts/bootstrap`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list

# Run Ramal (demo mode with embedded SQLite unless TWILIO_* variables are set).
run *args:
    scripts/run {{args}}

# Create an administrator (prompts for the password).
admin username="admin" name="Administrador":
    scripts/run agent add {{username}} --name "{{name}}" --admin

# Run every check and every test (fmt, clippy, docs, all tests on SQLite and PostgreSQL).
test:
    scripts/test

# Format the code.
fmt:
    cargo fmt --all

# Clippy with warnings as errors.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# Build the API docs (warnings are errors).
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Install Twilio's official helper libraries used as the reference (Python and Node).
reference:
    tools/reference/setup.sh

# Regenerate the reference fixtures from Twilio's official helper libraries.
fixtures: reference
    tools/reference/.venv/bin/python tools/reference/twiml_fixtures.py
    tools/reference/.venv/bin/python tools/reference/token_fixtures.py
    node tools/reference/token_fixtures.mjs

# Benchmarks of the protocol crates against twilio-python, printing the ratios.
bench-protocol: reference
    scripts/bench-twiml
    scripts/bench-token

# Storage benchmarks (SQLite and PostgreSQL); see scripts/bench-store for size knobs.
bench-store:
    scripts/ensure-postgres
    scripts/bench-store

# HTTP load benchmark (wrk) against the running server and an actix-web hello world.
bench-http:
    scripts/bench-http

# Recording pipeline benchmarks: playback memory and throughput, filing rate.
bench-recordings:
    scripts/bench-recordings

# Every benchmark, one after the other (takes several minutes).
bench: bench-protocol bench-store bench-http bench-recordings bench-soak

# Long fuzz run of the proptest suites (CI runs them with a smoke count); see scripts/fuzz.
fuzz cases="200000":
    scripts/fuzz {{cases}}

# Build the container image `ramal` (webphone embedded; see Dockerfile).
docker tag="ramal":
    docker build --build-arg RAMAL_GIT_REVISION="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" -t {{tag}} .

# Load and soak: mixed webhooks for SOAK_SECONDS (300) on SQLite and PostgreSQL, memory over time.
bench-soak:
    scripts/bench-soak

# Long variants of the crash, outage and scale-out tests (CI runs the short ones).
stress calls="200" kills="12":
    scripts/ensure-postgres
    RAMAL_CRASH_CALLS={{calls}} RAMAL_CRASH_KILLS={{kills}} cargo nextest run --profile ci -p http-api --test e2e crash_under_load cluster outage
