#!/bin/sh
# check-includes.sh - the layers' boundaries as include rules, and where
# SQL may be written:
#   <microhttpd.h> only in src/http/; <sqlite3.h> and <libpq-fe.h> only in
#   src/store/; src/core/, src/geo/ and src/hours/ use libc (and libm) only;
#   src/http/ includes only core/ and http/ (the server takes the app's
#   collaborators as options and knows no feature); src/store/ includes only
#   core/ and store/; SQL statements are written only in *_store.c files
#   (and the backends in src/store/).
fail=0
bad() { echo "check-includes: $1"; fail=1; }
for f in $(grep -rl '#include <microhttpd.h>' src | grep -v '^src/http/'); do bad "$f includes microhttpd.h"; done
for f in $(grep -rlE '#include <(sqlite3|libpq-fe).h>' src | grep -v '^src/store/'); do bad "$f includes a database header"; done
for f in $(grep -rlE '#include <(microhttpd|jansson|sqlite3|libpq-fe|sodium).h>' src/core src/geo src/hours 2>/dev/null); do bad "$f: core, geo and hours use libc only"; done
local_includes() { grep -hoE '#include "[^"/]+/' "$1" | sed -E 's/#include "//; s|/$||' | sort -u; }
allowed() { # allowed FILE LAYER...: every local include of FILE is in one of the layers
  f=$1; shift
  for dir in $(local_includes "$f"); do
    ok=0
    for l in "$@"; do [ "$dir" = "$l" ] && ok=1; done
    [ $ok = 1 ] || bad "$f includes $dir/ (this layer may include only: $*)"
  done
}
for f in $(find src/http -name '*.[ch]'); do allowed "$f" core http; done
for f in $(find src/store -name '*.[ch]'); do allowed "$f" core store; done
for f in $(find src/core -name '*.[ch]'); do allowed "$f" core; done
for f in $(find src/geo src/hours -name '*.[ch]'); do allowed "$f" core geo hours; done
# SQL: a string literal that starts a statement, outside *_store.c and src/store/.
sql='"[[:space:]]*(SELECT[[:space:]]|INSERT[[:space:]]+INTO|UPDATE[[:space:]]+[a-z_]+[[:space:]]+SET|DELETE[[:space:]]+FROM|CREATE[[:space:]]+(TABLE|INDEX)|WITH[[:space:]]+RECURSIVE)'
for f in $(grep -rlE "$sql" src --include='*.c' | grep -v '_store\.c$' | grep -v '^src/store/'); do
  bad "$f writes SQL: SQL belongs in a *_store.c file"
done
[ $fail = 0 ] && echo "check-includes: ok"
exit $fail
