package dev.lstmrec.engine.eval;

/**
 * One leave-one-out prediction: a user's history (items 1..N in time order) and the held-out next item.
 *
 * @param history the items before the target (non-empty); all of them are excluded from the ranking when the
 *                protocol excludes seen items, and its window ({@link ModelScorer#window}) is fed to the model
 * @param target  the held-out item, 1..N
 */
public record EvalCase(int[] history, int target) {
    public EvalCase {
        if (history.length == 0) throw new IllegalArgumentException("evaluation history must not be empty");
        if (target < 1) throw new IllegalArgumentException("target item must be >= 1, got " + target);
    }
}
