#!/usr/bin/env bash
# (run by bench/run.sh, which writes bench/RESULTS.md)
# checkin_bench.sh - station check-ins per second over HTTP on SQLite
# (issue 10: at least 2,000/s), with a check of what was stored after
# each run.
#
# PEOPLE workers (default 2000) check in at SITES stations (50) of the
# demo catalogue for SECS seconds (10) over CONNS connections (64), driven
# by wrk (bench/checkin.lua): no worker checks in twice at one station
# (a repeat within 30 minutes is 200 counted:false, not a check-in) until
# PEOPLE x SITES requests have gone.
# 1. By the poster: POST /api/visits {code} as the worker, with the
#    station's poster code (GET /api/sites/{id}/poster).
# 2. By staff: POST /api/sites/{id}/visits {qr} as an admin, with the
#    worker's QR token (GET /api/me/qr, valid 2 minutes: fetched just
#    before the run), at SITES other stations.
# Each prints check-ins/s (201 answers over the run's length) next to
# the reference (2,000/s), wrk's requests/s, p50 and p99. After each run
# sqlite3 checks that the stored check-ins (visits rows of that kind) and
# the stations' hourly counters both grew by exactly the 201 answers; a
# failed check fails the script.
#
#   bash bench/checkin_bench.sh                      # the real run (make bench)
#   PEOPLE=20 SITES=4 SECS=1 bash bench/checkin_bench.sh   # a quick try
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-2000}
SITES=${SITES:-50}
CONNS=${CONNS:-64}
SECS=${SECS:-10}
THREADS=${THREADS:-2}
GOAL=2000
source bench/lib.sh
bench_start checkin

port=${PORT:-18431}
base=http://127.0.0.1:$port
db=$work/checkin.db

stored() { # via -> "visits rows, counter sum"
  sqlite3 -separator ' ' $db "SELECT (SELECT COUNT(*) FROM visits WHERE via = '$1'),
    (SELECT COALESCE(SUM($1), 0) FROM visit_counts WHERE scope = 'site')"
}

./warmharbor demo --db $db >/dev/null
./warmharbor user add --db $db --admin --password bench-password-1 13800000000 >/dev/null 2>&1
ADMIN=$(./warmharbor token create --db $db 13800000000 2>/dev/null)
people_tokens $PEOPLE > $work/tokens.txt

# Every connection comes from loopback: no per-address limit (http/guard.c).
WARMHARBOR_ACCESS_LOG=0 WARMHARBOR_CONN_PER_ADDRESS=0 ./warmharbor serve --db $db --listen 127.0.0.1:$port 2>$work/serve.log &
echo $! > $work/wh.pid
wait_up

# 2 x SITES stations that are not removed, each with its poster's code.
curl -sf "$base/api/sites?limit=$((2 * SITES))" | grep -o '"id":[0-9]*,"name_zh"' | cut -d: -f2 | cut -d, -f1 > $work/ids.txt
[ "$(wc -l < $work/ids.txt)" -ge $((2 * SITES)) ] || { echo "fewer than $((2 * SITES)) stations in the demo" >&2; exit 1; }
while read -r id; do
  echo "$id $(curl -sf -H "Authorization: Bearer $ADMIN" "$base/api/sites/$id/poster" | sed -n 's/.*"code":"\([^"]*\)".*/\1/p')"
done < $work/ids.txt > $work/all_sites.txt
head -$SITES $work/all_sites.txt > $work/poster_sites.txt
tail -n +$((SITES + 1)) $work/all_sites.txt | head -$SITES > $work/staff_sites.txt

echo "# check-in benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), wrk -t$THREADS -c$CONNS -d${SECS}s on loopback, SQLite"
printf '%-52s %10s %10s %9s %9s\n' "scenario" "per s" "reference" "p50" "p99"

run() { # label via tokens_file sites_file [staff token]
  local before after out per
  before=$(stored $2)
  out=$(WH_MODE=$2 WH_TOKENS=$3 WH_SITES=$4 WH_STAFF=${5:-} WH_THREADS=$THREADS \
        wrk -t$THREADS -c$CONNS -d${SECS}s --latency -s bench/checkin.lua "$base")
  wrk_figures "$out"
  per=$(echo "scale=1; $ok / $secs" | bc)
  printf '%-52s %10s %10s %9s %9s\n' "$1" "$per" "$GOAL" "$p50" "$p99"
  printf '%-52s %10s\n' "  the same run: requests (all answers)" "$rps"
  echo "  answers: $answers"
  echo "  $(echo "$per >= $GOAL" | bc | sed 's/1/meets the reference/; s/0/BELOW the reference/')"
  [ "$ok" -lt $((PEOPLE * SITES)) ] || echo "  every worker-station pair was used: raise PEOPLE or SITES for a true figure"
  after=$(stored $2)
  local v0=${before% *} c0=${before#* } v1=${after% *} c1=${after#* }
  # wrk stops counting at the deadline while up to one request a
  # connection is still in flight: those may be stored without an answer
  # counted, never the other way round; the counters always match the
  # check-ins stored.
  local extra=$((v1 - v0 - ok))
  echo "  stored: $((v1 - v0)) check-ins, counters +$((c1 - c0)) (201 answers $ok, at most $CONNS more in flight)"
  [ "$extra" -ge 0 ] && [ "$extra" -le "$CONNS" ] && [ $((c1 - c0)) = $((v1 - v0)) ] \
    || { echo "  $1: STORED CHECK FAILED"; return 1; }
}

# ---- 1. by the station's poster ------------------------------------------------
run "POST /api/visits, $PEOPLE workers x $SITES posters" poster $work/tokens.txt $work/poster_sites.txt

# ---- 2. staff scan the worker's QR --------------------------------------------------
while read -r token; do
  curl -sf -H "Authorization: Bearer $token" "$base/api/me/qr" | grep -o '"token":"[^"]*"' | cut -d'"' -f4
done < $work/tokens.txt > $work/qrs.txt
run "POST /api/sites/{id}/visits, $PEOPLE QR codes x $SITES sites" staff $work/qrs.txt $work/staff_sites.txt "$ADMIN"

kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
rm -f $work/wh.pid
