#!/usr/bin/env bash
# Live-serving figures for bench/RESULTS.md (issue 24): event ingest (single events at concurrency 64, batches of
# 1,000), mixed load (80% /recommend by user, 20% single events) against recommend-only by user, and a hot swap
# under mixed load (--watch; the model file is replaced by atomic rename in the middle of the run; per-second p99).
# Server and load generator share this machine's cores.
#   bench/scripts/serve-live-bench.sh MODEL [SECONDS]
set -euo pipefail
MODEL=${1:?model file}
SECONDS_PER_RUN=${2:-10}
JAR=${JAR:-cli/target/lstmrec.jar}
PORT=${PORT:-18090}
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
load() { $J serve-load --url http://127.0.0.1:$PORT --model "$WORK/m.lstmrec" --seconds $SECONDS_PER_RUN --warmup-seconds 2 "$@"; }

start ingest
echo "## events, single-event requests, concurrency 64";   load --mode events --batch 1 --concurrency 64
echo "## events, batches of 1,000, concurrency 16";        load --mode events --batch 1000 --concurrency 16
stop
start mixed
echo "## recommend-only by user id, concurrency 64";       load --mode recommend --by user --concurrency 64
echo "## mixed 80/20, concurrency 64";                     load --mode mixed --concurrency 64
echo "## hot swap under mixed load (file replaced at ~${SECONDS_PER_RUN}/2 s)"
( sleep $((2 + SECONDS_PER_RUN / 2)); cp "$MODEL" "$WORK/.m.tmp"; mv "$WORK/.m.tmp" "$WORK/m.lstmrec"; date +"file replaced at %T.%N" ) &
SWAP=$!
date +"load started at %T.%N (2 s warm-up, then the measured seconds)"
load --mode mixed --concurrency 64 --per-second
wait $SWAP
grep -h -B1 "serving .*the file changed" "$WORK/serve-mixed.log" || true
curl -s localhost:$PORT/info | python3 -c 'import json,sys; i=json.load(sys.stdin); print("reloads", i["reloads"], "loaded_at", i["model_loaded_at"])'
stop
rm -rf "$WORK"
