#!/usr/bin/env bash
# http_bench.sh - the near query over HTTP next to nginx, in one run.
#
# For each network size (180,000 and 1,000,000 sites spread like China's
# cities) it builds a database (demo catalogue + generated sites), starts
# warmharbor on loopback and drives /api/sites/near with wrk (k=5, an
# amenity filter and open=1, from changing places), then serves a file of
# the same size as an average answer from nginx, and the same bytes from
# nginx's memory (`return 200`), with the same wrk settings. Prints a table
# and writes it to bench/RESULTS-http.txt. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"180000 1000000"}
CONNS=${CONNS:-64}
SECS=${SECS:-10}
THREADS=${THREADS:-2}
work=$(mktemp -d /tmp/whbench.XXXXXX)
trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT

command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
make -s RELEASE=1 warmharbor >/dev/null
cc -O2 -Isrc -Ibench bench/gen_csv.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $work/gen_csv

port=18400
wait_up() { for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
run_wrk() { # url [script] -> "req/s p50 p99"
  local out
  if [ -n "${2:-}" ]; then out=$(wrk -t$THREADS -c$CONNS -d${SECS}s --latency -s "$2" "$1"); else out=$(wrk -t$THREADS -c$CONNS -d${SECS}s --latency "$1"); fi
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
done

# References: nginx with the same body size, from a file and from memory.
mkdir -p $work/ngx/html
head -c $size /dev/zero | tr '\0' 'x' > $work/ngx/html/near.json
body=$(head -c $size /dev/zero | tr '\0' 'x')
cat > $work/ngx/nginx.conf <<NGX
worker_processes $THREADS;
pid $work/ngx.pid;
error_log $work/ngx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:18490; root $work/ngx/html; location / { } }
  server { listen 127.0.0.1:18491; location / { default_type application/json; return 200 '$body'; } }
}
NGX
nginx -c $work/ngx/nginx.conf -p $work/ngx
sleep 0.3
read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18490/near.json")
printf '%-58s %12s %9s %9s\n' "nginx static file, $size bytes" "$rps" "$p50" "$p99" >> $results
read -r rps p50 p99 < <(run_wrk "http://127.0.0.1:18491/")
printf '%-58s %12s %9s %9s\n' "nginx return 200 from memory, $size bytes" "$rps" "$p50" "$p99" >> $results
nginx -c $work/ngx/nginx.conf -p $work/ngx -s stop

{
  echo "# HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), wrk -t$THREADS -c$CONNS -d${SECS}s on loopback"
  cat $results
  cat $work/notes.txt
} | tee bench/RESULTS-http.txt
