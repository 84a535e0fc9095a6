#!/usr/bin/env bash
# The speed benchmark: a large study history on SQLite and on PostgreSQL, served
# by gunicorn (production settings, 2 workers) on 127.0.0.1 and driven by wrk.
# Prints req/s, latency percentiles and errors per endpoint, the ratios to a bare
# Django view and between a 100,000-card and a 1,000-card person, PASS/FAIL for
# the product's speed bars, worker memory, the plans of the heaviest queries, and
# the time from a grade key to the next card in Chromium.
#
#   scripts/benchmark.sh            # full size: 100,000 cards / 1,000,000 reviews, 10 s per endpoint
#   scripts/benchmark.sh --quick    # 10,000 cards / 100,000 reviews, 3 s per endpoint
#
# Environment: PREP_BENCH_PG_PORT for its own PostgreSQL server (default 25439,
# below the ephemeral ports the load's many connections use up), PREP_BENCH_TIMEOUT
# (seconds, default 5400 full / 1200 quick) for each database.
# Exits 1 if a target is missed. The benchmark of each database is
# prep_site/devtools/benchmark/ (python -m prep_site.devtools.benchmark --help).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=()
timeout_s=${PREP_BENCH_TIMEOUT:-5400}
case "${1:-}" in
  --quick) mode=(--quick); timeout_s=${PREP_BENCH_TIMEOUT:-1200} ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

# Playwright (a development requirement) drives Debian's Chromium for the
# key-press timing; wrk drives the load.
scripts/setup.sh --dev

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} for the benchmark (Debian's packages)..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The benchmark needs: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# A PostgreSQL server of the benchmark's own (its own data directory and port),
# so the test suite's server and the benchmark never stop each other.
export PREP_PG_DIR="/tmp/prep-bench-pg-$(id -u)"
export PREP_PG_PORT="${PREP_BENCH_PG_PORT:-25439}"
pg_was_running=false
if (exec 3<>"/dev/tcp/127.0.0.1/$PREP_PG_PORT") 2>/dev/null; then
  pg_was_running=true
fi
results=$(mktemp -d /tmp/prep-bench-results-XXXXXX)
cleanup() {
  if [ "$pg_was_running" = false ]; then
    scripts/postgres.sh stop || true
  fi
  rm -rf "$results"
}
trap cleanup EXIT
pg_url=$(scripts/postgres.sh start)

status=0
echo "== SQLite" >&2
timeout --signal=TERM --kill-after=60 "$timeout_s" \
  .venv/bin/python -m prep_site.devtools.benchmark --db sqlite "${mode[@]}" \
  --timeout "$((timeout_s - 30))" --json-out "$results/sqlite.json" || status=1
echo "== PostgreSQL" >&2
timeout --signal=TERM --kill-after=60 "$timeout_s" \
  .venv/bin/python -m prep_site.devtools.benchmark --db postgresql --pg-url "$pg_url" "${mode[@]}" \
  --timeout "$((timeout_s - 30))" --json-out "$results/postgresql.json" || status=1

.venv/bin/python -m prep_site.devtools.benchmark --summary "$results/sqlite.json" "$results/postgresql.json" || status=1
exit $status
