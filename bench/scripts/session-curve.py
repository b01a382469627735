#!/usr/bin/env python3
"""Learning curves side by side: lstmrec's test HR@20 / MRR@20 after every epoch against cumulative training seconds,
beside the official GRU4Rec's, as one Markdown table (the figure of merit is time to accuracy, not tokens/s).

    python3 bench/scripts/session-curve.py LSTMREC_REPORT.json GRU4REC.json

LSTMREC_REPORT.json: `lstmrec train --data TRAIN --format gru4rec --test-data TEST --plot curve.png --report R.json`
(with --plot, a session-log run scores the test sessions after every epoch and the report holds them per epoch;
the epoch kept is still chosen on validation). GRU4REC.json: `bench/scripts/gru4rec-anchor.py ... --json G.json`.
Both sides' seconds are training only (validation and test scoring excluded). Run both on the same machine, one at a
time, or the seconds are not comparable. Standard library only.
"""
import json
import sys


def lstmrec_rows(report):
    rows, t = [], 0.0
    for e in report['epochs']:
        t += e['seconds']
        if 'test' not in e:
            sys.exit('%s: epoch %d has no test figures: train with --plot (a session log) to record the curve'
                     % (sys.argv[1], e['epoch']))
        rows.append(('lstmrec', e['epoch'], t, e['test']['HR@20'], e['test']['MRR@20']))
    return rows


def gru4rec_rows(anchor):
    return [('GRU4Rec', e['epoch'], e['cumulative_train_seconds'], e['hr@20'], e['mrr@20']) for e in anchor['epochs']]


def first_reaching(rows, column, target):
    for r in rows:
        if r[column] >= target:
            return r
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        ours = lstmrec_rows(json.load(f))
    with open(sys.argv[2]) as f:
        theirs = gru4rec_rows(json.load(f))
    print('| system | epoch | training s | test HR@20 | test MRR@20 |')
    print('| --- | --- | --- | --- | --- |')
    for r in sorted(ours + theirs, key=lambda r: (r[2], r[0])):
        print('| %s | %d | %.1f | %.4f | %.4f |' % r)
    for column, name in ((3, 'HR@20'), (4, 'MRR@20')):
        best = max(theirs, key=lambda r: r[column])
        hit = first_reaching(ours, column, best[column])
        mine = ('lstmrec reaches it after epoch %d, %.1f s (%.2fx GRU4Rec\'s time)' % (hit[1], hit[2], hit[2] / best[2])
                if hit else 'lstmrec does not reach it (best %.4f)' % max(r[column] for r in ours))
        print('\nGRU4Rec\'s best %s %.4f after epoch %d, %.1f s of training; %s.' % (name, best[column], best[1], best[2], mine))


if __name__ == '__main__':
    main()
