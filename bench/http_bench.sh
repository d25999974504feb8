#!/usr/bin/env bash
# (run by bench/run.sh, which writes bench/RESULTS.md)
# http_bench.sh - the near query over HTTP next to nginx, in one run.
#
# For each network size (180,000 and 1,000,000 sites spread like China's
# cities) it builds a database (demo catalogue + generated sites), starts
# warmharbor on loopback and drives /api/sites/near with wrk (k=5, an
# amenity filter and open=1, from changing places). With PG=1 (default)
# it does the same at the first size on PostgreSQL, with one node and with
# two nodes behind nginx, and runs a write-heavy mix (a quarter of the
# requests report live status) on SQLite and PostgreSQL. References: nginx
# serving a file of the same size as an answer, and the same from tmpfs
# with open_file_cache, with the same wrk settings; then warmharbor and
# nginx (tmpfs, driven by near.lua's own requests) take turns ROUNDS
# times (default 3) for the side-by-side ratio of issue 12's goal.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"180000 1000000"}
CONNS=${CONNS:-64}
SECS=${SECS:-10}
THREADS=${THREADS:-2}
work=$(mktemp -d /tmp/whbench.XXXXXX)
chmod 755 $work
export WARMHARBOR_SECRET_FILE=$work/bench.key
# wrk opens its connections from one address: the per-address guard
# (http/guard.c) is not what is measured here.
export WARMHARBOR_CONN_PER_ADDRESS=0
trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT

command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
make -s RELEASE=1 warmharbor >/dev/null
cc -O2 -Isrc -Ibench bench/gen_csv.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $work/gen_csv

port=18400
wait_up() { for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
run_wrk() { # url [script [script argument]] -> "req/s p50 p99"
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t$THREADS -c$CONNS -d${SECS}s --latency -s "$2" "$1" -- "$3");
  elif [ -n "${2:-}" ]; then out=$(wrk -t$THREADS -c$CONNS -d${SECS}s --latency -s "$2" "$1"); else out=$(wrk -t$THREADS -c$CONNS -d${SECS}s --latency "$1"); fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p50 $p99"
}

results=$work/results.txt
printf '%-58s %12s %9s %9s\n' "scenario" "req/s" "p50" "p99" > $results
for n in $SIZES; do
  db=$work/bench-$n.db
  ./warmharbor demo --db $db >/dev/null
  chunks=$($work/gen_csv $n $work/sites-$n)
  t0=$(date +%s.%N)
  for i in $(seq 1 $chunks); do ./warmharbor import-sites --db $db $work/sites-$n-$i.csv >/dev/null; done
  t1=$(date +%s.%N)
  WARMHARBOR_ACCESS_LOG=0 ./warmharbor serve --db $db --listen 127.0.0.1:$port 2>$work/serve-$n.log &
  echo $! > $work/wh.pid
  t2=$(date +%s.%N)
  wait_up $port
  t3=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' /proc/$(cat $work/wh.pid)/status)
  # A typical answer's size, for the reference servers.
  curl -s "http://127.0.0.1:$port/api/sites/near?lat=31.23&lon=121.47&k=5&amenity=microwave&open=1" > $work/answer.json
  size=$(wc -c < $work/answer.json)
  read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:$port" bench/near.lua)
  printf '%-58s %12s %9s %9s\n' "warmharbor /api/sites/near, $n sites" "$rps" "$p50" "$p99" >> $results
  kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
  rm -f $work/wh.pid
  printf '  %s sites: import %.1f s, start (cache + index) %.1f s, RSS %d MiB, answer %d bytes\n' \
    $n "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" $((rss / 1024)) $size >> $work/notes.txt
  if [ "$n" = "$(echo $SIZES | awk '{print $1}')" ]; then
    # The write-heavy mix on SQLite, on the same database.
    WH_TOKEN=$(./warmharbor user add --db $db --admin --password bench-password-1 13800000000 >/dev/null; ./warmharbor token create --db $db 13800000000)
    WARMHARBOR_ACCESS_LOG=0 ./warmharbor serve --db $db --listen 127.0.0.1:$port 2>>$work/serve-$n.log &
    echo $! > $work/wh.pid
    wait_up $port
    read -r rps p50 p99 < <(WH_TOKEN=$WH_TOKEN WH_SITES=$n run_wrk "http://127.0.0.1:$port" bench/status.lua)
    printf '%-58s %12s %9s %9s\n' "warmharbor write mix (25% status reports), SQLite, $n" "$rps" "$p50" "$p99" >> $results
    kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
    rm -f $work/wh.pid
    first_db=$db
  fi
done

if [ "${PG:-1}" = 1 ]; then
  n=$(echo $SIZES | awk '{print $1}')
  pgdir=$work/pg
  mkdir -p $pgdir && chmod 755 $pgdir
  pgurl=$(sh tools/pg_cluster.sh start $pgdir)
  trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; sh tools/pg_cluster.sh stop $pgdir >/dev/null 2>&1 || true; rm -rf $work' EXIT
  url=$(sh tools/pg_cluster.sh createdb $pgdir bench)
  ./warmharbor demo --db "$url" >/dev/null
  for i in $(seq 1 $(ls $work/sites-$n-*.csv | wc -l)); do ./warmharbor import-sites --db "$url" $work/sites-$n-$i.csv >/dev/null; done
  WARMHARBOR_SECRET_FILE=$work/pg.key WARMHARBOR_ACCESS_LOG=0 ./warmharbor serve --db "$url" --listen 127.0.0.1:18410 2>$work/pg1.log &
  echo $! > $work/n1.pid
  wait_up 18410
  read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18410" bench/near.lua)
  printf '%-58s %12s %9s %9s\n' "warmharbor /api/sites/near, PostgreSQL, 1 node, $n" "$rps" "$p50" "$p99" >> $results
  WH_TOKEN=$(WARMHARBOR_SECRET_FILE=$work/pg.key ./warmharbor user add --db "$url" --admin --password bench-password-1 13800000000 >/dev/null; WARMHARBOR_SECRET_FILE=$work/pg.key ./warmharbor token create --db "$url" 13800000000)
  read -r rps p50 p99 < <(WH_TOKEN=$WH_TOKEN WH_SITES=$n run_wrk "http://127.0.0.1:18410" bench/status.lua)
  printf '%-58s %12s %9s %9s\n' "warmharbor write mix (25% status reports), PostgreSQL, $n" "$rps" "$p50" "$p99" >> $results
  WARMHARBOR_SECRET_FILE=$work/pg.key WARMHARBOR_ACCESS_LOG=0 WARMHARBOR_THREADS=1 ./warmharbor serve --db "$url" --listen 127.0.0.1:18411 2>$work/pg2.log &
  echo $! > $work/n2.pid
  wait_up 18411
  mkdir -p $work/lb
  cat > $work/lb/nginx.conf <<NGX
worker_processes 1;
pid $work/lb/nginx.pid;
error_log $work/lb/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream wh { server 127.0.0.1:18410; server 127.0.0.1:18411; keepalive 64; }
  server { listen 127.0.0.1:18492;
           location / { proxy_pass http://wh; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGX
  nginx -c $work/lb/nginx.conf -p $work/lb
  sleep 0.3
  read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18492" bench/near.lua)
  printf '%-58s %12s %9s %9s\n' "warmharbor near, PostgreSQL, 2 nodes behind nginx, $n" "$rps" "$p50" "$p99" >> $results
  nginx -c $work/lb/nginx.conf -p $work/lb -s stop
  kill $(cat $work/n1.pid) $(cat $work/n2.pid); rm -f $work/n1.pid $work/n2.pid
  sh tools/pg_cluster.sh stop $pgdir >/dev/null 2>&1 || true
fi

# References: nginx with the same body size, from a file, and from a file
# whose descriptor and metadata nginx keeps open (open_file_cache) on
# tmpfs: the closest to "from memory" nginx allows for a body this size
# (`return 200 '...'` takes at most a 4 KiB token in its configuration).
mkdir -p $work/ngx/html /dev/shm/whbench-ngx
cp $work/answer.json $work/ngx/html/near.json
cp $work/answer.json /dev/shm/whbench-ngx/near.json
cat > $work/ngx/nginx.conf <<NGX
worker_processes $THREADS;
pid $work/ngx.pid;
error_log $work/ngx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:18490; root $work/ngx/html; location / { } }
  server { listen 127.0.0.1:18491; root /dev/shm/whbench-ngx;
           open_file_cache max=16 inactive=60s; open_file_cache_valid 60s;
           location / { } }
}
NGX
nginx -c $work/ngx/nginx.conf -p $work/ngx
sleep 0.3
read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18490/near.json")
printf '%-58s %12s %9s %9s\n' "nginx static file, $size bytes" "$rps" "$p50" "$p99" >> $results
read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18491/near.json")
printf '%-58s %12s %9s %9s\n' "nginx tmpfs file + open_file_cache, $size bytes" "$rps" "$p50" "$p99" >> $results
# The same, driven by near.lua's requests (its paths with /near.json in
# place of /api/sites/near; nginx ignores the query): wrk then does the
# same work per request as against warmharbor, on the same two cores.
read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18491" bench/near.lua /near.json)
printf '%-58s %12s %9s %9s\n' "nginx tmpfs + open_file_cache, near.lua's requests" "$rps" "$p50" "$p99" >> $results
# Side by side: warmharbor (first size) and nginx (tmpfs, near.lua's
# requests) take turns, ROUNDS times, so both see the same machine state;
# the goal's ratio is the median of the rounds' ratios.
WARMHARBOR_ACCESS_LOG=0 ./warmharbor serve --db $first_db --listen 127.0.0.1:$port 2>>$work/serve-side.log &
echo $! > $work/wh.pid
wait_up $port
SECS=2 run_wrk "http://127.0.0.1:$port" bench/near.lua >/dev/null # warms the open-state memos
ratios=""
for round in $(seq 1 ${ROUNDS:-5}); do
  read -r wrps wp50 wp99 < <(run_wrk "http://127.0.0.1:$port" bench/near.lua)
  read -r nrps np50 np99 < <(run_wrk "http://127.0.0.1:18491" bench/near.lua /near.json)
  ratio=$(echo "scale=3; $wrps / $nrps" | bc)
  ratios="$ratios $ratio"
  printf '%-58s %12s %9s %9s\n' "round $round: warmharbor near, $(echo $SIZES | awk '{print $1}') sites" "$wrps" "$wp50" "$wp99" >> $results
  printf '%-58s %12s %9s %9s\n' "round $round: nginx tmpfs, near.lua's requests (ratio $ratio)" "$nrps" "$np50" "$np99" >> $results
done
echo "  side by side: ratios$ratios, median $(echo $ratios | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" >> $work/notes.txt
kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
rm -f $work/wh.pid
nginx -c $work/ngx/nginx.conf -p $work/ngx -s stop
rm -rf /dev/shm/whbench-ngx

{
  echo "# HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), wrk -t$THREADS -c$CONNS -d${SECS}s on loopback"
  # near.lua asks for sites open now: how many candidates a query refuses
  # (and so its cost) depends on the hour where the sites are.
  echo "# China time at the end: $(TZ=Asia/Shanghai date +%H:%M) (open=1 answers depend on the hour)"
  cat $results
  cat $work/notes.txt
}
