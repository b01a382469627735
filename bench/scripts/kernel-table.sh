#!/usr/bin/env bash
# Runs the JMH kernel benchmarks with a QUICK profile and prints one markdown table (time, GFLOP/s or GB/s,
# speed-up over scalar) via jmh_table.py. Quick = 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement, a subset of
# shapes (the two comparison configurations); LSTMREC_BENCH_FULL=1 runs every shape in the @Param lists.
# Needs bench/target/benchmarks.jar (mvn -B -q package -pl bench -am -DskipTests).
# Environment: LSTMREC_BENCH_BACKENDS (default scalar,simd), LSTMREC_BENCH_THREADS (overrides every class's
#   threads list: kernels default to 1, GemmBench to 1,2),
#   LSTMREC_BENCH_FILTER (a JMH regex, default all benchmark classes), LSTMREC_BENCH_OUT (JSON path).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "missing $jar: run 'mvn -B -q package -pl bench -am -DskipTests' first" >&2; exit 1; }
java_bin="${JAVA:-java}"
out="${LSTMREC_BENCH_OUT:-$here/../target/jmh-kernels.json}"
backends="${LSTMREC_BENCH_BACKENDS:-scalar,simd}"
filter="${LSTMREC_BENCH_FILTER:-dev.lstmrec.bench.jmh}"

profile=(-f 1 -wi 2 -i 3 -w 1s -r 1s -foe false)
params=(-p "backend=$backends")
[[ -n "${LSTMREC_BENCH_THREADS:-}" ]] && params+=(-p "threads=$LSTMREC_BENCH_THREADS")
if [[ "${LSTMREC_BENCH_FULL:-0}" != 1 ]]; then
  # The shapes of the two comparison runs: (N=1682, T=200, d=h=64) and (N=23715, T=50, d=h=128), B = 128.
  params+=(-p "gemm=proj:NT:6400x512x128:0,rec:NT:128x512x128:1,score:NT:8192x1682x64:0,score:NT:707x23715x128:0,score_dw:TN:23715x128x707:1,dw_ih:TN:512x128x6400:1"
    -p "hidden=64,128" -p "chunk=8192x1682,707x23715" -p "lookup=6400x128x23715"
    -p "model=1682x64x64,23715x128x128" -p "catalog=23715x128" -p "step=1682x200x64x64x128")
fi
"$java_bin" -jar "$jar" "$filter" "${profile[@]}" "${params[@]}" -rf json -rff "$out" >&2
python3 "$here/jmh_table.py" "$out"
