#!/usr/bin/env bash
# Live-serving figures for bench/RESULTS.md (issue 24): event ingest (single events at concurrency 64, batches of
# 1,000), mixed load (80% /recommend by user, 20% single events) against recommend-only by user, and a hot swap
# under mixed load (--watch; the model file is replaced by atomic rename in the middle of the run; per-second p99).
# Server and load generator share this machine's cores.
#   bench/scripts/serve-live-bench.sh MODEL [SECONDS [PARTS]]   (PARTS: any of ingest,mixed,swap; default all three)
#   WARMUP=8: unmeasured seconds before each run, FIRST_WARMUP=30 before the first run after a server start (the JIT:
#   single events measured 8,611-10,057/s after 8 s of warm-up and 11,134-11,669/s after 30 s, same server and load).
set -euo pipefail
MODEL=${1:?model file}
SECONDS_PER_RUN=${2:-10}
PARTS=${3:-ingest,mixed,swap}
JAR=${JAR:-cli/target/lstmrec.jar}
PORT=${PORT:-18090}
WARMUP=${WARMUP:-8}
FIRST_WARMUP=${FIRST_WARMUP:-30}
WORK=$(mktemp -d)
J="java --add-modules jdk.incubator.vector -jar $JAR"
cp "$MODEL" "$WORK/m.lstmrec"
start() {
  $J serve --model "$WORK/m.lstmrec" --journal "$WORK/journal-$1" --port $PORT --watch > "$WORK/serve-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 120); do curl -sf localhost:$PORT/health > /dev/null && return; sleep 0.5; done
  echo "server did not start"; exit 1
}
stop() { kill $SERVER; wait $SERVER || true; }
load() { $J serve-load --url http://127.0.0.1:$PORT --model "$WORK/m.lstmrec" --seconds $SECONDS_PER_RUN --warmup-seconds ${W:-$WARMUP} "$@"; }

want() { [[ ",$PARTS," == *",$1,"* ]]; }
if want ingest; then
  start ingest
  echo "## events, single-event requests, concurrency 64";   W=$FIRST_WARMUP load --mode events --batch 1 --concurrency 64
  echo "## events, batches of 1,000, concurrency 16";        load --mode events --batch 1000 --concurrency 16
  stop
fi
if want mixed || want swap; then
  start mixed
  if want mixed; then
    echo "## recommend-only by user id, concurrency 64";     W=$FIRST_WARMUP load --mode recommend --by user --concurrency 64
    echo "## mixed 80/20, concurrency 64";                   load --mode mixed --concurrency 64
  fi
  if want swap; then
    # The first swap in a JVM compiles the swap path (C2 took 30-90% of a core for ~10 s): one unmeasured swap first,
    # so the measured one is what a long-running server's hourly swaps cost.
    echo "## warm-up swap under mixed load (not measured)"
    ( sleep $((WARMUP + 2)); cp "$MODEL" "$WORK/.m.tmp"; mv "$WORK/.m.tmp" "$WORK/m.lstmrec" ) &
    WARM_SWAP=$!
    W=$FIRST_WARMUP load --mode mixed --concurrency 64 > /dev/null
    wait $WARM_SWAP
    echo "## hot swap under mixed load (file replaced at ~${SECONDS_PER_RUN}/2 s)"
    ( sleep $((WARMUP + SECONDS_PER_RUN / 2)); cp "$MODEL" "$WORK/.m.tmp"; mv "$WORK/.m.tmp" "$WORK/m.lstmrec"; date +"file replaced at %T.%N" ) &
    SWAP=$!
    date +"load started at %T.%N ($WARMUP s warm-up, then the measured seconds)"
    load --mode mixed --concurrency 64 --per-second
    wait $SWAP
    grep -h -B1 "serving .*the file changed" "$WORK/serve-mixed.log" || true
    curl -s localhost:$PORT/info | python3 -c 'import json,sys; i=json.load(sys.stdin); print("reloads", i["reloads"], "loaded_at", i["model_loaded_at"])'
  fi
  stop
fi
rm -rf "$WORK"
