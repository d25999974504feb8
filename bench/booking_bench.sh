#!/usr/bin/env bash
# (run by bench/run.sh, which writes bench/RESULTS.md)
# booking_bench.sh - bookings per second on SQLite, with the overbooking
# check after the run.
#
# 1. Throughput: PEOPLE people (default 2000) book the SLOTS slots (200,
#    large capacities) of one offering whose per-person limit is ROUNDS
#    (20), through POST /api/bookings, driven by wrk (bench/booking.lua)
#    for SECS seconds with CONNS connections. Reports bookings/s (201
#    answers over the run's duration), wrk's requests/s, p50 and p99. The
#    goal: at least 2,000 bookings/s with zero overbooking.
# 2. The race: 500 connections, one person each at first, for one slot
#    of 10 seats: exactly 10 answers 201, every other one 409.
# After each run the database is checked with sqlite3: no slot has more
# seats taken than its capacity, and every slot's taken count equals its
# bookings that hold a seat (held, confirmed, offered); the 201 answers
# equal the bookings stored. A failed check fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-2000}
SLOTS=${SLOTS:-200}
ROUNDS=${ROUNDS:-20}
CONNS=${CONNS:-64}
SECS=${SECS:-10}
THREADS=${THREADS:-2}
RACE_PEOPLE=500
RACE_SEATS=10
work=$(mktemp -d /tmp/whbench-book.XXXXXX)
chmod 755 $work
export WARMHARBOR_SECRET_FILE=$work/bench.key
trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT

command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
make -s RELEASE=1 warmharbor >/dev/null

port=18430
base=http://127.0.0.1:$port
db=$work/book.db
. bench/lib.sh
# A JSON list of n slots of capacity cap, an hour apart from tomorrow,
# the first being the from-th.
slot_list() { # n cap from
  local t0 i t out=""
  t0=$(( $(date +%s) + 86400 ))
  for i in $(seq $3 $(($3 + $1 - 1))); do
    t=$((t0 + i * 3600))
    out="$out${out:+,}{\"start\":\"$(iso $t)\",\"end\":\"$(iso $((t + 1800)))\",\"capacity\":$2}"
  done
  echo "{\"slots\":[$out]}"
}
check_db() { # label expected_bookings
  local over mismatch stored
  over=$(sqlite3 $db "SELECT COUNT(*) FROM slots WHERE taken > capacity")
  mismatch=$(sqlite3 $db "SELECT COUNT(*) FROM slots s WHERE taken <> (SELECT COUNT(*) FROM bookings b
    WHERE b.slot_id = s.id AND b.state IN ('held', 'confirmed', 'offered'))")
  stored=$(sqlite3 $db "SELECT COUNT(*) FROM bookings WHERE state = 'confirmed'")
  echo "  $1: slots over capacity $over, slots whose taken differs from their bookings $mismatch, bookings stored $stored (201 answers $2)"
  [ "$over" = 0 ] && [ "$mismatch" = 0 ] && [ "$stored" = "$2" ] || { echo "  $1: OVERBOOKING CHECK FAILED"; return 1; }
}

./warmharbor demo --db $db >/dev/null
./warmharbor user add --db $db --admin --password bench-password-1 13800000000 >/dev/null 2>&1
ADMIN=$(./warmharbor token create --db $db 13800000000 2>/dev/null)
for i in $(seq 0 $((PEOPLE - 1))); do
  phone=1350$(printf '%07d' $i)
  ./warmharbor user add --db $db $phone >/dev/null 2>&1
  ./warmharbor token create --db $db $phone 2>/dev/null
done > $work/tokens.txt
head -$RACE_PEOPLE $work/tokens.txt > $work/race_tokens.txt

# Every connection comes from loopback: no per-address limit (http/guard.c).
WARMHARBOR_ACCESS_LOG=0 WARMHARBOR_CONN_PER_ADDRESS=0 ./warmharbor serve --db $db --listen 127.0.0.1:$port 2>$work/serve.log &
echo $! > $work/wh.pid
wait_up
site=$(curl -sf "$base/api/sites?type=community_station&limit=1" | first_id)

# ---- 1. throughput ----------------------------------------------------------
offering=$(api POST /api/offerings "{\"kind\":\"workshop\",\"title_zh\":\"压测\",\"site\":$site,\"per_person_limit\":$ROUNDS}" | first_id)
: > $work/slots.txt
for chunk in $(seq 1 $(( (SLOTS + 99) / 100 ))); do
  n=$(( SLOTS - (chunk - 1) * 100 )); [ $n -gt 100 ] && n=100
  api POST /api/offerings/$offering/slots "$(slot_list $n 100000 $(( (chunk - 1) * 100 )))" \
    | grep -o '"id":[0-9]*,"offering"' | cut -d: -f2 | cut -d, -f1 >> $work/slots.txt
done
out=$(WH_TOKENS=$work/tokens.txt WH_SLOTS=$work/slots.txt WH_ROUNDS=$ROUNDS WH_THREADS=$THREADS \
      wrk -t$THREADS -c$CONNS -d${SECS}s --latency -s bench/booking.lua "$base")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1=="50%" {print $2}')
p99=$(echo "$out" | awk '$1=="99%" {print $2}')
answers=$(echo "$out" | sed -n 's/^answers: //p')
secs=$(echo "$out" | awk '/^seconds:/ {print $2}')
ok=$(echo "$answers" | tr ',' '\n' | awk -F': ' '$1 ~ /^ *201$/ {print $2}')
ok=${ok:-0}
echo "# booking benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), wrk -t$THREADS -c$CONNS -d${SECS}s on loopback, SQLite"
printf '%-58s %12s %9s %9s\n' "scenario" "per s" "p50" "p99"
printf '%-58s %12s %9s %9s\n' "POST /api/bookings, $PEOPLE people, $SLOTS slots: bookings" \
  "$(echo "scale=1; $ok / $secs" | bc)" "$p50" "$p99"
printf '%-58s %12s\n' "  the same run: requests (all answers)" "$rps"
echo "  answers: $answers"
check_db "after the throughput run" "$ok"
confirmed_before=$ok

# ---- 2. 500 connections for 10 seats -------------------------------------------
offering=$(api POST /api/offerings "{\"kind\":\"workshop\",\"title_zh\":\"抢座\",\"site\":$site}" | first_id)
t0=$(( $(date +%s) + 40 * 86400 ))
slot=$(api POST /api/offerings/$offering/slots \
  "{\"start\":\"$(iso $t0)\",\"end\":\"$(iso $((t0 + 3600)))\",\"capacity\":$RACE_SEATS}" \
  | first_id)
echo $slot > $work/race_slot.txt
out=$(WH_TOKENS=$work/race_tokens.txt WH_SLOTS=$work/race_slot.txt WH_ROUNDS=1 WH_THREADS=$THREADS \
      wrk -t$THREADS -c$RACE_PEOPLE -d2s --latency -s bench/booking.lua "$base")
answers=$(echo "$out" | sed -n 's/^answers: //p')
won=$(echo "$answers" | tr ',' '\n' | awk -F': ' '$1 ~ /^ *201$/ {print $2}')
won=${won:-0}
p99=$(echo "$out" | awk '$1=="99%" {print $2}')
printf '%-58s %12s %9s %9s\n' "$RACE_PEOPLE connections for $RACE_SEATS seats: bookings made" "$won" "" "$p99"
echo "  answers: $answers"
[ "$won" = $RACE_SEATS ] || { echo "  RACE CHECK FAILED: $won bookings for $RACE_SEATS seats"; exit 1; }
taken=$(sqlite3 $db "SELECT taken FROM slots WHERE id = $slot")
echo "  the slot: $taken of $RACE_SEATS seats taken"
check_db "after the race" $((confirmed_before + RACE_SEATS))
kill $(cat $work/wh.pid); wait $(cat $work/wh.pid) 2>/dev/null || true
rm -f $work/wh.pid
