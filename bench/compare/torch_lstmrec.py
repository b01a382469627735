#!/usr/bin/python3
# The lstmrec model in PyTorch, for throughput comparison: Embedding(N+1, d, padding_idx=0) -> LSTM(d, h) ->
# Linear(h, N) scoring items 1..N, masked softmax cross-entropy over the non-padding positions only (their LSTM
# outputs are gathered BEFORE the Linear, as lstmrec's packed batches do), Adam lr 1e-3. Same synthetic data as
# dev.lstmrec.bench.Throughput: B random sequences of exactly T+1 items, so a batch has exactly B*T tokens.
# Prints a readable summary on stderr and one JSON line on stdout with the keys Throughput uses.
# --loss sampled: the sampled softmax the way GRU4Rec's official PyTorch port samples (hidasib/GRU4Rec_PyTorch_Official):
# K negatives shared by the whole training step drawn from popularity^alpha through a precomputed sample cache (binary
# search on the CDF), the in-batch targets of the same time step as extra candidates, logQ correction as GRU4Rec's
# xe_loss_with_softmax (subtract logq * log(support count) for the in-batch targets, logq * alpha * log(support count)
# for the sampled ones), accidental hits masked, and sparse gradients: the item tables are nn.Embedding(sparse=True)
# updated by SparseAdam, the LSTM by Adam. Data then follow Zipf-like popularity (--zipf, default 1).
# lstmrec's definition: the rows of one time step form a group; each row is scored against [the group's targets] ++
# [K shared negatives]; row r's positive is column r; other columns holding row r's target item are masked.
import argparse
import json
import math
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


class SampledLstmRec(nn.Module):
    """The same network with the item tables as sparse embeddings: out.weight row j and bias row j score item j+1."""

    def __init__(self, items, dim, hidden):
        super().__init__()
        self.emb = nn.Embedding(items + 1, dim, padding_idx=0, sparse=True)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Embedding(items, hidden, sparse=True)
        self.bias = nn.Embedding(items, 1, sparse=True)
        bound = 1 / math.sqrt(hidden)  # nn.Linear's default initialisation, as in LstmRec
        nn.init.uniform_(self.out.weight, -bound, bound)
        nn.init.uniform_(self.bias.weight, -bound, bound)

    def loss(self, inputs, targets, negatives, log_support, logq, alpha):
        """inputs, targets [B, T] (targets are item-1 >= 0); negatives [K] output rows shared by the whole step."""
        y, _ = self.lstm(self.emb(inputs))                       # [B, T, h]
        yt = y.transpose(0, 1)                                   # [T, B, h]: one group per time step
        tt = targets.transpose(0, 1)                             # [T, B]
        wt, bt = self.out(tt), self.bias(tt).squeeze(-1)         # [T, B, h], [T, B]
        wn, bn = self.out(negatives), self.bias(negatives).squeeze(-1)  # [K, h], [K]
        in_batch = torch.bmm(yt, wt.transpose(1, 2)) + bt.unsqueeze(1)  # [T, B, B]: column c = row c's target
        sampled = torch.matmul(yt, wn.t()) + bn                  # [T, B, K]
        if logq > 0:
            in_batch = in_batch - logq * log_support[tt].unsqueeze(1)
            sampled = sampled - logq * alpha * log_support[negatives]
        # Accidental hits: a column holding row r's own target item, other than column r, does not compete.
        hit_b = tt.unsqueeze(2) == tt.unsqueeze(1)               # [T, B, B]
        hit_b &= ~torch.eye(tt.shape[1], dtype=torch.bool).unsqueeze(0)
        hit_s = tt.unsqueeze(2) == negatives.view(1, 1, -1)      # [T, B, K]
        logits = torch.cat([in_batch.masked_fill(hit_b, float("-inf")), sampled.masked_fill(hit_s, float("-inf"))], dim=2)
        pos = torch.arange(tt.shape[1]).expand(tt.shape[0], -1)  # row r's positive is column r
        return F.cross_entropy(logits.reshape(-1, logits.shape[2]), pos.reshape(-1))

    def final_hidden(self, histories):
        y, _ = self.lstm(self.emb(histories))
        return y[:, -1, :]

    def scores(self, h):
        return h @ self.out.weight.t() + self.bias.weight.t()


class SampleCache:
    """Negatives from popularity^alpha: many steps' worth drawn at once by binary search on the CDF (GRU4Rec's way)."""

    def __init__(self, weights, k, gen, steps=64):
        cdf = torch.cumsum(weights.double(), 0)
        self.cdf = (cdf / cdf[-1]).float()
        self.cdf[-1] = 1.0
        self.k, self.gen, self.steps, self.pos, self.cache = k, gen, steps, steps, None

    def get(self):
        if self.pos >= self.steps:
            u = torch.rand(self.steps * self.k, generator=self.gen)
            self.cache = torch.searchsorted(self.cdf, u, right=True).clamp_(max=self.cdf.numel() - 1).view(self.steps, self.k)
            self.pos = 0
        self.pos += 1
        return self.cache[self.pos - 1]


def reference_sampled_loss(y, out_w, out_b, targets, negatives, log_support, logq, alpha):
    """lstmrec's definition written out row by row (slow, for --check): y [B, T, h] LSTM outputs."""
    b, t = targets.shape
    total = 0.0
    for step in range(t):
        group = [int(targets[r, step]) for r in range(b)]
        for r in range(b):
            cols, logits = group + [int(n) for n in negatives], []
            for c, item in enumerate(cols):
                if c != r and item == group[r]:
                    continue  # an accidental hit: the row's own target item in another column
                z = float(y[r, step] @ out_w[item] + out_b[item])
                z -= logq * (1.0 if c < b else alpha) * float(log_support[item])
                logits.append((z, c == r))
            m = max(z for z, _ in logits)
            lse = m + math.log(sum(math.exp(z - m) for z, _ in logits))
            total += lse - next(z for z, pos in logits if pos)
    return total / (b * t)


def self_check():
    """The vectorised sampled loss equals the row-by-row definition on a small case with repeated items."""
    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(3)
    model = SampledLstmRec(7, 5, 4).double()
    x, y = zipf_batch(gen, 6, 4, 7, 1.0)
    negatives = torch.tensor([0, 3, 3, 6, 1])
    log_support = torch.log(zipf_mass(7, 1.0) * 100)
    got = model.loss(x, y, negatives, log_support, 1.0, 0.5).item()
    with torch.no_grad():
        h, _ = model.lstm(model.emb(x))
        want = reference_sampled_loss(h, model.out.weight, model.bias.weight.squeeze(1), y, negatives, log_support, 1.0, 0.5)
    assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (got, want)
    assert (y.transpose(0, 1).unsqueeze(2) == y.transpose(0, 1).unsqueeze(1)).sum() > y.numel(), "the case has repeats"
    print(f"sampled loss self-check ok: {got:.12f} = {want:.12f}", file=sys.stderr)


def zipf_mass(items, s):
    """P(rank r) of the continuous power law x^-s on [1, N+1) cut at integers: what zipf_batch draws from."""
    x = torch.arange(1, items + 2, dtype=torch.float64)
    f = torch.log(x) if abs(s - 1) < 1e-9 else x ** (1 - s)
    return (f[1:] - f[:-1]) / (f[-1] - f[0])


def zipf_batch(gen, b, t, items, s):
    u = torch.rand(b, t + 1, generator=gen, dtype=torch.float64)
    n1 = items + 1.0
    x = n1 ** u if abs(s - 1) < 1e-9 else ((n1 ** (1 - s) - 1) * u + 1) ** (1 / (1 - s))
    seq = x.floor().long().clamp_(1, items)
    return seq[:, :t].contiguous(), (seq[:, 1:] - 1).contiguous()


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
    ap.add_argument("--loss", choices=["full", "sampled"], default="full")
    ap.add_argument("--negatives", type=int, default=2048, help="K shared negatives per training step (--loss sampled)")
    ap.add_argument("--sample-alpha", type=float, default=0.5, help="negatives drawn from popularity^alpha")
    ap.add_argument("--logq", type=float, default=1.0, help="logQ correction weight (0 = off)")
    ap.add_argument("--support-events", type=float, default=1e6,
                    help="size of the log whose expected item counts are the logQ support counts (--loss sampled)")
    ap.add_argument("--zipf", type=float, default=None, help="popularity exponent of the data (default: 0 = uniform "
                    "for --loss full, 1 for sampled)")
    ap.add_argument("--check", action="store_true", help="only check the sampled loss against its row-by-row definition")
    a = ap.parse_args()
    if a.check:
        self_check()
        return
    sampled = a.loss == "sampled"
    zipf = a.zipf if a.zipf is not None else (1.0 if sampled else 0.0)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    if sampled:
        model = SampledLstmRec(a.items, a.dim, a.hidden)
        sparse = [model.emb.weight, model.out.weight, model.bias.weight]
        dense = [p for p in model.parameters() if all(p is not q for q in sparse)]
        opts = [torch.optim.SparseAdam(sparse, lr=1e-3), torch.optim.Adam(dense, lr=1e-3)]
        mass = zipf_mass(a.items, zipf)
        # GRU4Rec's logQ uses raw support counts (not probabilities): the expected counts of a log of --support-events.
        log_support = torch.log(mass * a.support_events).float()
        negatives = SampleCache(mass ** a.sample_alpha, a.negatives, gen)
    else:
        model = LstmRec(a.items, a.dim, a.hidden)
        opts = [torch.optim.Adam(model.parameters(), lr=1e-3)]
    batches = [zipf_batch(gen, a.batch, a.len, a.items, zipf) if zipf > 0 else batch(gen, a.batch, a.len, a.items)
               for _ in range(4)]
    tokens = a.batch * a.len

    def step(i):
        x, y = batches[i % len(batches)]
        for o in opts:
            o.zero_grad(set_to_none=True)
        if sampled:
            loss = model.loss(x, y, negatives.get(), log_support, a.logq, a.sample_alpha)
        else:
            loss = model.loss(x, y)
        loss.backward()
        for o in opts:
            o.step()
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
                h = model.final_hidden(hist)
                scores = model.scores(h) if sampled else model.out(h)
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
           "hidden": a.hidden, "batch": a.batch, "len": a.len, "steps": a.steps, "loss": a.loss,
           **({"negatives": a.negatives, "sample_alpha": a.sample_alpha, "logq": a.logq, "zipf": zipf} if sampled else {}),
           "tokens_per_s": round(a.steps * tokens / train_s, 1), "step_ms": round(1e3 * train_s / a.steps, 2),
           "first_loss": round(losses[0], 5), "last_loss": round(losses[-1], 5),
           "score_users_per_s": round(users_s, 1), "latency_p50_ms": round(p50, 4), "latency_p99_ms": round(p99, 4)}
    print(f"pytorch {torch.__version__} ({a.loss} loss): {rec['tokens_per_s']:.0f} tokens/s, {users_s:.0f} users/s, "
          f"p50 {p50:.3f} ms, p99 {p99:.3f} ms", file=sys.stderr)
    print(json.dumps(rec))


if __name__ == "__main__":
    main()
