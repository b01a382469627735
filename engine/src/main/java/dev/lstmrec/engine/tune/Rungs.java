package dev.lstmrec.engine.tune;

// Successive halving, asynchronous (ASHA, Li et al. 2020): rungs at r, r*eta, r*eta^2, ... epochs up to the maximum.
// A trial that reaches a rung is promoted to the next when it is in the top 1/eta of everything that reached that
// rung so far; when no trial can be promoted a new one starts at the bottom rung. Promotion continues the trial
// from its saved training state. Plain random search is the one-rung ladder: every trial trains to the maximum.

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rung ladder and the promotion rule.
 *
 * @param rungs epochs at each rung, increasing; the last is the maximum a trial trains
 * @param eta   promotion ratio: the top 1/eta of a rung move up
 */
public record Rungs(int[] rungs, int eta) {
    public Rungs {
        if (rungs.length == 0) throw new IllegalArgumentException("a ladder needs at least one rung");
        for (int k = 0; k < rungs.length; k++) {
            if (rungs[k] <= 0 || (k > 0 && rungs[k] <= rungs[k - 1])) throw new IllegalArgumentException("rungs must increase from >= 1 epoch");
        }
        if (eta < 2) throw new IllegalArgumentException("eta must be >= 2, got " + eta);
        rungs = rungs.clone();
    }

    /** ASHA with rungs at minEpochs * eta^k below maxEpochs, then maxEpochs. */
    public static Rungs asha(int minEpochs, int eta, int maxEpochs) {
        if (minEpochs < 1 || minEpochs > maxEpochs) {
            throw new IllegalArgumentException("need 1 <= min epochs <= max epochs, got " + minEpochs + " and " + maxEpochs);
        }
        if (eta < 2) throw new IllegalArgumentException("eta must be >= 2, got " + eta);
        List<Integer> r = new ArrayList<>();
        for (long e = minEpochs; e < maxEpochs; e *= eta) r.add((int) e);
        r.add(maxEpochs);
        return new Rungs(r.stream().mapToInt(Integer::intValue).toArray(), eta);
    }

    /** Random search: every trial trains to {@code maxEpochs} (or early stopping). */
    public static Rungs randomSearch(int maxEpochs) {
        return new Rungs(new int[] {maxEpochs}, 2);
    }

    @Override
    public int[] rungs() {
        return rungs.clone();
    }

    public int maxEpochs() {
        return rungs[rungs.length - 1];
    }

    /** Epochs at rung {@code k}. */
    public int epochsAt(int k) {
        return rungs[k];
    }

    public int numRungs() {
        return rungs.length;
    }

    /**
     * The trial to promote now, or null: scanning from the highest rung below the top down, the best trial that
     * reached rung k, is in its top floor(n_k / eta), has not moved past it and can still train.
     */
    public Trial promotable(List<Trial> trials) {
        for (int k = rungs.length - 2; k >= 0; k--) {
            int rung = k;
            List<Trial> reached = new ArrayList<>();
            for (Trial t : trials) if (t.rungScores.size() > rung) reached.add(t);
            reached.sort(Comparator.comparingDouble((Trial t) -> -t.rungScores.get(rung)).thenComparingInt(t -> t.id));
            int top = reached.size() / eta;
            for (int i = 0; i < top; i++) {
                Trial t = reached.get(i);
                if (t.rung() == rung && !t.finished && t.failure == null) return t;
            }
        }
        return null;
    }

    /** The rung index a trial with {@code epochs} epochs has reached (-1 below the first). */
    public int rungOf(int epochs) {
        int k = -1;
        while (k + 1 < rungs.length && rungs[k + 1] <= epochs) k++;
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rungs s && java.util.Arrays.equals(rungs, s.rungs) && eta == s.eta;
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(rungs) + eta;
    }

    @Override
    public String toString() {
        return (rungs.length == 1 ? "random search" : "ASHA eta=" + eta) + ", rungs at " + java.util.Arrays.toString(rungs) + " epochs";
    }
}
