#!/usr/bin/env python3
"""The official GRU4Rec (PyTorch) as the session-log anchor, with test accuracy and seconds after every epoch.

Usage:
  [OPENBLAS_CORETYPE=SKYLAKEX] python3 bench/scripts/gru4rec-anchor.py GRU4REC_CHECKOUT TRAIN.tsv[.gz] TEST.tsv[.gz] \
      [--params PARAMFILE.py] [--epochs 5] [--threads 2] [--json OUT.json]

GRU4REC_CHECKOUT is a checkout of github.com/hidasib/GRU4Rec_PyTorch_Official (not part of this project). The
parameter file defaults to its paramfiles/diginetica_bprmax_shared_best.py (the setting issue 21 measured), with
n_epochs replaced by --epochs. Training runs exactly the official GRU4Rec.fit; the only thing this script adds is
an evaluation between epochs: GRU4Rec.fit builds a fresh model and optimiser on every call, so the script calls it
once per epoch (n_epochs=1) and hands the first call's model and IndexedAdagradM back to every later call, which
continues training exactly where the previous epoch stopped (the data iterator walks the sessions in time order
every epoch, as in one fit call; only the negative-sample buffer is drawn anew). Evaluation is the official
evaluation.batch_eval (every next item of every test session, all items ranked), in the 'standard' tie mode run.py
uses, at cut-offs 5, 10 and 20. Set OPENBLAS_CORETYPE=SKYLAKEX only on CPUs with AVX-512 (Debian's
OpenBLAS 0.3.21 may not recognise them); elsewhere it dies with an illegal instruction. Times: training seconds per epoch (evaluation excluded), wall clock, torch threads as given.
"""
import argparse
import importlib.util
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkout')
    ap.add_argument('train')
    ap.add_argument('test')
    ap.add_argument('--params', help='GRU4Rec parameter file (default: its diginetica_bprmax_shared_best.py)')
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', help='write the per-epoch figures here')
    args = ap.parse_args()

    sys.path.insert(0, os.path.abspath(args.checkout))
    import numpy as np
    import pandas as pd
    import torch
    torch.set_num_threads(args.threads)
    import gru4rec_pytorch as g
    import evaluation

    params_file = args.params or os.path.join(args.checkout, 'paramfiles', 'diginetica_bprmax_shared_best.py')
    spec = importlib.util.spec_from_file_location('params', params_file)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    params = dict(mod.gru4rec_params)
    params['n_epochs'] = 1

    def load(path):
        # GRU4Rec wants int32 session ids; logs may use any text: number them in order of appearance.
        d = pd.read_csv(path, sep='\t', usecols=['SessionId', 'ItemId', 'Time'], dtype={'SessionId': 'str', 'ItemId': 'str'})
        d['SessionId'] = pd.factorize(d['SessionId'])[0].astype('int32')
        return d

    train, test = load(args.train), load(args.test)
    print(f'train: {len(train)} events, {train.SessionId.nunique()} sessions, {train.ItemId.nunique()} items; '
          f'test: {len(test)} events, {test.SessionId.nunique()} sessions; params {params_file}; torch {torch.__version__}, '
          f'{torch.get_num_threads()} threads', flush=True)

    # Continue one model across fit calls: the first call builds the model and optimiser, later calls get them back.
    # The classes call super(ClassName, self) in __init__, so the module name points back at the class while it builds.
    def kept_instance(name, cls, on_reuse=lambda obj: None):
        def factory(*a, **k):
            if name not in kept:
                setattr(g, cls.__name__, cls)
                try:
                    kept[name] = cls(*a, **k)
                finally:
                    setattr(g, cls.__name__, factory)
            else:
                on_reuse(kept[name])
            return kept[name]
        return factory

    def keep_weights(model):
        model._reset_weights_to_compatibility_mode = lambda: None  # fit would reinitialise the trained weights

    kept = {}
    model_factory = kept_instance('model', g.GRU4RecModel, keep_weights)
    opt_factory = kept_instance('opt', g.IndexedAdagradM)
    g.GRU4RecModel, g.IndexedAdagradM = model_factory, opt_factory
    gru = g.GRU4Rec(device='cpu')
    gru.set_params(**params)
    epochs, train_seconds = [], 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        gru.fit(train)
        dt = time.time() - t0
        train_seconds += dt
        t1 = time.time()
        # Older PyTorch (Debian's 1.13) indexes only with int64: the test iterator takes its item map from here.
        gru.data_iterator.itemidmap = gru.data_iterator.itemidmap.astype('int64')
        recall, mrr = evaluation.batch_eval(gru, test, cutoff=[5, 10, 20], batch_size=512, mode='standard')
        ev = time.time() - t1
        row = {'epoch': epoch, 'train_seconds': round(dt, 1), 'cumulative_train_seconds': round(train_seconds, 1),
               'eval_seconds': round(ev, 1)}
        for c in (5, 10, 20):
            row[f'hr@{c}'] = float(recall[c])
            row[f'mrr@{c}'] = float(mrr[c])
        epochs.append(row)
        print(f"epoch {epoch}: train {dt:.1f}s (cumulative {train_seconds:.1f}s), eval {ev:.1f}s: "
              f"HR@20 {row['hr@20']:.4f} MRR@20 {row['mrr@20']:.4f}  HR@10 {row['hr@10']:.4f} MRR@10 {row['mrr@10']:.4f}",
              flush=True)
    best = max(epochs, key=lambda r: r['hr@20'])
    print(f"best HR@20 at epoch {best['epoch']}: {best['hr@20']:.4f} / MRR@20 {best['mrr@20']:.4f} after "
          f"{best['cumulative_train_seconds']:.0f}s of training")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'params_file': params_file, 'params': {k: str(v) for k, v in params.items() if k != 'n_epochs'},
                       'threads': args.threads, 'torch': torch.__version__, 'epochs': epochs}, f, indent=1)


if __name__ == '__main__':
    main()
