#!/usr/bin/env bash
# pg_cluster.sh: a throwaway PostgreSQL cluster for the gradebook tests, in a temporary
# folder, on a unix socket only (no TCP port), run by an unprivileged user because
# PostgreSQL refuses to run as root.
#   pg_cluster.sh start DIR     -> prints the base URI (postgresql://postgres@/?host=DIR/sock)
#   pg_cluster.sh createdb DIR NAME
#   pg_cluster.sh stop DIR
# Exits 77 when PostgreSQL's server programs are not installed.
set -u
cmd=${1:-}; dir=${2:-}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL server programs not found (Debian package postgresql)" >&2
    exit 77
fi
[ -n "$dir" ] || { echo "usage: pg_cluster.sh start|createdb|stop DIR [NAME]" >&2; exit 2; }

as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$pg_user" -- "$@"
    else
        "$@"
    fi
}

pg_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    pg_user=stipple-test
    if ! id "$pg_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user" 2>/dev/null || pg_user=nobody
    fi
fi

case "$cmd" in
start)
    mkdir -p "$dir/sock"
    [ "$(id -u)" -eq 0 ] && chown -R "$pg_user" "$dir"
    chmod 755 "$dir"
    as_user "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir/sock -c listen_addresses= -c fsync=off -c max_connections=60" start >/dev/null 2>&1 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@/postgres?host=$dir/sock"
    ;;
createdb)
    as_user "$bin/createdb" -h "$dir/sock" -U postgres "$3"
    ;;
stop)
    [ -d "$dir/data" ] && as_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg_cluster.sh start|createdb|stop DIR [NAME]" >&2; exit 2 ;;
esac
