#!/usr/bin/env bash
# Installs frontend/node_modules with `npm ci` when it is missing or package-lock.json changed
# since the last install. Used by scripts/frontend-build and scripts/frontend-test; only the npm registry is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ramal-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "frontend: npm ci (package-lock.json changed or node_modules missing)"
npm ci --no-audit --no-fund --prefer-offline
echo "$want" >"$stamp"
