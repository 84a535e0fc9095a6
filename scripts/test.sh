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

# One pytest-xdist worker per core (PREP_TEST_WORKERS to choose; -n 0 among the
# arguments runs in one process). Each worker has a test database of its own.
workers="${PREP_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}"

echo "== tests on SQLite ($workers workers)"
.venv/bin/python -m pytest -n "$workers" "$@"

# On PostgreSQL, the tests marked db_independent are left out: the database makes
# no difference to them (the browser tests, parsing, settings), and they just ran
# on SQLite. A -m of the arguments is kept, joined to ours.
markers="not db_independent"
pg_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m) markers="(${2-}) and not db_independent"; shift ;;
    -m*) markers="(${1#-m}) and not db_independent" ;;
    *) pg_args+=("$1") ;;
  esac
  shift
done

echo "== tests on PostgreSQL ($workers workers)"
echo "Leaving out the tests marked db_independent, which ran on SQLite above: -m \"$markers\""
database_url=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop' EXIT
status=0
DATABASE_URL="$database_url" .venv/bin/python -m pytest -n "$workers" -m "$markers" \
  ${pg_args[@]+"${pg_args[@]}"} || status=$?
if [ "$status" = 5 ]; then
  # pytest's "no tests collected": every test selected is db_independent.
  echo "Nothing left for PostgreSQL: the tests selected are all db_independent."
  status=0
fi
exit "$status"
