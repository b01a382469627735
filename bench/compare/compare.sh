#!/usr/bin/env bash
# Side-by-side throughput: lstmrec's Throughput harness and the PyTorch twin (torch_lstmrec.py) at the same shapes,
# back to back in one run, then SGEMM 2048³ on 2 threads (lstmrec GemmBench vs OpenBLAS through torch.mm).
# Prints one markdown table with the lstmrec/PyTorch ratios. PyTorch runs in its fastest configuration measured
# here: Debian python3-torch with Debian OpenBLAS (pthread), jemalloc preloaded, 1 torch thread, 2 OpenBLAS threads.
# Setup (once): apt-get install -y python3-torch libopenblas0-pthread libjemalloc2; mvn -B -q package -pl bench -am -DskipTests
# Environment: LSTMREC_BACKEND (default auto), LSTMREC_THREADS (default 2), STEPS (default 3), WARMUP (default 3:
#   the JVM needs ~5 s before C2 settles on the LSTM cell kernel; PyTorch gets the same warm-up steps),
#   SHAPES ("N:T:d:h:B ..." default "1682:200:64:64:128 23715:50:128:128:128"), SKIP_SGEMM=1 to leave SGEMM out,
#   LOSS (full, default, or sampled: both sides then train the sampled softmax with NEGATIVES shared negatives per
#   step, default 2048, drawn from popularity^SAMPLE_ALPHA, default 0.5, with logQ weight LOGQ, default 1.0, on
#   Zipf-like data with exponent ZIPF, default 1, the same for both).
#   The issue-8 comparison: LOSS=sampled SHAPES="100000:50:64:64:128 1000000:50:64:64:128" SKIP_SGEMM=1 compare.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "missing $jar: run 'mvn -B -q package -pl bench -am -DskipTests' first" >&2; exit 1; }
py=/usr/bin/python3   # Debian's python: the one python3-torch installs into (not a pyenv python on PATH)
$py -c "import torch" 2>/dev/null || { echo "PyTorch missing: apt-get install -y python3-torch libopenblas0-pthread libjemalloc2" >&2; exit 1; }
java_bin="${JAVA:-java}"
backend="${LSTMREC_BACKEND:-auto}"
threads="${LSTMREC_THREADS:-2}"
steps="${STEPS:-3}"
warmup="${WARMUP:-3}"
shapes="${SHAPES:-1682:200:64:64:128 23715:50:128:128:128}"
loss="${LOSS:-full}"
case "$loss" in
  full) loss_args=() ;;
  sampled) loss_args=(--loss sampled --negatives "${NEGATIVES:-2048}" --sample-alpha "${SAMPLE_ALPHA:-0.5}" --logq "${LOGQ:-1.0}"
                      --zipf "${ZIPF:-1}") ;;
  *) echo "LOSS must be full or sampled, got '$loss'" >&2; exit 2 ;;
esac
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
[[ -f "$jemalloc" ]] || { echo "missing $jemalloc: apt-get install -y libjemalloc2" >&2; exit 1; }
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine to dodge old-OpenBLAS bugs; they slow a current
# OpenBLAS down, so they are unset for the PyTorch runs only (openblas_sgemm.py reports the BLAS it mapped).
torch_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=1 LD_PRELOAD="$jemalloc")

for s in $shapes; do
  IFS=: read -r n t d h b <<<"$s"
  common=(--items "$n" --len "$t" --dim "$d" --hidden "$h" --batch "$b" --steps "$steps" --warmup "$warmup" ${loss_args[@]+"${loss_args[@]}"})
  echo "== N=$n T=$t d=$d h=$h B=$b loss=$loss: lstmrec ($backend, $threads threads)" >&2
  out="$("$java_bin" --add-modules jdk.incubator.vector -cp "$jar" dev.lstmrec.bench.Throughput --backend "$backend" \
      --threads "$threads" "${common[@]}" 2>&1 | grep -v "Using incubator modules")" || { echo "$out" >&2; exit 1; }
  echo "$out" >&2
  grep '^{' <<<"$out" >>"$results"
  echo "== N=$n T=$t d=$d h=$h B=$b loss=$loss: pytorch" >&2
  "${torch_env[@]}" "$py" "$here/torch_lstmrec.py" --threads 1 "${common[@]}" | grep '^{' >>"$results"
done

if [[ "${SKIP_SGEMM:-0}" != 1 ]]; then
  echo "== SGEMM 2048^3, 2 threads: lstmrec GemmBench ($backend)" >&2
  gb="$(mktemp)"
  # "auto" resolves to whatever backend the Throughput runs above reported (the JSON's "backend").
  jb="$backend"
  if [[ "$jb" == auto ]]; then
    jb="$($py -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if "\"lstmrec\"" in l]; print(r[0]["backend"] if r else "scalar")' "$results")"
  fi
  "$java_bin" -jar "$jar" 'jmh\.GemmBench\.' -f 1 -wi 1 -i 3 -w 1s -r 1s -p backend="$jb" -p threads=2 -p n=2048 \
      -rf json -rff "$gb" >/dev/null 2>&1 || echo "GemmBench failed for backend $jb" >&2
  $py - "$gb" >>"$results" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    m = r["primaryMetric"]
    sec = m["score"] * {"ms/op": 1e-3, "us/op": 1e-6, "s/op": 1.0}[m["scoreUnit"]]
    n = int(r["params"]["n"])
    print(json.dumps({"impl": "lstmrec-sgemm", "backend": r["params"]["backend"], "n": n, "gflops": round(2 * n ** 3 / sec / 1e9, 2)}))
PY
  rm -f "$gb"
  echo "== SGEMM 2048^3, 2 threads: OpenBLAS via torch.mm" >&2
  probe="$("${torch_env[@]}" "$py" "$here/openblas_sgemm.py" --n 2048)"
  echo "$probe" >&2
  echo "$probe" >>"$results"
fi

$py - "$results" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
key = lambda r: (r["items"], r["len"], r["dim"], r["hidden"], r["batch"], r.get("loss", "full"))
ours = {key(r): r for r in recs if r["impl"] == "lstmrec"}
theirs = {key(r): r for r in recs if r["impl"] == "pytorch"}
print("| shape (N, T, d=h, B) | metric | lstmrec | PyTorch | lstmrec / PyTorch |")
print("| --- | --- | ---: | ---: | ---: |")
for k, o in ours.items():
    p = theirs.get(k)
    shape = f"N={k[0]} T={k[1]} d={k[2]} h={k[3]} B={k[4]}" + ("" if k[5] == "full" else f" {k[5]} loss")
    for label, field, better_high in (("training tokens/s", "tokens_per_s", True), ("top-10 users/s (batch 256)", "score_users_per_s", True),
                                      ("1-user latency p50 ms", "latency_p50_ms", False), ("1-user latency p99 ms", "latency_p99_ms", False)):
        a, b = o[field], (p[field] if p else None)
        ratio = "" if not b else f"{(a / b if better_high else b / a):.2f}x"
        f = (lambda x: f"{x:,.0f}") if better_high else (lambda x: f"{x:.3f}")
        print(f"| {shape} | {label} | {f(a)} | {'' if b is None else f(b)} | {ratio} |")
    print(f"| {shape} | backend | {o.get('description', o['backend'])} | {p['backend'] if p else ''} (1 + {p['blas_threads'] if p else ''} BLAS threads) | |")
sg = [r for r in recs if r["impl"] == "lstmrec-sgemm"]
ob = [r for r in recs if r["impl"] == "torch.mm"]
if sg or ob:
    a = sg[0]["gflops"] if sg else None
    b = ob[0]["gflops_median"] if ob else None
    ratio = f"{a / b:.2f}x" if a and b else ""
    print(f"| SGEMM 2048^3, 2 threads | GFLOP/s | {a if a is not None else 'n/a'} ({sg[0]['backend'] if sg else ''}) | {b} (OpenBLAS) | {ratio} |")
print("\n(ratios > 1 mean lstmrec is faster; latency ratios are PyTorch time / lstmrec time)")
PY
