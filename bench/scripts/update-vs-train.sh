#!/usr/bin/env bash
# Issue 23's update benchmark: a model trained on EVENTS events (ITEMS items, sampled loss) is updated with NEW later
# events; the update's time is compared with a full `train` on the combined events, and both models are scored on
# the same later test sessions (session protocol, all items ranked).
# Usage (from the repository root, after `mvn -B -q -DskipTests package`): bench/scripts/update-vs-train.sh [OUTDIR]
#   EVENTS=1000000 NEW=100000 ITEMS=60000 SESSION_LEN=6   the synthetic session log (lstmrec generate, seed 42)
#   TRAIN_ARGS="..."   extra options for both trains (e.g. "--epochs 3" where a full train takes too long)
#   UPDATE_ARGS="..."  extra options for the update (default: none, update's own defaults)
# Each step's wall and CPU seconds come from /usr/bin/time; finished steps are skipped, so the script can be rerun.
# Prints one markdown table: seconds (wall and CPU) and test HR@20 / MRR@20 of the parent, the update, the full train.
set -euo pipefail
OUT=${1:-update-bench}
EVENTS=${EVENTS:-1000000}
NEW=${NEW:-100000}
ITEMS=${ITEMS:-60000}
SESSION_LEN=${SESSION_LEN:-6}
J=(java --add-modules jdk.incubator.vector -jar "${JAR:-cli/target/lstmrec.jar}")
mkdir -p "$OUT"
timed() { # NAME CMD...: runs CMD once, its output in OUT/NAME.out/.err, "wall user sys" seconds in OUT/NAME.time
    local name=$1; shift
    [ -f "$OUT/$name.time" ] && return 0
    /usr/bin/time -f "%e %U %S" -o "$OUT/$name.time.tmp" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    mv "$OUT/$name.time.tmp" "$OUT/$name.time"
}

total=$((EVENTS + NEW))
if [ ! -f "$OUT/new.tsv" ]; then
    # the latest 2% of the sessions are the test set; the rest is cut in time order at a session boundary
    "${J[@]}" generate --users $((total * 100 / 98 / SESSION_LEN)) --items "$ITEMS" --events $((total * 100 / 98)) \
        --out "$OUT/all.tsv" --test-out "$OUT/test.tsv" --test-fraction 0.02 > "$OUT/generate.out"
    awk -v base="$EVENTS" -v b="$OUT/base.tsv" -v n="$OUT/new.tsv" '
        NR == 1 { print > b; print > n; next }
        { if ($1 != last) { cut = count >= base; last = $1 } count++; print > (cut ? n : b) }' "$OUT/all.tsv"
fi
timed base "${J[@]}" train --data "$OUT/base.tsv" --format gru4rec --test-data "$OUT/test.tsv" --model "$OUT/base.lstmrec" \
    --report "$OUT/base.json" ${TRAIN_ARGS:-}
timed update "${J[@]}" update --model "$OUT/base.lstmrec" --data "$OUT/new.tsv" --format gru4rec --out "$OUT/update.lstmrec" \
    --report "$OUT/update.json" ${UPDATE_ARGS:-}
timed full "${J[@]}" train --data "$OUT/all.tsv" --format gru4rec --test-data "$OUT/test.tsv" --model "$OUT/full.lstmrec" \
    --report "$OUT/full.json" ${TRAIN_ARGS:-}
for m in base update full; do
    [ -f "$OUT/$m-eval.json" ] || "${J[@]}" evaluate --model "$OUT/$m.lstmrec" --test-data "$OUT/test.tsv" --format gru4rec \
        --report "$OUT/$m-eval.json" > "$OUT/$m-eval.out" 2>&1
done
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
def secs(name):
    wall, user, sys_ = map(float, open(os.path.join(out, name + ".time")).read().split())
    return wall, user + sys_
def metric(name, key):
    return json.load(open(os.path.join(out, name + "-eval.json")))["test"][key]
lines = sum(1 for _ in open(os.path.join(out, "base.tsv"))) - 1, sum(1 for _ in open(os.path.join(out, "new.tsv"))) - 1
print(f"events: parent {lines[0]:,}, update {lines[1]:,}")
print("| model | wall s | CPU s | test HR@20 | test MRR@20 |")
print("| --- | ---: | ---: | ---: | ---: |")
for m, label in (("base", "parent (train on the first events)"), ("update", "update with the new events"), ("full", "train on all events")):
    w, c = secs(m)
    print(f"| {label} | {w:.1f} | {c:.1f} | {metric(m, 'HR@20'):.4f} | {metric(m, 'MRR@20'):.4f} |")
(wu, cu), (wf, cf) = secs("update"), secs("full")
print(f"update / full train: wall {wu / wf:.3f}, CPU {cu / cf:.3f}; test HR@20 update / full {metric('update', 'HR@20') / metric('full', 'HR@20'):.4f}")
PY
