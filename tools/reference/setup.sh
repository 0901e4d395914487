#!/usr/bin/env bash
# Installs Twilio's official helper libraries (PyPI `twilio`, npm `twilio`) into tools/reference/,
# so fixture generators and reference benchmarks can run. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import twilio' 2>/dev/null; then
  .venv/bin/pip install -q -r requirements.txt
fi
if [ ! -d node_modules/twilio ]; then
  npm install --no-audit --no-fund --silent
fi
echo "reference libraries ready: python $(.venv/bin/python -c 'import twilio; print(twilio.__version__)'), node twilio $(node -p 'require("./node_modules/twilio/package.json").version')"
