#!/usr/bin/env bash
# Before/after in one run: the same JMH selection on two benchmark jars, alternated A B A B ... so both sides see
# the same machine conditions (load from other processes, thermal state), then one markdown table via jmh_ab.py:
# each side's mean ± 99.9% interval over all its iterations, the after/before ratio, and gc.alloc.rate.norm
# (B/op) when the arguments include -prof gc.
# Usage: jmh-ab.sh BEFORE.jar AFTER.jar OUTDIR ROUNDS JMH-ARGS...
#   e.g. jmh-ab.sh before.jar after.jar target/ab 2 'LstmCellBench' -p backend=simd -f 1 -wi 3 -i 5 -prof gc
# Build each jar with 'mvn -B -q package -pl bench -am -DskipTests' at its commit (a git worktree for the older one).
set -euo pipefail
[[ $# -ge 5 ]] || { sed -n 2,7p "$0" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
before="$1" after="$2" out="$3" rounds="$4"
shift 4
java_bin="${JAVA:-java}"
mkdir -p "$out"
for ((r = 1; r <= rounds; r++)); do
  for side in before after; do
    jar="$before"
    [[ $side == after ]] && jar="$after"
    echo "== round $r: $side ($jar) $(date -u +%H:%M:%S)" >&2
    "$java_bin" -jar "$jar" "$@" -rf json -rff "$out/$side-$r.json" >"$out/$side-$r.log" 2>&1 \
      || { tail -20 "$out/$side-$r.log" >&2; exit 1; }
  done
done
python3 "$here/jmh_ab.py" "$out"
