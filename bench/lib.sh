# lib.sh - helpers the HTTP benchmarks share (sourced; they set $base and,
# once they have one, $ADMIN, an administrator's bearer token).

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
