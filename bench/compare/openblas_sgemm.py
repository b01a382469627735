#!/usr/bin/python3
# SGEMM probe: C = A·B at n x n x n in float32 through torch.mm (PyTorch's BLAS, i.e. whatever libblas.so.3 the
# alternatives system selects; on this machine Debian's OpenBLAS pthread build). Prints GFLOP/s = 2n³/time and
# the BLAS library actually mapped into the process (read from /proc/self/maps), as one JSON line.
import argparse
import json
import os
import time

import torch


def blas_library():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    return sorted(libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(1)  # the BLAS's own threads (OPENBLAS_NUM_THREADS) do the work
    g = torch.Generator().manual_seed(0)
    x = torch.rand(a.n, a.n, generator=g) - 0.5
    y = torch.rand(a.n, a.n, generator=g) - 0.5
    ref = (x[:8].double() @ y.double()).float()
    c = torch.mm(x, y)
    err = float((c[:8] - ref).abs().max())
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        torch.mm(x, y)
        times.append(time.perf_counter() - t0)
    best, med = min(times), sorted(times)[len(times) // 2]
    print(json.dumps({"impl": "torch.mm", "n": a.n, "blas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
                      "gflops_median": round(2 * a.n ** 3 / med / 1e9, 2), "gflops_best": round(2 * a.n ** 3 / best / 1e9, 2),
                      "max_abs_err_vs_fp64": err, "blas": blas_library()}))


if __name__ == "__main__":
    main()
