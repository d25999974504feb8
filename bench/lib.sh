# lib.sh - what the HTTP benches driven by wrk share (sourced by
# booking_bench.sh and checkin_bench.sh, which set $base, $db and $ADMIN):
# waiting for the server, the admin's API calls, the first id of an
# answer, and many people with a bearer token each.
wait_up() { for _ in $(seq 1 600); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
api() { # method path json -> body
  curl -sf -X "$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
       -d "$3" "$base$2"
}
first_id() { grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }
# n people (phones 1350xxxxxxx), one bearer token per line on stdout.
people_tokens() { # n
  local i phone
  for i in $(seq 0 $(($1 - 1))); do
    phone=1350$(printf '%07d' $i)
    ./warmharbor user add --db $db $phone >/dev/null 2>&1
    ./warmharbor token create --db $db $phone 2>/dev/null
  done
}
