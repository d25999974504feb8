#!/usr/bin/env bash
# (run by bench/run.sh, which writes bench/RESULTS.md; `bash bench/run.sh
# --reports` runs only this and bench/grid_bench.c)
# report_bench.sh - grid reports over HTTP, the issue's two goals:
#
# 1. open311: GET /open311/v2/requests.json with the spec's filters under
#    20 ms at N reports (default 100,000). The reports are written in one
#    SQL statement (bench/report_load.sql, through sqlite3 or psql), not
#    through the API. Each query is driven by wrk (-c CONNS, SECS seconds)
#    and its median and 99th percentile printed. On SQLite, and with
#    PG=1 also on a throwaway PostgreSQL cluster.
# 2. photos: POST /api/reports with one 1 MB JPEG (made by the vips
#    command) by PEOPLE people in turn, wrk -c PHOTO_CONNS for PHOTO_SECS
#    seconds against a server with two threads (libvips runs one thread
#    per operation: two at once). Goal: at least 50 reports/s. Afterwards
#    every report made has its one photo and the count equals the 201
#    answers, or the script fails.
#
#   bash bench/report_bench.sh [open311|photos|all]
# A smoke run: N=2000 SECS=2 PHOTO_SECS=2 PEOPLE=5 bash bench/report_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
N=${N:-100000}
SECS=${SECS:-10}
CONNS=${CONNS:-4}
PHOTO_SECS=${PHOTO_SECS:-15}
PHOTO_CONNS=${PHOTO_CONNS:-4}
PEOPLE=${PEOPLE:-100}
THREADS=2
WRK_T=$(( CONNS < THREADS ? CONNS : THREADS ))
PHOTO_T=$(( PHOTO_CONNS < THREADS ? PHOTO_CONNS : THREADS ))
work=$(mktemp -d /tmp/whbench-report.XXXXXX)
chmod 755 $work
export WARMHARBOR_SECRET_FILE=$work/bench.key
pgdir=$work/pg
cleanup() {
  kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true
  [ -d $pgdir ] && sh tools/pg_cluster.sh stop $pgdir >/dev/null 2>&1 || true
  rm -rf $work
}
trap cleanup EXIT

command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
command -v vips >/dev/null || apt-get install -y -qq libvips-tools >/dev/null
make -s RELEASE=1 warmharbor >/dev/null

port=18450
base=http://127.0.0.1:$port
wait_up() { for _ in $(seq 1 600); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
serve() { # db log [env...]
  local db=$1 log=$2
  shift 2
  env WARMHARBOR_ACCESS_LOG=0 WARMHARBOR_CONN_PER_ADDRESS=0 "$@" \
    ./warmharbor serve --db "$db" --listen 127.0.0.1:$port 2>$log &
  echo $! > $work/wh.pid
  wait_up
}
stop() { kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true; rm -f $work/wh.pid; }
iso() { date -u -d @$1 +%Y-%m-%dT%H:%M:%SZ; }

# ---- 1. Open311 lists at N reports -------------------------------------------------
open311_queries() { # label
  local now t30 t37
  now=$(date +%s); t30=$((now - 30 * 86400)); t37=$((now - 37 * 86400))
  printf '%-72s %9s %9s %9s\n' "GET (${1}, $N reports, wrk -c$CONNS ${SECS}s)" "req/s" "p50" "p99"
  for q in \
    "/open311/v2/requests.json" \
    "/open311/v2/requests.json?service_code=safety_hazard" \
    "/open311/v2/requests.json?service_code=road_damage&status=open" \
    "/open311/v2/requests.json?status=closed&start_date=$(iso $t37)&end_date=$(iso $t30)" \
    "/open311/v2/requests.xml?service_code=fallen_tree&status=open,closed"; do
    local n out
    n=$(curl -sf "$base$q" | { grep -o "<request>\|\"service_request_id\"" || true; } | wc -l)
    out=$(wrk -t$WRK_T -c$CONNS -d${SECS}s --latency "$base$q")
    printf '%-72s %9s %9s %9s\n' "  ${q#/open311/v2/} ($n requests)" \
      "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
      "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')"
    echo "$out" | grep -q 'Non-2xx' && { echo "  non-2xx answers: $(echo "$out" | grep Non-2xx)"; return 1; }
  done
  echo "  goal: under 20 ms"
}

load_sql() { sed -e "s/@N@/$N/g" -e "s/@T0@/$(date +%s)/g" bench/report_load.sql; }

if [ "$WHAT" = open311 ] || [ "$WHAT" = all ]; then
  echo "# report benchmark (Open311 lists), $(date -u +%Y-%m-%dT%H:%MZ)"
  db=$work/o311.db
  ./warmharbor demo --db $db >/dev/null 2>>$work/demo.log
  t0=$(date +%s.%N)
  load_sql | sqlite3 $db
  echo "  loaded $N reports into SQLite in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s"
  serve $db $work/o311.log
  open311_queries SQLite
  stop
  if [ "${PG:-0}" = 1 ]; then
    mkdir -p $pgdir && chmod 755 $pgdir
    sh tools/pg_cluster.sh start $pgdir >/dev/null
    url=$(sh tools/pg_cluster.sh createdb $pgdir reportbench)
    ./warmharbor demo --db "$url" >/dev/null 2>>$work/demo.log
    t0=$(date +%s.%N)
    load_sql | psql -q "$url" >/dev/null
    psql -q "$url" -c ANALYZE >/dev/null
    echo "  loaded $N reports into PostgreSQL in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s"
    serve "$url" $work/o311pg.log
    open311_queries PostgreSQL
    stop
  fi
fi

# ---- 2. reports with a 1 MB photo ---------------------------------------------------
if [ "$WHAT" = photos ] || [ "$WHAT" = all ]; then
  echo "# report benchmark (a report with one 1 MB JPEG), $(date -u +%Y-%m-%dT%H:%MZ)"
  # A colour photo of noise, as big as a phone's at the quality that makes
  # it about 1 MB.
  for b in r g b; do vips gaussnoise $work/$b.v 2000 1500 --sigma 14; done
  vips bandjoin "$work/r.v $work/g.v $work/b.v" $work/rgb.v
  vips cast $work/rgb.v $work/rgbu.v uchar
  vips copy $work/rgbu.v $work/photo.v --interpretation srgb
  for q in 80 85 88 90 92 94 96; do
    vips jpegsave $work/photo.v $work/photo.jpg --Q $q
    [ $(stat -c %s $work/photo.jpg) -ge 1000000 ] && break
  done
  bytes=$(stat -c %s $work/photo.jpg)
  { printf '{"category":"road_damage","position":{"lat":34.572,"lon":119.194},'
    printf '"description":"bench","attributes":{"size":"medium"},"photos":["'
    base64 -w0 $work/photo.jpg
    printf '"]}'; } > $work/body.json
  db=$work/photo.db
  ./warmharbor demo --db $db >/dev/null 2>>$work/demo.log
  for i in $(seq 0 $((PEOPLE - 1))); do
    phone=1360$(printf '%07d' $i)
    ./warmharbor user add --db $db $phone >/dev/null 2>&1
    ./warmharbor token create --db $db $phone 2>/dev/null
  done > $work/tokens.txt
  before=$(sqlite3 $db "SELECT COUNT(*) FROM reports")
  # the base64 JSON of a 1 MB photo is over the 1 MiB default body limit
  serve $db $work/photo.log WARMHARBOR_THREADS=$THREADS WARMHARBOR_BODY_LIMIT=4194304
  out=$(WH_TOKENS=$work/tokens.txt WH_BODY=$work/body.json WH_THREADS=$PHOTO_T \
        wrk -t$PHOTO_T -c$PHOTO_CONNS -d${PHOTO_SECS}s --timeout 10s --latency -s bench/report_post.lua "$base")
  stop
  answers=$(echo "$out" | sed -n 's/^answers: //p')
  secs=$(echo "$out" | awk '/^seconds:/ {print $2}')
  ok=$(echo "$answers" | tr ',' '\n' | awk -F': ' '$1 ~ /^ *201$/ {print $2}')
  ok=${ok:-0}
  printf '%-72s %9s %9s %9s\n' "POST /api/reports, one $bytes-byte JPEG, 2 threads, wrk -c$PHOTO_CONNS" "per s" "p50" "p99"
  printf '%-72s %9s %9s %9s\n' "  reports made" "$(echo "scale=1; $ok / $secs" | bc)" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')"
  echo "  answers: $answers"
  echo "  goal: at least 50 reports/s"
  made=$(sqlite3 $db "SELECT COUNT(*) FROM reports")
  bad=$(sqlite3 $db "SELECT COUNT(*) FROM reports r WHERE r.description = 'bench' AND
    (SELECT COUNT(*) FROM report_photos p WHERE p.report_id = r.id) <> 1")
  stored=$((made - before))
  # a request still in flight when wrk stopped may have been stored unseen
  echo "  stored: $stored reports (201 answers $ok, at most $PHOTO_CONNS more in flight), $bad without exactly one photo"
  [ $stored -ge "$ok" ] && [ $stored -le $((ok + PHOTO_CONNS)) ] && [ "$bad" = 0 ] \
    || { echo "  CHECK FAILED"; exit 1; }
fi
