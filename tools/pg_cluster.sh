#!/bin/sh
# pg_cluster.sh - a throwaway PostgreSQL cluster for tests and development.
#
#   tools/pg_cluster.sh start DIR          initdb DIR/data, start on 127.0.0.1
#                                          (a free port) and a socket in DIR;
#                                          prints postgres://USER@127.0.0.1:PORT/postgres
#   tools/pg_cluster.sh stop DIR           stop it (fast shutdown)
#   tools/pg_cluster.sh restart DIR        stop and start again on the same port
#   tools/pg_cluster.sh createdb DIR NAME [TEMPLATE]
#                                          a fresh database NAME (a copy of
#                                          TEMPLATE); prints its URL
#   tools/pg_cluster.sh url DIR            the URL of the cluster's postgres db
#
# Test settings only: trust authentication, fsync and synchronous commit
# off. Never point it at data you want to keep. The server refuses to run
# as root, so as root it runs as the "postgres" user (the postgresql
# package creates it) and DIR is handed to that user.
#
# The server binaries are found in $PG_BIN, else the newest
# /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql).
set -eu

usage() {
    echo "usage: $0 start|stop|restart|url DIR | createdb DIR NAME [TEMPLATE]" >&2
    exit 2
}

die() {
    echo "pg_cluster: $*" >&2
    exit 1
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

find_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    # shellcheck disable=SC2012 # version directories: plain names
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return
        fi
    done
    die "no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)"
}

# Run a command as the cluster's owner.
if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 ||
        die "running as root and there is no postgres user to run the server"
    # from /, so the server tools do not trip over a cwd they cannot read
    as_owner() { (cd / && runuser -u "$owner" -- "$@"); }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

[ "$cmd" != start ] || mkdir -p "$dir"
[ -d "$dir" ] || die "no such directory: $dir"
dir=$(cd "$dir" && pwd)

# Is something listening on 127.0.0.1:$1? (bash's /dev/tcp is not in sh,
# so ask the kernel's table instead.)
port_in_use() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }'
}

pick_port() {
    tries=0
    while [ $tries -lt 50 ]; do
        # 20000..59999 from the kernel's random bytes
        n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        port=$((20000 + n % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
        tries=$((tries + 1))
    done
    die "no free port found"
}

url_for() { # DB
    echo "postgres://$(cat "$dir/user")@127.0.0.1:$(cat "$dir/port")/$1"
}

start_server() {
    bin=$(find_bin)
    # The socket path must fit in sun_path (107 bytes).
    [ ${#dir} -le 90 ] || die "DIR path too long for a socket: $dir"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $(cat "$dir/port") -k $dir" start >/dev/null ||
        {
            tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
            return 1
        }
}

cmd_start() {
    bin=$(find_bin)
    [ ! -e "$dir/data" ] || die "$dir/data exists: stop and remove it first"
    if [ "$(id -u)" = 0 ]; then
        chown "$owner" "$dir"
    fi
    as_owner test -w "$dir" ||
        die "$dir is not writable by $owner (check the parent directories)"
    as_owner "$bin/initdb" -D "$dir/data" -U "$owner" --auth=trust -E UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }
    as_owner sh -c "cat >>'$dir/data/postgresql.conf'" <<EOF
# pg_cluster.sh: a throwaway test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = 30min
max_wal_size = 1GB
autovacuum = off
logging_collector = off
log_min_messages = warning
log_min_error_statement = panic
EOF
    echo "$owner" >"$dir/user"
    tries=0
    while :; do
        pick_port >"$dir/port"
        if start_server; then
            break
        fi
        tries=$((tries + 1))
        [ $tries -lt 5 ] || die "the server did not start (see $dir/server.log)"
    done
    url_for postgres
}

cmd_stop() {
    [ -d "$dir/data" ] || die "no cluster in $dir"
    bin=$(find_bin)
    if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
}

cmd_restart() {
    cmd_stop
    start_server || die "the server did not start again (see $dir/server.log)"
}

cmd_createdb() {
    name=$1
    template=${2:-}
    case $name$template in
    *[!a-z0-9_]* | "") die "database names here are [a-z0-9_]+" ;;
    esac
    [ -f "$dir/port" ] || die "no cluster in $dir"
    bin=$(find_bin)
    as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(cat "$dir/port")" \
        -U "$(cat "$dir/user")" -d postgres \
        -c "CREATE DATABASE $name${template:+ TEMPLATE $template}" >/dev/null
    url_for "$name"
}

case $cmd in
start) [ $# -eq 2 ] || usage; cmd_start ;;
stop) [ $# -eq 2 ] || usage; cmd_stop ;;
restart) [ $# -eq 2 ] || usage; cmd_restart ;;
url) [ $# -eq 2 ] || usage; url_for postgres ;;
createdb) [ $# -eq 3 ] || [ $# -eq 4 ] || usage; cmd_createdb "$3" "${4:-}" ;;
*) usage ;;
esac
