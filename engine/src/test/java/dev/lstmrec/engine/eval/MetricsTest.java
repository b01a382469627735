package dev.lstmrec.engine.eval;

import org.junit.jupiter.api.Test;

import static dev.lstmrec.engine.backend.conformance.Tolerances.DOUBLE_FORMULA_ATOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Metrics} against values computed by hand from the definitions (one relevant item, 0-based rank r):
 * HR@K = [r &lt; K], NDCG@K = [r &lt; K] / log2(r + 2), MRR@K = [r &lt; K] / (r + 1), averaged over cases; the ranks sit
 * on both sides of every cut-off (4/5, 9/10, 19/20) so an off-by-one in "rank &lt; K" fails.
 */
class MetricsTest {
    // 1 / log2(r + 2) for the ranks below, worked out separately (log2 3 = 1.5849625007, log2 6 = 2.5849625007, ...).
    private static final double G0 = 1.0, G1 = 0.6309297535714574, G4 = 0.38685280723454163, G5 = 0.35620718710802218,
            G9 = 0.28906482631788782, G10 = 0.27894294565112984, G19 = 0.22767024869695301;

    @Test
    void formulasOnHandComputedRanks() {
        int[] ranks = {0, 1, 4, 5, 9, 10, 19, 20, 100, 4};
        Metrics m = Metrics.fromRanks(ranks);
        double n = ranks.length;
        assertEquals(10, m.cases());
        assertEquals(4 / n, m.get(Metric.HR, 5), DOUBLE_FORMULA_ATOL); // 0, 1, 4, 4
        assertEquals(6 / n, m.get(Metric.HR, 10), DOUBLE_FORMULA_ATOL); // + 5, 9
        assertEquals(8 / n, m.get(Metric.HR, 20), DOUBLE_FORMULA_ATOL); // + 10, 19
        assertEquals((G0 + G1 + 2 * G4) / n, m.get(Metric.NDCG, 5), DOUBLE_FORMULA_ATOL);
        assertEquals((G0 + G1 + 2 * G4 + G5 + G9) / n, m.get(Metric.NDCG, 10), DOUBLE_FORMULA_ATOL);
        assertEquals((G0 + G1 + 2 * G4 + G5 + G9 + G10 + G19) / n, m.get(Metric.NDCG, 20), DOUBLE_FORMULA_ATOL);
        assertEquals((1 + 0.5 + 0.2 + 0.2) / n, m.get(Metric.MRR, 5), DOUBLE_FORMULA_ATOL);
        assertEquals((1.9 + 1 / 6.0 + 0.1) / n, m.get(Metric.MRR, 10), DOUBLE_FORMULA_ATOL);
        assertEquals((1.9 + 1 / 6.0 + 0.1 + 1 / 11.0 + 0.05) / n, m.get(Metric.MRR, 20), DOUBLE_FORMULA_ATOL);
    }

    @Test
    void aFirstPlaceScoresOneEverywhereAndAMissScoresZero() {
        Metrics first = Metrics.fromRanks(new int[] {0});
        Metrics miss = Metrics.fromRanks(new int[] {20, 1681});
        for (int k : Protocol.CUTOFFS) {
            for (Metric metric : Metric.values()) {
                assertEquals(1.0, first.get(metric, k), metric.key(k));
                assertEquals(0.0, miss.get(metric, k), metric.key(k));
            }
        }
        assertEquals(0.0, Metrics.fromRanks(new int[0]).get(Metric.HR, 10)); // no cases: zeros, not NaN
    }

    @Test
    void aMetricIsReadThroughItsTypeAndReportedUnderItsKey() {
        Metrics m = Metrics.fromRanks(new int[] {3});
        assertEquals(m.get(Metric.NDCG, 10), m.asMap().get("NDCG@10"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.get(Metric.HR, 7));
        assertTrue(e.getMessage().contains("HR@7"), e.getMessage());
    }
}
