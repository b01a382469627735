#!/usr/bin/env bash
# Regenerates the committed PTX of the CUDA backend from kernels/cuda/src/main/cuda/*.cu and the sources.sha256 file
# that CudaPtxStalenessTest checks; then runs ptxas (sm_75, and sm_90 verbosely) on every PTX and fails if a kernel spills to local
# memory. Needs nvcc and ptxas on PATH (CUDA 12 or later); Maven runs it with `mvn -Pptx -pl kernels/cuda -am test-compile`.
# Usage: build-ptx.sh [OUTDIR]   (default: the committed resource folder; CudaPtxFreshBuildTest passes a temp dir)
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/src/main/resources/dev/lstmrec/kernels/cuda/ptx}"
# compute_75 PTX is JIT-compiled by the driver for any GPU from Turing on; the driver caches the result.
# No cubin for sm_90 is shipped: the JIT gives the same code, and a cubin would tie the jar to one architecture.
flags=(-ptx -arch=compute_75 -O3 -std=c++17 --Werror all-warnings)
# nvcc 13 stamps its PTX ".version 9.0", which only CUDA 13 drivers (R580+) load. The kernels use nothing newer
# than PTX ISA 8.0 (CUDA 12.0, the floor JCuda 12 needs anyway), so the stamp is lowered to that; the ptxas pass
# below rejects the file if the body uses a feature the stamped version lacks.
ptx_isa=8.0

command -v nvcc >/dev/null || { echo "build-ptx.sh: nvcc not found on PATH" >&2; exit 1; }
command -v ptxas >/dev/null || { echo "build-ptx.sh: ptxas not found on PATH" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cd "$src"
for cu in *.cu; do
    nvcc "${flags[@]}" "$cu" -o "$out/${cu%.cu}.ptx"
    sed -i -E "s/^\.version [0-9]+\.[0-9]+$/.version $ptx_isa/" "$out/${cu%.cu}.ptx"
done
sha256sum *.cu *.cuh > "$out/sources.sha256"

status=0
for ptx in "$out"/*.ptx; do
    ptxas -arch=sm_75 "$ptx" -o /dev/null
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
