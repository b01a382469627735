package dev.lstmrec.engine.eval;

/**
 * How a held-out item is ranked. Full ranking (negatives = 0): against every item, the user's history excluded when
 * {@code excludeSeen}. Sampled (negatives > 0): against that many items drawn uniformly from those the user has not
 * seen (the protocol of many published tables; it inflates every metric). Ties always count against the target.
 */
public record Protocol(boolean excludeSeen, int negatives, long seed) {
    public static final int[] CUTOFFS = {5, 10, 20};

    public Protocol {
        if (negatives < 0) throw new IllegalArgumentException("eval-negatives must be >= 0, got " + negatives);
    }

    public static Protocol fullRanking() {
        return new Protocol(true, 0, 1L);
    }

    public boolean sampled() {
        return negatives > 0;
    }

    /** One sentence for logs and reports. */
    public String describe() {
        String ranking = sampled()
                ? "target ranked against " + negatives + " items sampled uniformly from those the user has not seen (sampled protocol)"
                : "target ranked against ALL items" + (excludeSeen ? " with the user's history excluded" : " (history NOT excluded)");
        return "leave-one-out (last item = test, second-to-last = validation); " + ranking
                + "; ties counted against the target; HR@K, NDCG@K, MRR@K for K = 5, 10, 20";
    }
}
