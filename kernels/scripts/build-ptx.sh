#!/usr/bin/env bash
# Regenerates the committed PTX of the CUDA backend from kernels/src/main/cuda/*.cu and the sources.sha256 file
# that CudaPtxStalenessTest checks; then runs ptxas for sm_90 on every PTX and fails if a kernel spills to local
# memory. Needs nvcc and ptxas on PATH (CUDA 12 or later); Maven runs it with `mvn -Pptx -pl kernels generate-resources`.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$here/src/main/cuda"
out="$here/src/main/resources/dev/lstmrec/kernels/cuda/ptx"
# compute_75 PTX is JIT-compiled by the driver for any GPU from Turing on; the driver caches the result.
# No cubin for sm_90 is shipped: the JIT gives the same code, and a cubin would tie the jar to one architecture.
flags=(-ptx -arch=compute_75 -O3 -std=c++17 --Werror all-warnings)

command -v nvcc >/dev/null || { echo "build-ptx.sh: nvcc not found on PATH" >&2; exit 1; }
command -v ptxas >/dev/null || { echo "build-ptx.sh: ptxas not found on PATH" >&2; exit 1; }
mkdir -p "$out"

cd "$src"
for cu in *.cu; do
    nvcc "${flags[@]}" "$cu" -o "$out/${cu%.cu}.ptx"
done
sha256sum *.cu *.cuh > "$out/sources.sha256"

status=0
for ptx in "$out"/*.ptx; do
    report="$(ptxas -v -arch=sm_90 "$ptx" -o /dev/null 2>&1)"
    echo "== $(basename "$ptx")"
    # Pair each entry name with its register count and spill figures on one line.
    echo "$report" | awk '
        /Compiling entry function/ { match($0, /'"'"'[^'"'"']+'"'"'/); name = substr($0, RSTART + 1, RLENGTH - 2) }
        /spill stores/ { spill = $0; sub(/^[ \t]+/, "", spill) }
        /Used [0-9]+ registers/ { match($0, /Used [0-9]+ registers/); printf "  %-24s %s; %s\n", name, substr($0, RSTART, RLENGTH), spill }'
    if echo "$report" | grep -Eq '[1-9][0-9]* bytes spill stores'; then
        echo "build-ptx.sh: $(basename "$ptx") spills to local memory (see above)" >&2
        status=1
    fi
done
exit $status
