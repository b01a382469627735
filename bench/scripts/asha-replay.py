#!/usr/bin/env python3
"""ASHA against random search, replayed on real learning curves (a tabular benchmark, as HPO papers use them).

One `lstmrec tune --scheduler random` run trains every configuration it draws to the end and logs each epoch's
validation NDCG@10; its leaderboard gives each trial's seconds. This script replays both schedulers many times on
that pool of real curves: configurations are drawn at random from the pool (with replacement), ASHA promotes by the
same rule as dev.lstmrec.engine.tune.Schedule (rungs min*eta^k then max, top 1/eta of everything that reached a rung,
scanning from the highest rung down; otherwise a new trial), random search trains each draw fully, and both stop
starting jobs when the job plus the time to finish the current leader would pass the budget (the Tuner's rule).
The outcome of a search is the fully trained validation NDCG@10 of its leader (the Tuner trains the leader to the
end). Costs are the measured seconds per epoch of each configuration.

Usage: asha-replay.py RANDOM.err [RANDOM.out] [--budgets 5,10,15,30] [--reps 2000] [--min-epochs 3 --eta 3 --max-epochs 40]
"""
import argparse
import random
import re
import statistics as st


def read_pool(err_path, out_path):
    curves, started, last = {}, {}, {}
    for line in open(err_path):
        left = re.search(r"left (?:(\d+)m)?(\d+)s\s*$", line)
        left = int(left.group(1) or 0) * 60 + int(left.group(2)) if left else None
        m = re.match(r"trial (\d+) new:", line)
        if m and left is not None:
            started[int(m.group(1))] = left
        m = re.match(r"\s+trial (\d+) epoch (\d+)\s+valid NDCG@10 ([0-9.]+)", line)
        if m:
            curves.setdefault(int(m.group(1)), {})[int(m.group(2))] = float(m.group(3))
            if left is not None:
                last[int(m.group(1))] = left
    # without the leaderboard (a run still going): a trial's seconds from its log lines (random search runs one
    # trial start to end, so "left" at its start minus "left" at its last epoch is its time; 1 s resolution)
    seconds = {t: (started[t] - last[t], len(curves[t])) for t in curves if t in started and t in last}
    for line in ([] if out_path is None else open(out_path)):
        m = re.match(r"\s*\d+\s+(\d+)\s+([0-9.]+)\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+lr=", line)
        if m and "(stopped at a rung)" not in line:
            seconds[int(m.group(1))] = (float(m.group(5)), int(m.group(3)))
    pool = []
    for t, c in curves.items():
        if t not in seconds:
            continue
        secs, epochs = seconds[t]
        vals = [c[e] for e in sorted(c)]
        # finished trials only (trained to the maximum, or stopped early by patience); an ASHA log's trials that were
        # stopped at a rung are left out
        if len(vals) != epochs or epochs == 0:
            continue
        pool.append((t, vals, secs / epochs))
    return pool


def best_upto(vals, epochs):
    return max(vals[:min(epochs, len(vals))])


def search(pool, rungs, eta, budget_s, rng, asha):
    """Returns the fully trained validation NDCG@10 of the leader when the budget ends, and the trials started."""
    if not asha:
        rungs = [rungs[-1]]
    trials = []  # dicts: vals, epoch_s, rung index reached (-1 none), scores per rung, epochs done
    spent = 0.0

    def leader():
        done = [t for t in trials if t["epochs"] > 0]
        return max(done, key=lambda t: best_upto(t["vals"], t["epochs"])) if done else None

    def finish_cost(t):
        return 0.0 if t is None else max(0, min(rungs[-1], len(t["vals"])) - t["epochs"]) * t["epoch_s"]

    while True:
        job = None
        for k in range(len(rungs) - 2, -1, -1):
            reached = sorted((t for t in trials if len(t["scores"]) > k), key=lambda t: -t["scores"][k])
            for t in reached[:len(reached) // eta]:
                if len(t["scores"]) == k + 1 and t["epochs"] < len(t["vals"]):
                    job = (t, rungs[k + 1])
                    break
            if job:
                break
        if job is None:
            _, vals, epoch_s = rng.choice(pool)
            t = {"vals": vals, "epoch_s": epoch_s, "scores": [], "epochs": 0}
            job = (t, rungs[0])
            new = True
        else:
            new = False
        t, target = job
        cost = (min(target, len(t["vals"])) - t["epochs"]) * t["epoch_s"]
        lead = leader()
        reserve = finish_cost(lead) if lead is not t else 0.0
        if spent + cost + reserve > budget_s:
            break
        if new:
            trials.append(t)
        spent += cost
        t["epochs"] = min(target, len(t["vals"]))
        # a trial stopped early by patience below a rung still records its best at that rung (and cannot continue)
        while len(t["scores"]) < len(rungs) and rungs[len(t["scores"])] <= target:
            t["scores"].append(best_upto(t["vals"], t["epochs"]))
    lead = leader()
    return (max(lead["vals"]) if lead else 0.0), len(trials)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("err")
    ap.add_argument("out", nargs="?", help="the run's stdout (leaderboard: exact seconds per trial)")
    ap.add_argument("--budgets", default="5,10,15,30")
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--min-epochs", type=int, default=3)
    ap.add_argument("--eta", type=int, default=3)
    ap.add_argument("--max-epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    pool = read_pool(a.err, a.out)
    rungs, e = [], a.min_epochs
    while e < a.max_epochs:
        rungs.append(e)
        e *= a.eta
    rungs.append(a.max_epochs)
    finals = sorted(max(v) for _, v, _ in pool)
    print(f"pool: {len(pool)} fully trained configurations from {a.err}; fully trained validation NDCG@10 "
          f"min {finals[0]:.4f} median {st.median(finals):.4f} max {finals[-1]:.4f}; "
          f"seconds per epoch {min(s for *_, s in pool):.2f}-{max(s for *_, s in pool):.2f}; rungs {rungs}, eta {a.eta}")
    print(f"{a.reps} replays per budget; outcome = the leader's fully trained validation NDCG@10\n")
    print("| budget | ASHA mean ± sd | random mean ± sd | ASHA > random | ASHA = random | configurations tried (ASHA / random) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for b in (float(x) for x in a.budgets.split(",")):
        wins = ties = 0
        ra, rr, na, nr = [], [], [], []
        for rep in range(a.reps):
            x, n1 = search(pool, rungs, a.eta, b * 60, random.Random(a.seed * 1_000_003 + rep), True)
            y, n2 = search(pool, rungs, a.eta, b * 60, random.Random(a.seed * 1_000_003 + rep + 7_777_777), False)
            ra.append(x), rr.append(y), na.append(n1), nr.append(n2)
            wins += x > y
            ties += x == y
        print(f"| {b:g} min | {st.mean(ra):.4f} ± {st.stdev(ra):.4f} | {st.mean(rr):.4f} ± {st.stdev(rr):.4f} | "
              f"{wins / a.reps:.0%} | {ties / a.reps:.0%} | {st.mean(na):.0f} / {st.mean(nr):.0f} |")


if __name__ == "__main__":
    main()
