#!/usr/bin/env bash
# run.sh - every benchmark, each a section of bench/RESULTS.md:
#   index     the spatial index alone (bench/index_bench.c)
#   near      the near query over HTTP at national scale on SQLite, next to
#             nginx serving the same bytes (bench/http_bench.sh)
#   stores    SQLite next to PostgreSQL (one node, two nodes behind nginx, a
#             write-heavy mix) at district scale
#   booking   bookings per second on SQLite (bench/booking_bench.sh)
#   checkin   check-ins per second on SQLite (bench/checkin_bench.sh)
#   paced     latency at a fixed rate without coordinated omission: bookings
#             at 2,000/s, fair numbers at 1,000/s (bench/paced_bench.sh)
#   reports   the point-to-grid lookup at 10,000 grids (bench/grid_bench.c),
#             Open311 lists at 100,000 reports and reports with a 1 MB photo
#             (bench/report_bench.sh; PG=1: Open311 on PostgreSQL too)
#   lighthouse  the map page's Lighthouse mobile performance score
#             (bench/lighthouse.sh)
# Not part of make test. Run it only on an otherwise idle machine, twice,
# and report both runs.
#
#   bash bench/run.sh                 everything, into bench/RESULTS.md
#   bash bench/run.sh --only NAME...  those sections, into bench/RESULTS-NAME.md
set -u
cd "$(dirname "$0")/.."
ALL="index near stores booking checkin paced reports lighthouse"
sections=$ALL
out=bench/RESULTS.md
if [ "${1:-}" = "--only" ]; then
  shift
  [ $# -gt 0 ] || { echo "usage: bash bench/run.sh [--only NAME...] (NAME: $ALL)" >&2; exit 2; }
  for s in "$@"; do
    case " $ALL " in *" $s "*) ;; *) echo "unknown section $s (one of: $ALL)" >&2; exit 2 ;; esac
  done
  sections="$*"
  out=bench/RESULTS-$(echo "$sections" | tr ' ' '-').md
fi
tmp=$(mktemp -d /tmp/whbench-run.XXXXXX)
trap 'rm -rf $tmp' EXIT

machine() {
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)."
}

# section TITLE COMMAND...: the command's output (JSON log lines dropped)
# in a fenced block under TITLE; a failure says so with its last lines.
section() {
  local title=$1
  shift
  { echo "## $title"; echo; echo '```'; } >> $out
  "$@" 2>$tmp/err | grep -v '^{' >> $out || { echo "failed:"; tail -5 $tmp/err; } >> $out
  { echo '```'; echo; } >> $out
}

index() {
  cc -O2 -Isrc -Ibench bench/index_bench.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
     -lm -lpthread -o $tmp/index_bench
  section "Spatial index alone" $tmp/index_bench
}
near() {
  section "HTTP at national scale (SQLite)" env PG=0 SIZES="${SIZES:-180000 1000000}" bash bench/http_bench.sh
}
stores() {
  section "HTTP, SQLite next to PostgreSQL (district scale)" env PG=1 SIZES="${PG_SIZES:-20000}" bash bench/http_bench.sh
}
booking() {
  section "Bookings on SQLite (goal: 2,000 bookings/s, no overbooking)" bash bench/booking_bench.sh
}
checkin() {
  section "Check-ins on SQLite (goal: 2,000 check-ins/s)" bash bench/checkin_bench.sh
}
paced() {
  section "Paced load on SQLite: bookings at 2,000/s (goal: p99 under 50 ms, no overbooking), fair numbers at 1,000/s" \
    bash bench/paced_bench.sh
}
reports() {
  cc -std=c11 -D_DEFAULT_SOURCE -O2 -Isrc bench/grid_bench.c src/report/report_index.c \
     src/report/report.c src/core/arena.c src/core/clock.c src/core/text.c src/geo/coord.c \
     $(pkg-config --cflags --libs jansson) -lm -o $tmp/grid_bench
  section "Point to grid (goal: under 20 us at 10,000 grids)" $tmp/grid_bench
  section "Grid reports over HTTP (goals: Open311 list under 20 ms at 100,000 reports; 50 reports/s with a 1 MB photo)" \
    bash bench/report_bench.sh all
}

lighthouse() {
  section "Lighthouse, mobile, simulated throttling (goal: performance at least 90)" bash bench/lighthouse.sh
}

{ echo "# Benchmark results${1:+: $sections}"; echo; machine; echo; } > $out
for s in $sections; do $s; done
cat $out
