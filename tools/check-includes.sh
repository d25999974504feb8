#!/bin/sh
# check-includes.sh - library boundaries as include rules:
#   <microhttpd.h> only in src/http/, <sqlite3.h> and <libpq-fe.h> only in
#   src/store/, and src/core/ and src/geo/ use libc (and libm) only.
fail=0
bad() { echo "check-includes: $1"; fail=1; }
for f in $(grep -rl '#include <microhttpd.h>' src | grep -v '^src/http/'); do bad "$f includes microhttpd.h"; done
for f in $(grep -rlE '#include <(sqlite3|libpq-fe).h>' src | grep -v '^src/store/'); do bad "$f includes a database header"; done
for f in $(grep -rlE '#include <(microhttpd|jansson|sqlite3|libpq-fe|sodium).h>' src/core src/geo src/hours 2>/dev/null); do bad "$f: core, geo and hours use libc only"; done
[ $fail = 0 ] && echo "check-includes: ok"
exit $fail
