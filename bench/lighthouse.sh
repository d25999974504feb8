#!/usr/bin/env bash
# lighthouse.sh - Lighthouse's mobile performance score of the Warm New Map
# (simulated throttling, Debian's chromium), on the demo data, RUNS times
# (3 by default): each run's score and its metrics, then the median.
# Lighthouse is installed into a scratch folder from the npm registry for
# the run (it is large and no test needs it).
#   bash bench/lighthouse.sh            (LIGHTHOUSE_VERSION=12 RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_start lighthouse
port=18470
base=http://127.0.0.1:$port
./warmharbor demo --db $work/demo.db >/dev/null 2>&1
WARMHARBOR_ACCESS_LOG=0 ./warmharbor serve --db $work/demo.db --listen 127.0.0.1:$port 2>$work/serve.log &
echo $! > $work/serve.pid
wait_up
(cd $work && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "lighthouse@${LIGHTHOUSE_VERSION:-12}" >/dev/null)
echo "Lighthouse $(cd $work && node -p 'require("lighthouse/package.json").version'), mobile, simulated throttling, $(chromium --version)"
scores=()
for i in $(seq 1 "${RUNS:-3}"); do
  CHROME_PATH=/usr/bin/chromium $work/node_modules/.bin/lighthouse "$base/" --quiet \
    --only-categories=performance --form-factor=mobile --throttling-method=simulate \
    --chrome-flags="--headless=new --no-sandbox" --output=json --output-path=$work/r$i.json
  line=$(node -e '
    const r = require(process.argv[1]);
    const a = (k) => r.audits[k].displayValue;
    console.log(Math.round(r.categories.performance.score * 100) + " " +
      `FCP ${a("first-contentful-paint")}, LCP ${a("largest-contentful-paint")}, ` +
      `TBT ${a("total-blocking-time")}, CLS ${a("cumulative-layout-shift")}, SI ${a("speed-index")}`);
  ' $work/r$i.json)
  scores+=("${line%% *}")
  echo "  run $i: score ${line%% *} (${line#* })"
done
median=$(printf '%s\n' "${scores[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
echo "  median score: $median (goal: at least 90)"
