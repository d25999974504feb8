# lib.sh - helpers the HTTP benchmarks share (sourced from the checkout's
# top; they set $base and, once they have one, $ADMIN, an administrator's
# bearer token, and $db for people_tokens).

# A work folder ($work) removed at the end, with the server whose pid is
# in it; wrk and sqlite3 installed when missing; the binary built.
bench_start() { # name
  work=$(mktemp -d /tmp/whbench-$1.XXXXXX)
  chmod 755 $work
  export WARMHARBOR_SECRET_FILE=$work/bench.key
  trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf $work' EXIT
  command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
  command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
  make -s RELEASE=1 warmharbor >/dev/null
}
# Wait for the server at $base to answer /healthz (two minutes at most).
wait_up() { for _ in $(seq 1 600); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
# api METHOD PATH JSON: the answer's body, as the administrator.
api() {
  curl -sf -X "$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
       -d "$3" "$base$2"
}
# The first "id" of the JSON on standard input.
first_id() { grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }
# Unix seconds as ISO 8601 in UTC.
iso() { date -u -d @$1 +%Y-%m-%dT%H:%M:%SZ; }
# n people (phones 1350xxxxxxx) in $db, one bearer token per line on stdout.
people_tokens() { # n
  local phones
  phones=$(seq 0 $(($1 - 1)) | awk '{printf "1350%07d\n", $1}')
  # shellcheck disable=SC2086 # one argument a phone
  ./warmharbor user add --db $db $phones >/dev/null 2>&1
  # shellcheck disable=SC2086
  ./warmharbor token create --db $db $phones 2>/dev/null
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
