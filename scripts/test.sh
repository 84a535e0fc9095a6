#!/usr/bin/env bash
# Runs every check and the whole test suite, on SQLite and then on a real
# PostgreSQL server that this script installs (if missing) and starts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev

# Headless Chromium for the browser tests and Redis for the two-server test
# come from Debian's packages.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} for the tests..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DJANGO_SETTINGS_MODULE=prep_site.settings.test
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== migrations"
.venv/bin/python manage.py makemigrations --check --dry-run

echo "== tests on SQLite"
.venv/bin/python -m pytest "$@"

echo "== tests on PostgreSQL"
database_url=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop' EXIT
DATABASE_URL="$database_url" .venv/bin/python -m pytest "$@"
