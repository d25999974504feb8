#!/bin/sh
# with_pg.sh - run a command with a throwaway PostgreSQL cluster:
# WARMHARBOR_TEST_PG (URL of its postgres database) and
# WARMHARBOR_TEST_PG_DIR (its folder, for tools/pg_cluster.sh) are set for
# the command, and the cluster is removed afterwards, whatever happens.
#   tools/with_pg.sh make unit http-test
set -eu
dir=$(mktemp -d /tmp/whpg.XXXXXX)
chmod 755 "$dir"
cleanup() {
    sh "$(dirname "$0")/pg_cluster.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
WARMHARBOR_TEST_PG=$(sh "$(dirname "$0")/pg_cluster.sh" start "$dir")
WARMHARBOR_TEST_PG_DIR=$dir
export WARMHARBOR_TEST_PG WARMHARBOR_TEST_PG_DIR
"$@"
