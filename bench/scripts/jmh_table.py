#!/usr/bin/env python3
# Turns a JMH JSON result file (java -jar benchmarks.jar ... -rf json -rff FILE) into one markdown table:
# kernel, shape, backend, time per call, GFLOP/s or GB/s computed from the shape, and the speed-up of each
# backend over scalar at the same shape. Standard library only. The FLOP and byte counts below are the napkin
# math of each kernel (what it must compute / the least it must move), not measured counters.
import json
import sys

UNIT_SECONDS = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}
F = 4  # bytes per float (and per int id)


def param_count(n, d, h):
    # The one-layer model's slab, as engine's ParameterLayout lays it out:
    # embedding (N+1)·d, W_ih 4h·d, W_hh 4h·h, bias 4h, W_out N·h, b_out N.
    return (n + 1) * d + 4 * h * d + 4 * h * h + 4 * h + n * h + n


def dims(text):
    return [int(x) for x in text.split("x")]


def work(bench, p):
    """(shape label, amount, unit) with unit 'GFLOP' or 'GB': what one call computes or moves."""
    name = bench.rsplit(".", 2)[-2] + "." + bench.rsplit(".", 1)[-1]
    if name == "ModelGemmBench.gemm":
        label, trans, mnk, beta = p["gemm"].split(":")
        m, n, k = dims(mnk)
        # C[M,N] = op(A)[M,K]·op(B)[K,N]: one multiply and one add per (m, n, k).
        return f"{label} {trans} M={m} N={n} K={k}", 2.0 * m * n * k, "GFLOP"
    if name == "GemmBench.sgemm":
        n = int(p["n"])
        return f"{n}^3 threads={p['threads']}", 2.0 * n ** 3, "GFLOP"
    if name == "ScoreTopKBench.scoreTopK":
        n, h = dims(p["catalog"])
        u = int(p["users"])
        # One dot product of length h per (user, item); the top-K selection is O(users·N) compares, not counted.
        return f"users={u} N={n} h={h} k=10", 2.0 * u * n * h, "GFLOP"
    if name == "ScoreRankBench.scoreRankCandidates":
        n, h = dims(p["catalog"])
        u = int(p["users"])
        # One dot product of length h per (user, candidate) plus the target's: 101 per user.
        return f"users={u} N={n} h={h} candidates=100", 2.0 * u * 101 * h, "GFLOP"
    if name.startswith("LstmCellBench."):
        b, h = int(p["batch"]), int(p["hidden"])
        # forward: read gates(4h) + cPrev(h), write gates(4h) + h + c  = 11·B·h floats
        # backward: read dh, dc, gates(4h), c, cPrev, write dGates(4h) + dcPrev = 13·B·h floats
        floats = (11 if name.endswith("forward") else 13) * b * h
        return f"{name.split('.')[1]} [B={b}, h={h}]", floats * F, "GB"
    if name == "SoftmaxBench.softmaxCrossEntropy":
        rows, n = dims(p["chunk"])
        # At least one read of the logits and one write of the gradient (a naive kernel makes 3 passes).
        return f"[rows={rows}, N={n}]", 2.0 * rows * n * F, "GB"
    if name.startswith("EmbeddingBench."):
        tokens, d, n = dims(p["lookup"])
        if name.endswith("gather"):
            # read table rows + write out rows, plus the ids
            return f"gather P={tokens} d={d} N={n}", (2.0 * tokens * d + tokens) * F, "GB"
        # read dOut, read-modify-write dTable rows, plus the ids
        return f"scatter P={tokens} d={d} N={n}", (3.0 * tokens * d + tokens) * F, "GB"
    if name == "AdamBench.adamUpdate":
        n, d, h = dims(p["model"])
        count = param_count(n, d, h)
        # read param, grad, m, v; write param, m, v
        return f"{count / 1e6:.2f}M params (N={n} d={d} h={h})", 7.0 * count * F, "GB"
    if name == "TrainStepBench.trainBatch":
        n, t, d, h, b = dims(p["step"])
        # Per token: LSTM forward 2·4h·(d+h) + scoring 2·N·h; the backward costs twice the forward.
        return f"N={n} T={t} d={d} h={h} B={b} threads={p['threads']}", 3.0 * b * t * (2 * 4 * h * (d + h) + 2 * n * h), "GFLOP"
    return json.dumps(p, sort_keys=True), None, None


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} us"


def main(path):
    with open(path) as f:
        results = json.load(f)
    rows = []
    for r in results:
        p = dict(r.get("params", {}))
        backend = p.pop("backend", "?")
        metric = r["primaryMetric"]
        seconds = metric["score"] * UNIT_SECONDS[metric["scoreUnit"]]
        err = metric.get("scoreError")
        rel = (err * UNIT_SECONDS[metric["scoreUnit"]] / seconds) if isinstance(err, (int, float)) and err == err else None
        kernel = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        shape, amount, unit = work(r["benchmark"], dict(p, backend=backend))
        key = (kernel, json.dumps(p, sort_keys=True))
        rows.append((kernel, shape, backend, seconds, rel, amount, unit, key))
    scalar = {row[7]: row[3] for row in rows if row[2] == "scalar"}
    print("| kernel | shape | backend | time/call | ±99.9% CI | rate | vs scalar |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for kernel, shape, backend, seconds, rel, amount, unit, key in rows:
        rate = f"{amount / seconds / 1e9:.2f} {unit}/s" if amount else ""
        ref = scalar.get(key)
        speed = f"{ref / seconds:.2f}x" if ref and backend != "scalar" else ""
        pm = f"{100 * rel:.0f}%" if rel is not None else ""
        print(f"| {kernel} | {shape} | {backend} | {fmt_time(seconds)} | {pm} | {rate} | {speed} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: jmh_table.py RESULT.json")
    main(sys.argv[1])
