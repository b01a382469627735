package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation protocol at the evaluator, with a scorer whose item scores are fixed (the popularity scorer over
 * chosen counts), so every rank is known by hand: exclude-seen, conservative ties, the target always ranked, and
 * sampled candidates (unseen, never the target, distinct, seeded, deterministic).
 */
class EvaluatorTest {
    private static final int N = 8;
    // Item 1..8 scores: item 1 is the most popular; items 4 and 5 tie.
    private static final long[] COUNTS = {0, 80, 70, 60, 50, 50, 30, 20, 10};

    private final ScalarBackend backend = new ScalarBackend();
    private final Evaluator evaluator = new Evaluator(backend, N);
    private final PopularityScorer scorer = new PopularityScorer(backend, COUNTS);

    private int rank(EvalCase c, Protocol p) {
        return evaluator.ranks(scorer, List.of(c), p)[0];
    }

    @Test
    void seenItemsScoringAboveTheTargetDoNotCountWhenExcludedAndDoOtherwise() {
        EvalCase c = new EvalCase(new int[] {1, 7}, 3); // items 1 and 2 score above 3; 1 is seen
        assertEquals(1, rank(c, new Protocol(true, 0, 1L)));  // only item 2 above it
        assertEquals(2, rank(c, new Protocol(false, 0, 1L))); // items 1 and 2
    }

    @Test
    void tiesCountAgainstTheTarget() {
        assertEquals(4, rank(new EvalCase(new int[] {8}, 4), Protocol.fullRanking())); // 1, 2, 3 above, 5 ties
        assertEquals(4, rank(new EvalCase(new int[] {8}, 5), Protocol.fullRanking())); // and the other way round
        assertEquals(3, rank(new EvalCase(new int[] {8, 5}, 4), Protocol.fullRanking())); // the tying item seen
    }

    @Test
    void theTargetIsRankedEvenWhenItIsInTheHistory() {
        // A repeat consumption: item 3 seen before and the target again; it is still ranked, its own score no rival.
        assertEquals(1, rank(new EvalCase(new int[] {3, 1}, 3), Protocol.fullRanking()));
    }

    @Test
    void metricsAreTheFormulasOverTheRanksOfAllCases() {
        List<EvalCase> cases = new ArrayList<>();
        for (int target = 1; target <= N; target++) cases.add(new EvalCase(new int[] {target == 1 ? 2 : 1}, target));
        int[] ranks = evaluator.ranks(scorer, cases, Protocol.fullRanking());
        assertArrayEquals(new int[] {0, 0, 1, 3, 3, 4, 5, 6}, ranks);
        assertEquals(Metrics.fromRanks(ranks).asMap(), evaluator.evaluate(scorer, cases, Protocol.fullRanking()).asMap());
    }

    @Test
    void sampledCandidatesAreUnseenDistinctNeverTheTargetAndSeeded() {
        int n = 1000;
        Evaluator big = new Evaluator(backend, n);
        int[] history = {5, 17, 17, 999, 1000, 1};
        EvalCase c = new EvalCase(history, 42);
        Protocol p = new Protocol(true, 100, 7L);
        Set<Integer> seen = new HashSet<>();
        for (int h : history) seen.add(h - 1);
        for (int caseIndex = 0; caseIndex < 50; caseIndex++) {
            int[] cand = big.candidates(c, p, caseIndex);
            assertEquals(100, cand.length);
            for (int i = 0; i < cand.length; i++) {
                assertTrue(cand[i] >= 0 && cand[i] < n, "an output index 0..N-1: " + cand[i]);
                assertFalse(seen.contains(cand[i]), "history item " + (cand[i] + 1) + " drawn");
                assertTrue(cand[i] != 41, "the target drawn");
                if (i > 0) assertTrue(cand[i] > cand[i - 1], "sorted and distinct");
            }
            assertArrayEquals(cand, big.candidates(c, p, caseIndex), "the same seed and case give the same draw");
            assertFalse(Arrays.equals(cand, big.candidates(c, new Protocol(true, 100, 8L), caseIndex)), "the seed matters");
            assertFalse(Arrays.equals(cand, big.candidates(c, p, caseIndex + 1)), "each case has its own draw");
        }
    }

    @Test
    void fewerUnseenItemsThanNegativesGivesAllOfThem() {
        int[] cand = evaluator.candidates(new EvalCase(new int[] {1, 2, 6}, 3), new Protocol(true, 100, 1L), 0);
        assertArrayEquals(new int[] {3, 4, 6, 7}, cand); // items 4, 5, 7, 8
    }

    @Test
    void underTheSampledProtocolOnlyCandidatesCompete() {
        // Target 8 is the least popular item: ranked against its 3 sampled candidates, its rank is 3 whatever they are,
        // and the seen items 1 and 2 (above it) are never among them.
        EvalCase c = new EvalCase(new int[] {1, 2}, 8);
        Protocol p = new Protocol(true, 3, 11L);
        assertEquals(3, rank(c, p));
        // Target 1 (the most popular) is first against any candidates, though it would be first anyway.
        assertEquals(0, rank(new EvalCase(new int[] {2}, 1), p));
        // Target 6 against 3 of the unseen {3, 4, 5, 7, 8}: its rank is the number drawn from {3, 4, 5}.
        int[] cand = evaluator.candidates(new EvalCase(new int[] {1, 2}, 6), p, 0);
        int above = 0;
        for (int j : cand) if (j + 1 <= 5) above++;
        assertEquals(above, rank(new EvalCase(new int[] {1, 2}, 6), p));
    }
}
