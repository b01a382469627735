package dev.lstmrec.engine.backend;

/**
 * Running top-K selection shared by the CPU backends' {@link Backend#scoreTopK}: a list kept sorted by descending
 * score, fed indices in ascending order, so an equal score never displaces an earlier index (ties go to the lower
 * index, as the contract says). O(K) per accepted candidate; most candidates are rejected by one comparison.
 */
public final class TopK {
    private TopK() {}

    /**
     * Offers candidate {@code j} with score {@code s} to the list held in {@code bestI}/{@code bestS}[0, k) of
     * which {@code count} entries are filled; returns the new count.
     */
    public static int offer(int[] bestI, float[] bestS, int k, int count, int j, float s) {
        return offer(bestI, bestS, 0, k, count, j, s);
    }

    /** As {@link #offer(int[], float[], int, int, int, float)} for the list at {@code [base, base + k)}. */
    public static int offer(int[] bestI, float[] bestS, int base, int k, int count, int j, float s) {
        if (count < k) count++;
        else if (!(s > bestS[base + k - 1])) return count;
        int pos = base + count - 1;
        while (pos > base && s > bestS[pos - 1]) {
            bestS[pos] = bestS[pos - 1];
            bestI[pos] = bestI[pos - 1];
            pos--;
        }
        bestS[pos] = s;
        bestI[pos] = j;
        return count;
    }
}
