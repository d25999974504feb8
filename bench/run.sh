#!/usr/bin/env bash
# run.sh - every benchmark in one run (make bench): the spatial index alone
# (bench/index_bench.c), then HTTP (bench/http_bench.sh): the near query at
# national scale on SQLite, then SQLite next to PostgreSQL (one node, two
# nodes behind nginx, a write-heavy mix) at district scale, then bookings
# per second on SQLite (bench/booking_bench.sh), then grid reports: the
# point-to-grid lookup at 10,000 grids (bench/grid_bench.c), Open311 lists
# at 100,000 reports and reports with a 1 MB photo (bench/report_bench.sh).
# Figures and the machine go to bench/RESULTS.md as they come. Not part of
# make test; the machine should be otherwise idle.
#   bash bench/run.sh            everything
#   bash bench/run.sh --reports  only the grid reports' three, appended to
#                                bench/RESULTS.md (PG=1: Open311 on
#                                PostgreSQL too)
set -u
cd "$(dirname "$0")/.."
out=bench/RESULTS.md
tmp=$(mktemp -d /tmp/whbench-run.XXXXXX)
trap 'rm -rf $tmp' EXIT

# Grid reports: the lookup alone, then over HTTP.
reports() {
  cc -std=c11 -D_DEFAULT_SOURCE -O2 -Isrc bench/grid_bench.c src/report/report_index.c \
     src/report/report.c src/core/arena.c src/core/clock.c src/core/text.c src/geo/coord.c \
     $(pkg-config --cflags --libs jansson) -lm -o $tmp/grid_bench
  { echo; echo "## Grid reports ($(date -u +%Y-%m-%d))"; echo; echo '```'; } >> $out
  $tmp/grid_bench >> $out 2>&1 || echo "grid bench failed: $?" >> $out
  bash bench/report_bench.sh all 2>$tmp/err4 >> $out \
    || { echo "failed:"; tail -5 $tmp/err4; } >> $out
  echo '```' >> $out
}
if [ "${1:-}" = --reports ]; then
  [ -f $out ] || echo "# Benchmark results" > $out
  reports
  cat $out
  exit 0
fi
cc -O2 -Isrc -Ibench bench/index_bench.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $tmp/index_bench
{
  echo "# Benchmark results"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr). The machine is shared: figures are indicative."
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
echo '```' >> $out
reports
cat $out
