#!/usr/bin/env bash
# Sets prep up and serves it on http://127.0.0.1:8000/ with the embedded SQLite
# database, the starter library and a demo login, and starts the background
# workers (django-q2) next to the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_SETTINGS_MODULE=prep_site.settings.dev
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py load_starter
.venv/bin/python manage.py create_demo_user

# The background workers (imports, large restores, the nightly purge) run beside
# the web server; Ctrl+C stops both.
.venv/bin/python manage.py qcluster &
workers=$!
stop() {
  kill -TERM "$workers" 2>/dev/null || true
  wait "$workers" 2>/dev/null || true
}
trap stop EXIT INT TERM
echo "prep is starting on http://127.0.0.1:8000/ with its background workers (stop both with Ctrl+C)."
.venv/bin/python manage.py runserver 127.0.0.1:8000
