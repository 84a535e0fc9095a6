#!/usr/bin/env bash
# Sets prep up and serves it on http://127.0.0.1:8000/ with the embedded SQLite
# database, the starter library and a demo login.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_SETTINGS_MODULE=prep_site.settings.dev
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py load_starter
.venv/bin/python manage.py create_demo_user
echo "prep is starting on http://127.0.0.1:8000/ (stop it with Ctrl+C)."
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
