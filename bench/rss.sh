#!/usr/bin/env bash
# rss.sh - resident memory of `warmharbor serve` holding N generated sites
# (default 180,000), read from /proc/PID/status once it answers /healthz.
# Not a timing: a busy machine gives the same figure. Keeps the database
# in $WORK (default a temporary directory, removed at the end) so a second
# run with WORK=dir reuses it.
#   N=180000 bench/rss.sh            # builds, imports, serves, prints RSS
#   BIN=path/to/warmharbor bench/rss.sh   # another build on the same data
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-180000}
BIN=${BIN:-build/default/warmharbor}
PORT=${PORT:-18470}
keep=${WORK:+1}
work=${WORK:-$(mktemp -d /tmp/whrss.XXXXXX)}
mkdir -p $work
export WARMHARBOR_SECRET_FILE=$work/bench.key
trap 'kill $(cat $work/wh.pid 2>/dev/null) 2>/dev/null || true; [ -n "$keep" ] || rm -rf $work' EXIT
[ "$BIN" != build/default/warmharbor ] || make -s warmharbor >/dev/null
db=$work/rss-$N.db
if [ ! -f $db ]; then
  cc -O2 -Isrc -Ibench bench/gen_csv.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
     -lm -lpthread -o $work/gen_csv
  $BIN demo --db $db >/dev/null
  chunks=$($work/gen_csv $N $work/sites-$N)
  for i in $(seq 1 $chunks); do $BIN import-sites --db $db $work/sites-$N-$i.csv >/dev/null; rm $work/sites-$N-$i.csv; done
fi
WARMHARBOR_ACCESS_LOG=0 $BIN serve --db $db --listen 127.0.0.1:$PORT 2>$work/serve.log &
echo $! > $work/wh.pid
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
rss=$(awk '/VmRSS/ {print $2}' /proc/$(cat $work/wh.pid)/status)
sites=$(sqlite3 $db 'SELECT count(*) FROM sites')
printf 'sites %d, RSS %d KiB (%.1f MiB), %.0f bytes a site\n' $sites $rss $(echo "$rss/1024" | bc -l) \
  $(echo "$rss*1024/$sites" | bc -l)
