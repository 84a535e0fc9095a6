#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite (no systemd needed).
#
#   scripts/postgres.sh start   # install (if needed), init, start; prints the URL
#   scripts/postgres.sh stop    # fast shutdown; quiet success if not running
#   scripts/postgres.sh url     # print the URL only
#
# Environment:
#   PREP_PG_DIR   data directory (default: /tmp/prep-pg-<uid>-<hash of repo root>)
#   PREP_PG_PORT  TCP port on 127.0.0.1 (default: 54329)
#
# Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

repo_hash() {
    if command -v sha1sum >/dev/null 2>&1; then
        printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-8
    else
        printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1
    fi
}

# Under /tmp so the postgres OS user can always reach it (the repo may live
# somewhere postgres cannot traverse, e.g. /root).
PG_DIR="${PREP_PG_DIR:-/tmp/prep-pg-$(id -u)-$(repo_hash)}"
case "$PG_DIR" in /*) ;; *) PG_DIR="$PWD/$PG_DIR" ;; esac   # as_pg does cd /
PG_DIR="${PG_DIR%/}"
PG_PORT="${PREP_PG_PORT:-54329}"
PG_URL="postgres://prep:prep@127.0.0.1:${PG_PORT}/prep"

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the user that owns the cluster: the `postgres` OS user when
# we are root (pg_ctl/initdb refuse to run as root), otherwise ourselves.
# cd / first: initdb/pg_ctl fail if the cwd is not accessible to that user.
# 9>&- : never leak the lock fd into the server (it would hold the lock forever).
as_pg() {
    if is_root; then
        local cmd
        cmd="$(printf '%q ' "$@")"
        (cd / && su postgres -s /bin/bash -c "$cmd") 9>&-
    else
        (cd / && "$@") 9>&-
    fi
}

find_bindir() {
    local d best=""
    for d in $(ls -1 /usr/lib/postgresql 2>/dev/null | sort -V); do
        if [ -x "/usr/lib/postgresql/$d/bin/initdb" ]; then
            best="/usr/lib/postgresql/$d/bin"
        fi
    done
    printf '%s' "$best"
}

ensure_installed() {
    if [ -z "$(find_bindir)" ]; then
        is_root || die "PostgreSQL is not installed and we are not root; install the 'postgresql' package"
        log "installing PostgreSQL (apt-get)..."
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    BINDIR="$(find_bindir)"
    [ -n "$BINDIR" ] || die "no initdb found under /usr/lib/postgresql/*/bin"
}

# 0 = running, non-zero otherwise (incl. missing/uninitialised data dir).
is_running() {
    [ -f "$PG_DIR/PG_VERSION" ] || return 1
    as_pg "$BINDIR/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

# Serialise concurrent start/stop calls on the same data dir.
take_lock() {
    if command -v flock >/dev/null 2>&1; then
        exec 9>"${PG_DIR}.lock"
        flock -w 180 9 || die "timed out waiting for ${PG_DIR}.lock (held by: $(fuser "${PG_DIR}.lock" 2>/dev/null || echo '?'))"
    fi
}

pick_locale() {
    if locale -a 2>/dev/null | grep -qiE '^C\.utf-?8$'; then
        printf 'C.UTF-8'
    else
        printf 'C'
    fi
}

init_cluster() {
    if [ -f "$PG_DIR/PG_VERSION" ]; then
        return 0
    fi
    log "initialising cluster in $PG_DIR"
    mkdir -p "$PG_DIR"
    if is_root; then
        chown postgres:postgres "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    as_pg test -w "$PG_DIR" ||
        die "$PG_DIR is not writable/reachable by the postgres user; set PREP_PG_DIR elsewhere (e.g. under /tmp)"

    local loc
    loc="$(pick_locale)"
    if ! as_pg "$BINDIR/initdb" -D "$PG_DIR" -U postgres --auth=trust \
            --encoding=UTF8 --locale="$loc" >&2; then
        [ "$loc" = "C" ] && die "initdb failed"
        log "initdb with --locale=$loc failed; retrying with --locale=C"
        find "$PG_DIR" -mindepth 1 -delete
        as_pg "$BINDIR/initdb" -D "$PG_DIR" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C >&2 || die "initdb failed"
    fi
}

psql_admin() {
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

ensure_role_and_db() {
    PGCONNECT_TIMEOUT=10 psql_admin >&2 <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'prep') THEN
        CREATE ROLE prep LOGIN CREATEDB PASSWORD 'prep';
    ELSE
        ALTER ROLE prep LOGIN CREATEDB PASSWORD 'prep';
    END IF;
END
$$;
SELECT 'CREATE DATABASE prep OWNER prep'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'prep')\gexec
ALTER DATABASE prep OWNER TO prep;
SQL
}

running_port() {
    # Line 4 of postmaster.pid is the port.
    sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null || true
}

cmd_start() {
    ensure_installed
    take_lock
    init_cluster
    if is_running; then
        local p
        p="$(running_port)"
        if [ -n "$p" ] && [ "$p" != "$PG_PORT" ]; then
            die "server on $PG_DIR is already running on port $p, not $PG_PORT; stop it first"
        fi
        log "server already running on $PG_DIR (port $PG_PORT)"
    else
        log "starting server on 127.0.0.1:$PG_PORT (data: $PG_DIR)"
        if ! as_pg "$BINDIR/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" \
                -o "-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
                -w start >&2; then
            log "pg_ctl start failed; tail of $PG_DIR/server.log:"
            tail -n 20 "$PG_DIR/server.log" >&2 || true
            exit 1
        fi
    fi
    ensure_role_and_db
    printf '%s\n' "$PG_URL"
}

cmd_stop() {
    BINDIR="$(find_bindir)"
    [ -n "$BINDIR" ] || return 0          # nothing installed, nothing running
    [ -f "$PG_DIR/PG_VERSION" ] || return 0
    take_lock
    if is_running; then
        as_pg "$BINDIR/pg_ctl" -D "$PG_DIR" -m fast -w stop >&2
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop)  cmd_stop ;;
    url)   printf '%s\n' "$PG_URL" ;;
    *)
        echo "usage: $0 {start|stop|url}" >&2
        exit 2
        ;;
esac
