package dev.lstmrec.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The sessions of a test log mapped through a trained model's item index, as the session-based protocol scores them:
 * events whose item the model does not know are dropped (and counted), then sessions left with fewer than two items
 * (nothing to predict) are dropped (and counted). Every remaining session of length L gives L - 1 test positions.
 * Checked by SessionProtocolTest.
 *
 * @param sessions        internal items (1..N) in time order, each of length at least 2
 * @param events          events read from the test log
 * @param unknownEvents   events dropped because their item is unknown to the model
 * @param droppedSessions sessions with fewer than two known items
 * @param positions       test positions: the sum of (length - 1) over the sessions
 */
public record TestSessions(List<int[]> sessions, long events, long unknownEvents, int droppedSessions, long positions) {

    /**
     * @param test      the test log as read (its own item numbering)
     * @param itemIndex the model's internal index (1..N) of an external item id, or a value below 1 when unknown
     */
    public static TestSessions map(Dataset test, ToIntFunction<String> itemIndex) {
        int[] internal = new int[test.numItems() + 1];
        for (int i = 1; i <= test.numItems(); i++) internal[i] = Math.max(0, itemIndex.applyAsInt(test.itemId(i)));
        List<int[]> sessions = new ArrayList<>();
        long unknown = 0, positions = 0;
        int dropped = 0;
        for (int u = 0; u < test.numUsers(); u++) {
            int[] s = test.sequence(u);
            int n = 0;
            for (int item : s) {
                int m = internal[item];
                if (m == 0) unknown++;
                else s[n++] = m;
            }
            if (n < 2) {
                dropped++;
                continue;
            }
            sessions.add(n == s.length ? s : java.util.Arrays.copyOf(s, n));
            positions += n - 1;
        }
        return new TestSessions(List.copyOf(sessions), test.numInteractions(), unknown, dropped, positions);
    }

    /** One line for logs: what was kept and what was dropped. */
    public String describe() {
        return String.format("%,d test sessions, %,d positions scored; %,d of %,d events dropped (item unknown to the model),"
                + " %,d sessions dropped (fewer than 2 known items)", sessions.size(), positions, unknownEvents, events, droppedSessions);
    }
}
