#!/usr/bin/env bash
# Issue 11 measurements on MovieLens 100K (run from the repository root after `mvn -B -q -DskipTests package`):
#   1. `tune` with ASHA and with plain random search, same budget and search seed, one after the other;
#   2. each winner's printed `train` command rerun with seeds 1, 2, 3 (test metrics averaged);
#   3. the technique ablation: defaults (seen items masked since issue 11's masking landed), unmasked, cosine
#      schedule, weight decay, separate dropouts, sampled softmax with K = 512 on the small catalogue, tied
#      embeddings, each over seeds 1, 2, 3.
# Usage: bench/scripts/tune-ml100k.sh PATH/TO/u.data [OUTDIR]
#   BUDGET=30m  SEEDS="1 2 3"  SCHEDULERS="asha random"  ABLATION="defaults cosine wd0.1 ..."  SKIP_TUNE=1  SKIP_ABLATION=1
# Finished runs are skipped, so the script can be run in pieces (e.g. SCHEDULERS=asha SKIP_ABLATION=1 first).
# Takes about 2 x BUDGET + 30 training runs (~1 min each on a quiet 2-core machine). Prints a markdown table.
set -euo pipefail
DATA=$1
OUT=${2:-tune-bench}
BUDGET=${BUDGET:-30m}
SEEDS=${SEEDS:-"1 2 3"}
SCHEDULERS=${SCHEDULERS:-"asha random"}
ABLATION=${ABLATION:-"defaults nomask cosine wd0.1 dropout-e0.4-h0.2 dropout-e0.2-h0.4 sampled-k512 tied"}
J=(java --add-modules jdk.incubator.vector -jar "${JAR:-cli/target/lstmrec.jar}")
mkdir -p "$OUT"

train() { # NAME SEED ARGS...: one train run, report in OUT/NAME-sSEED.json
    local name=$1 seed=$2; shift 2
    [ -f "$OUT/$name-s$seed.json" ] || "${J[@]}" train --data "$DATA" "$@" --seed "$seed" --model "$OUT/$name-s$seed.lstmrec" \
        --report "$OUT/$name-s$seed.json" > "$OUT/$name-s$seed.out" 2> "$OUT/$name-s$seed.err"
}

if [ -z "${SKIP_TUNE:-}" ]; then
    for s in $SCHEDULERS; do
        # wall clock and peak RSS of the whole tune run go to the end of its .err file
        [ -f "$OUT/$s.json" ] || /usr/bin/time -f "wall %e s, peak RSS %M KB" "${J[@]}" tune --data "$DATA" --time-budget "$BUDGET" --scheduler "$s" --search-seed 1 \
            --work-dir "$OUT/$s.tune" --model "$OUT/$s.lstmrec" --report "$OUT/$s.json" > "$OUT/$s.out" 2> "$OUT/$s.err"
        cmd=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['train_command'])" "$OUT/$s.json")
        # the printed command minus `lstmrec train --data FILE` and its seed: the same settings with other seeds
        args=$(echo "$cmd" | sed -E 's/^lstmrec train --data [^ ]+ //; s/--seed [0-9]+ ?//')
        for seed in $SEEDS; do train "$s-best" "$seed" $args; done
    done
fi
if [ -z "${SKIP_ABLATION:-}" ]; then
    for name in $ABLATION; do
        case $name in
            defaults) args=() ;;
            nomask) args=(--no-mask-seen) ;;
            cosine) args=(--lr-schedule cosine --warmup 0.02 --epochs 40) ;;
            wd0.1) args=(--weight-decay 0.1) ;;
            dropout-e0.4-h0.2) args=(--embedding-dropout 0.4 --hidden-dropout 0.2) ;;
            dropout-e0.2-h0.4) args=(--embedding-dropout 0.2 --hidden-dropout 0.4) ;;
            sampled-k512) args=(--loss sampled --negatives 512) ;;
            tied) args=(--tied) ;;
            *) echo "unknown ablation run: $name" >&2; exit 2 ;;
        esac
        for seed in $SEEDS; do train "$name" "$seed" ${args[@]+"${args[@]}"}; done
    done
fi
python3 - "$OUT" <<'PY'
import json, sys, glob, os, re, statistics as st
out = sys.argv[1]
runs = {}
for f in sorted(glob.glob(os.path.join(out, "*-s*.json"))):
    name = re.sub(r"-s\d+\.json$", "", os.path.basename(f))
    r = json.load(open(f))
    valid = r["epochs"][r["best_epoch"] - 1]["validation"]["NDCG@10"]
    runs.setdefault(name, []).append((valid, r["test"]["NDCG@10"], r["test"]["HR@10"], r["best_epoch"], sum(e["seconds"] for e in r["epochs"])))
print("| run | seeds | valid NDCG@10 | test NDCG@10 | test HR@10 | best epochs | train s |")
print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
for name, rs in runs.items():
    m = lambda i: st.mean(x[i] for x in rs)
    sd = lambda i: st.stdev(x[i] for x in rs) if len(rs) > 1 else 0
    print(f"| {name} | {len(rs)} | {m(0):.4f} | {m(1):.4f} ± {sd(1):.4f} | {m(2):.4f} ± {sd(2):.4f} | {', '.join(str(x[3]) for x in rs)} | {m(4):.0f} |")
for s in ("asha", "random"):
    p = os.path.join(out, s + ".json")
    if os.path.exists(p):
        r = json.load(open(p))
        print(f"\n{s}: {len(r['leaderboard'])} trials in {r['spent_s']:.0f} s; best trial {r['best']['trial']} valid NDCG@10 "
              f"{r['best']['valid_ndcg10']:.4f}; test NDCG@10 {r['test']['NDCG@10']:.4f} HR@10 {r['test']['HR@10']:.4f}\n  {r['best']['train_command']}")
PY
