#!/usr/bin/python3
# The lstmrec model in PyTorch, for throughput comparison: Embedding(N+1, d, padding_idx=0) -> LSTM(d, h) ->
# Linear(h, N) scoring items 1..N, masked softmax cross-entropy over the non-padding positions only (their LSTM
# outputs are gathered BEFORE the Linear, as lstmrec's packed batches do), Adam lr 1e-3. Same synthetic data as
# dev.lstmrec.bench.Throughput: B random sequences of exactly T+1 items, so a batch has exactly B*T tokens.
# Prints a readable summary on stderr and one JSON line on stdout with the keys Throughput uses.
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LstmRec(nn.Module):
    def __init__(self, items, dim, hidden):
        super().__init__()
        self.emb = nn.Embedding(items + 1, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, items)  # row j scores item j+1

    def loss(self, inputs, targets):
        y, _ = self.lstm(self.emb(inputs))
        mask = targets >= 0
        logits = self.out(y[mask])  # only the predicted positions reach the [rows, N] scoring layer
        return F.cross_entropy(logits, targets[mask])

    def final_hidden(self, histories):
        y, _ = self.lstm(self.emb(histories))
        return y[:, -1, :]


def batch(gen, b, t, items):
    seq = torch.randint(1, items + 1, (b, t + 1), generator=gen)
    return seq[:, :t].contiguous(), (seq[:, 1:] - 1).contiguous()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--len", type=int, default=50)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--items", type=int, default=1682)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--score-batches", type=int, default=3)
    ap.add_argument("--latency-queries", type=int, default=200)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("TORCH_THREADS", "1")))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    model = LstmRec(a.items, a.dim, a.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [batch(gen, a.batch, a.len, a.items) for _ in range(4)]
    tokens = a.batch * a.len

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = model.loss(x, y)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(a.warmup):
        step(i)
    losses = []
    t0 = time.perf_counter()
    for i in range(a.steps):
        losses.append(step(i))
    train_s = time.perf_counter() - t0

    k = 10
    model.eval()
    with torch.no_grad():
        def query(n):
            hist = torch.randint(1, a.items + 1, (n, a.len), generator=gen)
            def run():
                scores = model.out(model.final_hidden(hist))
                scores.scatter_(1, hist - 1, float("-inf"))  # exclude the seen items, as lstmrec's query does
                return torch.topk(scores, k, dim=1).indices
            return run

        many = query(256)
        many()
        s0 = time.perf_counter()
        for _ in range(a.score_batches):
            many()
        users_s = a.score_batches * 256 / (time.perf_counter() - s0)
        one = query(1)
        for _ in range(min(20, a.latency_queries)):
            one()
        ms = []
        for _ in range(a.latency_queries):
            q0 = time.perf_counter()
            one()
            ms.append((time.perf_counter() - q0) * 1e3)
        ms.sort()
    p50 = ms[int(0.50 * (len(ms) - 1))] if ms else float("nan")
    p99 = ms[-(-99 * (len(ms) - 1) // 100)] if ms else float("nan")
    rec = {"impl": "pytorch", "backend": "torch " + torch.__version__, "threads": a.threads,
           "blas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")), "items": a.items, "dim": a.dim,
           "hidden": a.hidden, "batch": a.batch, "len": a.len, "steps": a.steps,
           "tokens_per_s": round(a.steps * tokens / train_s, 1), "step_ms": round(1e3 * train_s / a.steps, 2),
           "first_loss": round(losses[0], 5), "last_loss": round(losses[-1], 5),
           "score_users_per_s": round(users_s, 1), "latency_p50_ms": round(p50, 4), "latency_p99_ms": round(p99, 4)}
    print(f"pytorch {torch.__version__}: {rec['tokens_per_s']:.0f} tokens/s, {users_s:.0f} users/s, "
          f"p50 {p50:.3f} ms, p99 {p99:.3f} ms", file=sys.stderr)
    print(json.dumps(rec))


if __name__ == "__main__":
    main()
