#!/usr/bin/env bash
# import_bench.sh - only the CSV import of http_bench.sh: N generated sites
# (default 180,000, in the importer's chunks) into a fresh demo database,
# with wall, user and system time. A sanity figure on a shared machine; the
# instruction counts come from callgrind (see the commits of issue 12).
#   bench/import_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-180000}
work=$(mktemp -d /tmp/whimport.XXXXXX)
trap 'rm -rf $work' EXIT
export WARMHARBOR_SECRET_FILE=$work/bench.key
make -s RELEASE=1 warmharbor >/dev/null
cc -O2 -Isrc -Ibench bench/gen_csv.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $work/gen_csv
./warmharbor demo --db $work/bench.db >/dev/null 2>&1
chunks=$($work/gen_csv $n $work/sites)
t0=$(date +%s.%N)
for i in $(seq 1 $chunks); do
  /usr/bin/time -a -o $work/cpu -f "%U %S" ./warmharbor import-sites --db $work/bench.db \
    $work/sites-$i.csv >/dev/null
done
t1=$(date +%s.%N)
printf '%s sites imported: %.2f s wall, %s\n' $n "$(echo "$t1 - $t0" | bc)" \
  "$(awk '{u += $1; s += $2} END {printf "%.2f s user, %.2f s system", u, s}' $work/cpu)"
