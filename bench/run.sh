#!/usr/bin/env bash
# run.sh - every benchmark in one run (make bench): the spatial index alone
# (bench/index_bench.c), then HTTP (bench/http_bench.sh): the near query at
# national scale on SQLite, then SQLite next to PostgreSQL (one node, two
# nodes behind nginx, a write-heavy mix) at district scale, then bookings
# per second on SQLite (bench/booking_bench.sh), then latency at a fixed
# rate without coordinated omission: bookings at 2,000/s and fair numbers
# at 1,000/s (bench/paced_bench.sh). Figures and the machine go to
# bench/RESULTS.md as they come. Not part of make test; the machine should
# be otherwise idle.
#
#   bash bench/run.sh                 everything
#   bash bench/run.sh --only paced    the paced runs alone (make bench-paced),
#                                     into bench/RESULTS-paced.md
set -u
cd "$(dirname "$0")/.."
only=
if [ "${1:-}" = "--only" ]; then
  only=${2:-}
  case "$only" in
    paced) ;;
    *) echo "usage: bash bench/run.sh [--only paced]" >&2; exit 2 ;;
  esac
fi
out=bench/RESULTS${only:+-$only}.md
tmp=$(mktemp -d /tmp/whbench-run.XXXXXX)
trap 'rm -rf $tmp' EXIT
machine() {
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr). The machine is shared: figures are indicative."
}
paced() {
  { echo "## Paced load on SQLite: bookings at 2,000/s (goal: p99 under 50 ms, no overbooking), fair numbers at 1,000/s"; echo; echo '```'; } >> $out
  bash bench/paced_bench.sh 2>$tmp/err4 | grep -v '^{' >> $out \
    || { echo "failed:"; tail -5 $tmp/err4; } >> $out
  echo '```' >> $out
}
if [ -n "$only" ]; then
  { echo "# Benchmark results: $only"; echo; machine; echo; } > $out
  $only
  cat $out
  exit 0
fi
cc -O2 -Isrc -Ibench bench/index_bench.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $tmp/index_bench
{
  echo "# Benchmark results"
  echo
  machine
  echo
  echo "## Spatial index alone"
  echo
  echo '```'
} > $out
$tmp/index_bench >> $out 2>&1 || echo "index bench failed: $?" >> $out
{ echo '```'; echo; echo "## HTTP at national scale (SQLite)"; echo; echo '```'; } >> $out
PG=0 SIZES="${SIZES:-180000 1000000}" bash bench/http_bench.sh 2>$tmp/err1 | grep -v '^{' >> $out \
  || { echo "failed:"; tail -5 $tmp/err1; } >> $out
{ echo '```'; echo; echo "## HTTP, SQLite next to PostgreSQL (district scale)"; echo; echo '```'; } >> $out
PG=1 SIZES="${PG_SIZES:-20000}" bash bench/http_bench.sh 2>$tmp/err2 | grep -v '^{' >> $out \
  || { echo "failed:"; tail -5 $tmp/err2; } >> $out
{ echo '```'; echo; echo "## Bookings on SQLite (goal: 2,000 bookings/s, no overbooking)"; echo; echo '```'; } >> $out
bash bench/booking_bench.sh 2>$tmp/err3 | grep -v '^{' >> $out \
  || { echo "failed:"; tail -5 $tmp/err3; } >> $out
{ echo '```'; echo; } >> $out
paced
cat $out
