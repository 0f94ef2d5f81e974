#!/usr/bin/env bash
# Starts a throwaway Postgres server for the tests that need one (installing Debian's
# `postgresql` package when it is missing) and prints its URL:
#
#   export VIDEOHUB_TEST_POSTGRES_URL="$(scripts/test-postgres.sh)"
#
# The cluster lives in ${TMPDIR:-/tmp}/videohub-test-postgres-<port> (outside the checkout,
# which the server's own user may not be allowed to enter) and listens on 127.0.0.1 at port
# ${VIDEOHUB_TEST_POSTGRES_PORT:-54329}. A server already answering there is reused (test
# binaries running at once share one); one that was stopped is started again with its
# databases; `scripts/test-postgres.sh stop` stops it.
#
# With VIDEOHUB_TEST_POSTGRES_DIR=DIR the cluster lives in DIR instead and listens on a Unix
# socket there only (no TCP port): a server of one test's own, which it may stop and start
# again (`stop`, then this script again) without disturbing any other.
set -euo pipefail
port="${VIDEOHUB_TEST_POSTGRES_PORT:-54329}"
if [ -n "${VIDEOHUB_TEST_POSTGRES_DIR:-}" ]; then
    dir="$VIDEOHUB_TEST_POSTGRES_DIR"
    listen="-c listen_addresses= -c unix_socket_directories=$dir"
    url="postgres://videohub@localhost/videohub_tests?host=$dir&port=$port"
    connect=(-h "$dir" -p "$port")
else
    dir="${TMPDIR:-/tmp}/videohub-test-postgres-$port"
    listen="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir"
    url="postgres://videohub@127.0.0.1:$port/videohub_tests"
    connect=(-h 127.0.0.1 -p "$port")
fi
exec 9>"$dir.lock"
flock 9
if [ "${1:-}" != stop ] && command -v psql >/dev/null && psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "$url"
    exit 0
fi

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# Postgres refuses to run as root: run it as the package's `postgres` user then. The lock's
# file descriptor is not passed on: the server would hold the lock for its whole life.
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@" 9>&-; else "$@" 9>&-; fi
}
start() {
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "$listen -c port=$port -c max_connections=200 -c fsync=off" start >&2
}

if [ -f "$dir/data/postmaster.pid" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
fi
[ "${1:-}" = stop ] && exit 0

# A cluster stopped earlier is started again as it was; a missing or broken one is made anew.
if [ -f "$dir/data/PG_VERSION" ] && start && psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "$url"
    exit 0
fi
if [ -f "$dir/data/postmaster.pid" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_server "$bin/initdb" -D "$dir/data" -U videohub --auth=trust -E UTF8 >&2
start
as_server "$bin/createdb" "${connect[@]}" -U videohub videohub_tests >&2
echo "$url"
