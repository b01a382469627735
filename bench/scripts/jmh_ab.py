#!/usr/bin/env python3
# Reads OUTDIR/{before,after}-N.json written by jmh-ab.sh and prints one markdown table per benchmark and parameter
# set: each side's mean ± 99.9% confidence interval over all iterations of all its rounds (Student t, as JMH
# reports its error), the after/before ratio of the means, and each side's gc.alloc.rate.norm (B/op) if measured.
# Standard library only.
import glob
import json
import math
import os
import statistics
import sys

# Two-sided 99.9% Student t quantiles (0.9995) by degrees of freedom; beyond the table the normal value.
T9995 = {1: 636.62, 2: 31.599, 3: 12.924, 4: 8.610, 5: 6.869, 6: 5.959, 7: 5.408, 8: 5.041, 9: 4.781, 10: 4.587,
         11: 4.437, 12: 4.318, 13: 4.221, 14: 4.140, 15: 4.073, 16: 4.015, 17: 3.965, 18: 3.922, 19: 3.883,
         20: 3.850, 24: 3.745, 29: 3.659, 39: 3.551, 59: 3.460}


def t_quantile(df):
    for k in sorted(T9995):
        if df <= k:
            return T9995[k]
    return 3.291


def load(out, side):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, f"{side}-*.json"))):
        with open(path) as f:
            for b in json.load(f):
                params = ",".join(f"{k}={v}" for k, v in sorted(b.get("params", {}).items()))
                key = (b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1], params)
                e = runs.setdefault(key, {"samples": [], "unit": b["primaryMetric"]["scoreUnit"], "alloc": []})
                for fork in b["primaryMetric"]["rawData"]:
                    e["samples"].extend(fork)
                alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
                if alloc:
                    e["alloc"].append(alloc["score"])
    return runs


def summary(samples):
    m = statistics.fmean(samples)
    if len(samples) < 2:
        return m, float("nan")
    return m, t_quantile(len(samples) - 1) * statistics.stdev(samples) / math.sqrt(len(samples))


def main(out):
    before, after = load(out, "before"), load(out, "after")
    print("| benchmark | params | before | after | after/before | B/op before | B/op after |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for key in sorted(set(before) & set(after)):
        b, a = before[key], after[key]
        mb, eb = summary(b["samples"])
        ma, ea = summary(a["samples"])
        unit = b["unit"]
        alloc = lambda e: "/".join(f"{x:.0f}" for x in e["alloc"]) if e["alloc"] else "-"
        print(f"| {key[0]} | {key[1]} | {mb:.3f} ± {eb:.3f} {unit} | {ma:.3f} ± {ea:.3f} {unit} | {ma / mb:.3f} "
              f"| {alloc(b)} | {alloc(a)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/ab")
