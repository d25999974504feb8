#!/usr/bin/env bash
# run.sh - every benchmark in one run (make bench): the spatial index alone
# (bench/index_bench.c), then HTTP (bench/http_bench.sh). The figures and
# the machine go to bench/RESULTS.md. Not part of make test; the machine
# should be otherwise idle.
set -eu
cd "$(dirname "$0")/.."
out=bench/RESULTS.md
tmp=$(mktemp -d /tmp/whbench-run.XXXXXX)
trap 'rm -rf $tmp' EXIT
cc -O2 -Isrc -Ibench bench/index_bench.c bench/gen_sites.c src/geo/index.c src/geo/coord.c \
   -lm -lpthread -o $tmp/index_bench
{
  echo "# Benchmark results"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr). Shared machine: figures are indicative."
  echo
  echo "## Spatial index alone"
  echo
  echo '```'
  $tmp/index_bench
  echo '```'
  echo
  echo "## HTTP"
  echo
  echo '```'
  bash bench/http_bench.sh
  echo '```'
} > $tmp/results.md 2>&1
cp $tmp/results.md $out
cat $out
