package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.data.Dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * The training-side split of the session-based protocol (--test-data) by time: the latest sessions of the training
 * log, holding {@link #FRACTION} of its predictable positions (at least {@link #MIN_POSITIONS} where the log allows),
 * are held out whole and scored as the test sessions are (every next item given the session's items before it); every
 * other session trains whole. It mimics the later test log, which {@link LastItemHoldout} (the last item of every
 * session) does not: on the Tmall split the last-item holdout read HR@10 0.415 while the test read HR@20 0.147,
 * and it took one transition from every training session (a two-item session trained nothing). Checked by
 * LatestSessionsHoldoutTest.
 *
 * @param train      the sessions that train, in user order
 * @param validation the held-out sessions (two or more items each), oldest first
 */
public record LatestSessionsHoldout(List<int[]> train, List<int[]> validation) {
    /** The share of the training log's positions held out. */
    public static final double FRACTION = 0.02;
    /** Fewer validation positions than this make the selection metric too noisy (its standard error near 0.01). */
    public static final int MIN_POSITIONS = 2_000;

    /** Splits {@code data}: the latest sessions until the held-out positions reach the target, the rest for training. */
    public static LatestSessionsHoldout split(Dataset data) {
        boolean[] held = latestUsers(data);
        List<int[]> validation = new ArrayList<>();
        for (int u : data.usersByLastTime()) if (held[u]) validation.add(data.sequence(u));
        List<int[]> train = new ArrayList<>(data.numUsers() - validation.size());
        for (int u = 0; u < data.numUsers(); u++) if (!held[u]) train.add(data.sequence(u));
        return new LatestSessionsHoldout(List.copyOf(train), List.copyOf(validation));
    }

    /** Which users (sessions) {@link #split} holds out: the latest with two or more items, up to the target positions. */
    public static boolean[] latestUsers(Dataset data) {
        long positions = 0;
        for (int u = 0; u < data.numUsers(); u++) positions += Math.max(0, data.sequenceLength(u) - 1);
        long target = Math.max(Math.round(FRACTION * positions), Math.min(MIN_POSITIONS, positions / 4));
        int[] order = data.usersByLastTime();
        boolean[] held = new boolean[data.numUsers()];
        long taken = 0;
        for (int i = order.length - 1; i >= 0 && taken < target; i--) {
            int u = order[i];
            if (data.sequenceLength(u) < 2) continue;
            held[u] = true;
            taken += data.sequenceLength(u) - 1;
        }
        return held;
    }

    /** Number of validation positions (targets). */
    public long positions() {
        long p = 0;
        for (int[] s : validation) p += s.length - 1;
        return p;
    }
}
