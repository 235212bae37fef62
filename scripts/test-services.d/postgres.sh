# Sourced by scripts/run-tests.sh before pytest: exports KIOSK_TEST_PG_DSN pointing at a reachable PostgreSQL.
# 1. a DSN already exported that answers; 2. the server on 127.0.0.1:${KIOSK_TEST_PG_PORT:-5432};
# 3. a private throw-away cluster (Debian's initdb/pg_ctl, installed by scripts/bootstrap.sh) on a free local port,
#    run as the `postgres` user when we are root, removed when the test command exits;
# 4. none: KIOSK_TEST_PG_DSN stays unset and the PostgreSQL tests skip with a loud message.
# Each test run then works in a schema of its own (tests/sync/conftest.py), so parallel runs never collide.

_kiosk_pg_py="${VENV:-.venv}/bin/python"
[ -x "$_kiosk_pg_py" ] || _kiosk_pg_py=python3

_kiosk_pg_answers() {  # DSN -> exit 0 when a connection succeeds within a few seconds
    "$_kiosk_pg_py" - "$1" <<'PY' >/dev/null 2>&1
import sys
import psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

_kiosk_pg_private() {  # start a private cluster; sets _kiosk_pg_dsn on success (no subshell: keeps its state)
    local bindir="" candidate dir port runas=()
    if [ -n "${KIOSK_TEST_PG_BINDIR:-}" ]; then
        bindir="$KIOSK_TEST_PG_BINDIR"
    elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        bindir="$(dirname "$(command -v initdb)")"
    else
        for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            [ -x "$candidate/initdb" ] && { bindir="$candidate"; break; }
        done
    fi
    [ -n "$bindir" ] || { echo "postgres.sh: no initdb found (Debian package 'postgresql')" >&2; return 1; }
    dir="$(mktemp -d "${TMPDIR:-/tmp}/kiosk-test-pg.XXXXXX")" || return 1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "postgres.sh: running as root and no 'postgres' user" >&2; rm -rf "$dir"; return 1; }
        chown postgres "$dir"
        if command -v runuser >/dev/null 2>&1; then runas=(runuser -u postgres --); else runas=(su postgres -s /bin/sh -c); fi
    fi
    port="$("$_kiosk_pg_py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    _kiosk_pg_run() {
        if [ "${runas[0]:-}" = su ]; then "${runas[@]}" "$(printf '%q ' "$@")"; else "${runas[@]}" "$@"; fi
    }
    _kiosk_pg_run "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { echo "postgres.sh: initdb failed: $(tail -3 "$dir/initdb.log")" >&2; rm -rf "$dir"; return 1; }
    _kiosk_pg_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 \
        || { echo "postgres.sh: pg_ctl start failed: $(tail -3 "$dir/server.log" 2>/dev/null)" >&2; rm -rf "$dir"; return 1; }
    KIOSK_TEST_PG_PRIVATE_DIR="$dir"
    KIOSK_TEST_PG_PRIVATE_CTL="$bindir/pg_ctl"
    KIOSK_TEST_PG_PRIVATE_RUNAS="${runas[*]:-}"
    _kiosk_pg_dsn="postgresql://postgres@127.0.0.1:$port/postgres"
}

_kiosk_pg_cleanup() {
    [ -n "${KIOSK_TEST_PG_PRIVATE_DIR:-}" ] || return 0
    if [ "${KIOSK_TEST_PG_PRIVATE_RUNAS%% *}" = su ]; then
        su postgres -s /bin/sh -c "$KIOSK_TEST_PG_PRIVATE_CTL -D $KIOSK_TEST_PG_PRIVATE_DIR/data -m immediate stop" >/dev/null 2>&1 || true
    else
        $KIOSK_TEST_PG_PRIVATE_RUNAS "$KIOSK_TEST_PG_PRIVATE_CTL" -D "$KIOSK_TEST_PG_PRIVATE_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$KIOSK_TEST_PG_PRIVATE_DIR"
}

if [ -n "${KIOSK_TEST_PG_DSN:-}" ] && _kiosk_pg_answers "$KIOSK_TEST_PG_DSN"; then
    echo "== PostgreSQL for tests: $KIOSK_TEST_PG_DSN (given)"
else
    unset KIOSK_TEST_PG_DSN
    for _dsn in "postgresql://postgres@127.0.0.1:${KIOSK_TEST_PG_PORT:-5432}/test" \
                "postgresql://127.0.0.1:${KIOSK_TEST_PG_PORT:-5432}/test" \
                "postgresql://postgres@127.0.0.1:${KIOSK_TEST_PG_PORT:-5432}/postgres"; do
        if _kiosk_pg_answers "$_dsn"; then export KIOSK_TEST_PG_DSN="$_dsn"; break; fi
    done
    if [ -n "${KIOSK_TEST_PG_DSN:-}" ]; then
        echo "== PostgreSQL for tests: $KIOSK_TEST_PG_DSN (running server)"
    elif _kiosk_pg_dsn="" && _kiosk_pg_private && [ -n "$_kiosk_pg_dsn" ]; then
        export KIOSK_TEST_PG_DSN="$_kiosk_pg_dsn"
        _kiosk_pg_prev_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
        trap "_kiosk_pg_cleanup; ${_kiosk_pg_prev_trap:-:}" EXIT
        echo "== PostgreSQL for tests: $KIOSK_TEST_PG_DSN (private cluster in $KIOSK_TEST_PG_PRIVATE_DIR)"
    else
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
        echo "!! NO PostgreSQL: the PostgreSQL tests will be SKIPPED. Install Debian's       !!" >&2
        echo "!! 'postgresql' package (scripts/bootstrap.sh does) or set KIOSK_TEST_PG_DSN.   !!" >&2
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    fi
fi
unset _dsn _kiosk_pg_dsn
