package dev.lstmrec.engine.api;

import java.util.Arrays;

/**
 * Whose latest new event an update holds out for early stopping (and, in a backtest, a retrain of the same events):
 * every user with one, up to {@link #MAX} users, beyond which the users whose latest new events are the latest in
 * time are kept. Scoring the held-out events against the whole catalogue after every epoch, and keeping them out of
 * training, both grow with their number, while {@link #MAX} cases already measure a ranking metric to about ±0.01; so
 * an update of a session log (one held-out event per session) neither spends most of an epoch validating nor loses a
 * sixth of its events. Checked by {@code UpdateTest}.
 */
final class ValidationUsers {
    /** At most this many held-out events. */
    static final int MAX = 2_000;

    private ValidationUsers() {}

    /**
     * @param latest per user, the time (or any order that follows time) of their latest new event that has an event
     *               before it; {@link Long#MIN_VALUE} for a user without one
     * @return per user, whether that event is held out: all candidates when at most {@code max}, else the {@code max}
     *         latest (ties: the higher user index)
     */
    static boolean[] choose(long[] latest, int max) {
        boolean[] held = new boolean[latest.length];
        int candidates = 0;
        for (long t : latest) if (t != Long.MIN_VALUE) candidates++;
        if (candidates <= max) {
            for (int u = 0; u < latest.length; u++) held[u] = latest[u] != Long.MIN_VALUE;
            return held;
        }
        Integer[] users = new Integer[candidates];
        for (int u = 0, i = 0; u < latest.length; u++) if (latest[u] != Long.MIN_VALUE) users[i++] = u;
        Arrays.sort(users, (a, b) -> latest[a] != latest[b] ? Long.compare(latest[b], latest[a]) : Integer.compare(b, a));
        for (int i = 0; i < max; i++) held[users[i]] = true;
        return held;
    }
}
