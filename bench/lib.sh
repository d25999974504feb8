# lib.sh - what the HTTP benches driven by wrk share (sourced by
# booking_bench.sh and checkin_bench.sh from the checkout's top, which set
# $base, $db and $ADMIN): a work folder removed at the end (with the
# server whose pid is in it), the tools and the build, waiting for the
# server, the admin's API calls, the first id of an answer, many people
# with a bearer token each, and the figures of a wrk run.

bench_start() { # name: sets $work
  work=$(mktemp -d /tmp/whbench-$1.XXXXXX)
  chmod 755 $work
  export WARMHARBOR_SECRET_FILE=$work/bench.key
  trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT
  command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
  command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
  make -s RELEASE=1 warmharbor >/dev/null
}
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
# The figures of wrk's output (with --latency and a script of ours that
# prints answers: and seconds:): sets rps p50 p99 answers secs, and ok (the
# 201 answers).
wrk_figures() { # output
  rps=$(echo "$1" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$1" | awk '$1=="50%" {print $2}')
  p99=$(echo "$1" | awk '$1=="99%" {print $2}')
  answers=$(echo "$1" | sed -n 's/^answers: //p')
  secs=$(echo "$1" | awk '/^seconds:/ {print $2}')
  ok=$(echo "$answers" | tr ',' '\n' | awk -F': ' '$1 ~ /^ *201$/ {print $2}')
  ok=${ok:-0}
}
