#!/usr/bin/env bash
# (run by bench/run.sh, which writes bench/RESULTS.md; `bash bench/run.sh
# --only paced` runs this one alone)
# paced_bench.sh - latency at a fixed request rate on SQLite, measured
# without coordinated omission by bench/paced_load.c (each request timed
# from the moment it was due, not from when a free connection sent it).
#
# 1. Bookings: POST /api/bookings at RATE per second (2,000) for SECS
#    seconds over CONNS connections, by PEOPLE people (2,000) on SLOTS
#    slots (200) of one offering whose per-person limit is ROUNDS (20).
#    Every fourth slot has SMALL_CAP seats (5), so seats run out under
#    load and "full" answers come; the others are never full. Reports the
#    rate achieved, p50, p99, p99.9, max and the answers; the goal is a
#    p99 under 50 ms at 2,000 bookings/s. Then the overbooking checks on
#    the database (sqlite3): no slot over capacity, every slot's taken
#    count equal to its bookings that hold a seat, the bookings stored
#    equal to the 201 answers. A failed check fails the script.
# 2. Fair numbers: POST /api/fairs/{id}/booths/{booth}/tickets at
#    FAIR_RATE per second (1,000) for FAIR_SECS seconds, each person once
#    per booth (18 booths); then the same at FAIR_MAX_RATE (4,000, more
#    than the server can take on 2 cores; as many booths as it takes for
#    nobody to ask twice, at most 60) for the throughput it does reach. Goal: at least 1,000 numbers/s. Checks: the numbers stored
#    equal the 201 answers, and no booth gave a number twice.
# The reference, next to each: the same generator at the same rate on
# GET /healthz of the same server (HTTP and threads, no store): the floor
# that loopback, the server's HTTP layer and the generator set.
#
# Every client is on 127.0.0.1, so the server runs with
# WARMHARBOR_CONN_PER_ADDRESS=0. Try it small:
#   PEOPLE=30 SLOTS=20 RATE=200 SECS=1 FAIR_RATE=100 FAIR_SECS=1 \
#     FAIR_MAX_RATE=300 bash bench/paced_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-2000}
SLOTS=${SLOTS:-200}
ROUNDS=${ROUNDS:-20}
SMALL_CAP=${SMALL_CAP:-5}
RATE=${RATE:-2000}
SECS=${SECS:-10}
CONNS=${CONNS:-64}
FAIR_RATE=${FAIR_RATE:-1000}
FAIR_SECS=${FAIR_SECS:-10}
FAIR_MAX_RATE=${FAIR_MAX_RATE:-4000}
FAIR_BOOTHS=${FAIR_BOOTHS:-18}
work=$(mktemp -d /tmp/whbench-paced.XXXXXX)
chmod 755 $work
export WARMHARBOR_SECRET_FILE=$work/bench.key
trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT

command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
make -s RELEASE=1 warmharbor >/dev/null
cc -std=c11 -O2 -o $work/paced_load bench/paced_load.c

port=18440
base=http://127.0.0.1:$port
db=$work/paced.db
. bench/lib.sh
# paced RATE SECS FILE -> the generator's "key: value" lines
paced() { $work/paced_load -p $port -r $1 -d $2 -c $CONNS -f $3; }
val() { echo "$1" | sed -n "s/^$2: //p"; }
ok_of() { echo "$1" | tr ',' '\n' | awk -F': ' '$1 ~ /^ *201$/ {print $2}'; }
row() { # label rate p50 p99 p999 max
  printf '%-56s %9s %8s %8s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
report() { # label output
  row "$1" "$(val "$2" rate)" "$(val "$2" p50_ms)" "$(val "$2" p99_ms)" "$(val "$2" p999_ms)" "$(val "$2" max_ms)"
  echo "    due $(val "$2" due), sent $(val "$2" sent), answered $(val "$2" answered), failed $(val "$2" failed), latest send $(val "$2" max_send_lag_ms) ms after its time"
  echo "    answers: $(val "$2" answers)"
}

./warmharbor demo --db $db >/dev/null
./warmharbor user add --db $db --admin --password bench-password-1 13800000000 >/dev/null 2>&1
ADMIN=$(./warmharbor token create --db $db 13800000000 2>/dev/null)
for i in $(seq 0 $((PEOPLE - 1))); do
  phone=1360$(printf '%07d' $i)
  ./warmharbor user add --db $db $phone >/dev/null 2>&1
  ./warmharbor token create --db $db $phone 2>/dev/null
done > $work/tokens.txt

WARMHARBOR_ACCESS_LOG=0 WARMHARBOR_CONN_PER_ADDRESS=0 ./warmharbor serve --db $db \
  --listen 127.0.0.1:$port 2>$work/serve.log &
echo $! > $work/wh.pid
wait_up
site=$(curl -sf "$base/api/sites?type=community_station&limit=1" | first_id)
printf 'GET\t/healthz\t\t\n' > $work/healthz.txt

echo "# paced benchmark, $(date -u +%Y-%m-%dT%H:%MZ), SQLite"
echo "# machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), bench/paced_load.c with $CONNS connections on loopback"
echo "# latency in ms from each request's due time to its answer's last byte"
row "scenario" "done/s" "p50" "p99" "p99.9" "max"

# ---- 1. bookings at RATE/s ----------------------------------------------------
offering=$(api POST /api/offerings "{\"kind\":\"workshop\",\"title_zh\":\"定速压测\",\"site\":$site,\"per_person_limit\":$ROUNDS}" | first_id)
t0=$(( $(date +%s) + 86400 ))
: > $work/slots.txt
for i in $(seq 0 $((SLOTS - 1))); do
  t=$((t0 + i * 3600))
  cap=100000; [ $((i % 4)) = 3 ] && cap=$SMALL_CAP
  api POST /api/offerings/$offering/slots \
    "{\"start\":\"$(iso $t)\",\"end\":\"$(iso $((t + 1800)))\",\"capacity\":$cap}" | first_id >> $work/slots.txt
done
# Request k: person k mod P in round k div P, for slot (person + 7 round)
# mod S, so a person asks for a slot once while S >= 7 rounds.
awk -v n=$((RATE * SECS)) -v P=$PEOPLE 'NR == FNR { tok[NR - 1] = $0; next } { slot[FNR - 1] = $0; S = FNR }
  END { for (k = 0; k < n; k++) { p = k % P; r = int(k / P)
    printf "POST\t/api/bookings\t%s\t{\"slot\":%s}\n", tok[p], slot[(p + 7 * r) % S] } }' \
  $work/tokens.txt $work/slots.txt > $work/bookings.txt
out=$(paced $RATE $SECS $work/bookings.txt)
report "POST /api/bookings at $RATE/s, $PEOPLE people, $SLOTS slots" "$out"
ref=$(paced $RATE $SECS $work/healthz.txt)
report "  reference: GET /healthz at $RATE/s" "$ref"
ok=$(ok_of "$(val "$out" answers)"); ok=${ok:-0}
over=$(sqlite3 $db "SELECT COUNT(*) FROM slots WHERE taken > capacity")
mismatch=$(sqlite3 $db "SELECT COUNT(*) FROM slots s WHERE taken <> (SELECT COUNT(*) FROM bookings b
  WHERE b.slot_id = s.id AND b.state IN ('held', 'confirmed', 'offered'))")
stored=$(sqlite3 $db "SELECT COUNT(*) FROM bookings WHERE offering_id = $offering AND state = 'confirmed'")
full=$(sqlite3 $db "SELECT COUNT(*) FROM slots WHERE offering_id = $offering AND taken = capacity")
echo "    checks: slots over capacity $over, slots whose taken differs from their bookings $mismatch,"
echo "    bookings stored $stored for $ok answers 201, slots filled to capacity $full"
[ "$over" = 0 ] && [ "$mismatch" = 0 ] && [ "$stored" = "$ok" ] || { echo "    OVERBOOKING CHECK FAILED"; exit 1; }

# ---- 2. fair numbers ---------------------------------------------------------------
# fair_requests FAIR -> the file of its number requests: person k mod P at
# booth (k div P) mod B, each pair once while the run is at most P * B.
fair_requests() { # fair n
  curl -sf "$base/api/fairs/$1" | grep -o '"booths":\[.*' | grep -o '"id":[0-9]*' | cut -d: -f2 > $work/booths-$1.txt
  awk -v n=$2 -v P=$PEOPLE -v f=$1 'NR == FNR { tok[NR - 1] = $0; next } { b[FNR - 1] = $0; B = FNR }
    END { for (k = 0; k < n; k++) printf "POST\t/api/fairs/%s/booths/%s/tickets\t%s\t\n", f, b[int(k / P) % B], tok[k % P] }' \
    $work/tokens.txt $work/booths-$1.txt
}
new_fair() { # booths
  local now booths i
  now=$(date +%s)
  booths=""
  for i in $(seq 1 $1); do booths="$booths${booths:+,}{\"name_zh\":\"摊位$i\",\"avg_service_min\":10}"; done
  local id
  id=$(api POST /api/fairs "{\"site_id\":$site,\"title_zh\":\"定速集市\",\"starts_at\":\"$(iso $((now - 3600)))\",\"ends_at\":\"$(iso $((now + 8 * 3600)))\",\"booths\":[$booths]}" | first_id)
  api PATCH /api/fairs/$id '{"state":"open"}' >/dev/null
  echo $id
}
fair_check() { # fair output
  local ok stored dup
  ok=$(ok_of "$(val "$2" answers)"); ok=${ok:-0}
  echo "    numbers given: $ok, $(echo "scale=1; $ok / $(val "$2" seconds)" | bc) per second"
  stored=$(sqlite3 $db "SELECT COUNT(*) FROM fair_tickets WHERE fair_id = $1")
  dup=$(sqlite3 $db "SELECT COUNT(*) FROM (SELECT booth_id, number FROM fair_tickets WHERE fair_id = $1
    GROUP BY booth_id, number HAVING COUNT(*) > 1)")
  echo "    checks: numbers stored $stored for $ok answers 201, numbers given twice $dup"
  [ "$stored" = "$ok" ] && [ "$dup" = 0 ] || { echo "    FAIR CHECK FAILED"; exit 1; }
}
fair=$(new_fair $FAIR_BOOTHS)
fair_requests $fair $((FAIR_RATE * FAIR_SECS)) > $work/fair.txt
out=$(paced $FAIR_RATE $FAIR_SECS $work/fair.txt)
report "POST .../tickets (a fair number) at $FAIR_RATE/s, $FAIR_BOOTHS booths" "$out"
ref=$(paced $FAIR_RATE $FAIR_SECS $work/healthz.txt)
report "  reference: GET /healthz at $FAIR_RATE/s" "$ref"
fair_check $fair "$out"
# Enough booths that nobody asks twice at one (at most 60 a fair).
n=$((FAIR_MAX_RATE * FAIR_SECS))
booths=$(( (n + PEOPLE - 1) / PEOPLE )); [ $booths -lt $FAIR_BOOTHS ] && booths=$FAIR_BOOTHS; [ $booths -gt 60 ] && booths=60
fair=$(new_fair $booths)
fair_requests $fair $n > $work/fair-max.txt
out=$(paced $FAIR_MAX_RATE $FAIR_SECS $work/fair-max.txt)
report "the same asked at $FAIR_MAX_RATE/s: the throughput reached" "$out"
fair_check $fair "$out"

kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
rm -f $work/wh.pid
