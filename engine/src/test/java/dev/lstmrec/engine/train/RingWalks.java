package dev.lstmrec.engine.train;

import dev.lstmrec.engine.eval.EvalCase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test data for the trainer tests: items on a ring, each user walking it with step +1 (80%) or +2, so the next item is
 * nearly determined by the last one while every item is equally popular.
 */
final class RingWalks {
    private RingWalks() {}

    /** Each sequence holds 8 to 17 items of 1..items. */
    static List<int[]> walks(int users, int items, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int len = 8 + rnd.nextInt(10);
            int[] s = new int[len];
            s[0] = 1 + rnd.nextInt(items);
            for (int t = 1; t < len; t++) s[t] = 1 + (s[t - 1] - 1 + (rnd.nextDouble() < 0.8 ? 1 : 2)) % items;
            seqs.add(s);
        }
        return seqs;
    }

    /** Sequences without their last item, and those last items as the validation targets. */
    record HeldOut(List<int[]> train, List<EvalCase> valid) {
        static HeldOut lastItem(List<int[]> all) {
            List<int[]> train = new ArrayList<>();
            List<EvalCase> valid = new ArrayList<>();
            for (int[] s : all) {
                int[] tr = Arrays.copyOf(s, s.length - 1);
                train.add(tr);
                valid.add(new EvalCase(tr, s[s.length - 1]));
            }
            return new HeldOut(train, valid);
        }
    }
}
