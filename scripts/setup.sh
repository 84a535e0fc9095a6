#!/usr/bin/env bash
# Creates .venv, installs the pinned Python packages and the front-end assets
# (Bootstrap, KaTeX, SortableJS from the npm registry, and axe-core, which the
# browser tests run in each page). Safe to run again.
# Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt

if ! command -v python3 >/dev/null; then
  echo "prep needs Python 3.11 or newer (python3)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"

if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "prep needs npm to install its front-end assets (apt-get install npm)." >&2
    exit 1
  fi
fi
# npm ci again only when package-lock.json changed since the last install (npm's
# own node_modules/.package-lock.json is written in another form, so compare
# with a copy of ours).
stamp=node_modules/.prep-package-lock.json
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
