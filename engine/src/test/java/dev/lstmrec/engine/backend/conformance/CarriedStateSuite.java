package dev.lstmrec.engine.backend.conformance;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.UserStates;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.LstmState;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A carried LSTM state equals a fresh forward pass over the same window, on every backend (issue 24): (1) the
 * network's one-step advance ({@link LstmNetwork#step}) from a fresh pass's state, one item at a time with rows of
 * different lengths, against {@link LstmNetwork#finalState} over the whole covered window (h and c of both layers);
 * (2) the Recommender's per-user state cache under random interleavings of many users, histories crossing the
 * window restart several times, a budget small enough to evict, and a changed history: every keyed answer's scores
 * against the scalar backend's unkeyed (fresh) answer. Random weights larger than a trained model's, two layers.
 *
 * <p>Use: {@code class MyCarriedStateTest extends CarriedStateSuite {}} in a module whose classpath holds the backends
 * to check (every discovered backend is checked; one that cannot run here is skipped with its probe's reason).
 */
public abstract class CarriedStateSuite {
    private static final int ITEMS = 37, MAX_LEN = 5;
    private static final ModelConfig CONFIG = new ModelConfig(ITEMS, 12, 17, 2, MAX_LEN, 0f, 0f);

    static Stream<String> backends() {
        return Backends.discover().stream().map(f -> f.provider().name());
    }

    private static Backend open(String name) {
        Backends.Found found = Backends.discover().stream().filter(f -> f.provider().name().equals(name)).findFirst().orElseThrow();
        Assumptions.assumeTrue(found.probe().usable(), name + " unavailable: " + found.probe().reason());
        return found.create(BackendOptions.defaults());
    }

    private static float[] randomWeights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[new ParameterLayout(CONFIG).total()];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() - 0.5) * 1.2f;
        return w;
    }

    private static int[] randomItems(SplittableRandom r, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = 1 + r.nextInt(ITEMS);
        return s;
    }

    /** Host copy of the state of {@code windows} read from a zero state by a fresh pass. */
    private static float[] freshState(LstmNetwork net, Backend b, List<int[]> windows) {
        int rows = windows.size(), size = rows * LstmState.floatsPerRow(CONFIG);
        Tensor buf = b.allocate(size);
        try {
            net.finalState(PackedBatch.pack(windows, null), LstmState.over(buf, CONFIG, rows));
            float[] host = new float[size];
            b.download(host, 0, buf);
            return host;
        } finally {
            b.free(buf);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void stepsFromAFreshStateEqualAFreshPassOverTheWholeWindow(String name) {
        SplittableRandom r = new SplittableRandom(5);
        float[] w = randomWeights(7);
        int rows = 6, prefix = 3;
        int[] extra = {12, 9, 9, 4, 1, 0}; // rows still stepping are a prefix; one row never steps
        List<int[]> seqs = new ArrayList<>(), prefixes = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            seqs.add(randomItems(r, prefix + extra[i]));
            prefixes.add(Arrays.copyOf(seqs.get(i), prefix));
        }
        ScalarBackend scalar = new ScalarBackend();
        try (Backend b = open(name);
             Parameters p = new Parameters(b, CONFIG, new ParameterLayout(CONFIG));
             LstmNetwork net = new LstmNetwork(b, p, null);
             Parameters sp = new Parameters(scalar, CONFIG, new ParameterLayout(CONFIG));
             LstmNetwork ref = new LstmNetwork(scalar, sp, null)) {
            b.upload(p.slab(), w, 0);
            scalar.upload(sp.slab(), w, 0);
            int size = rows * LstmState.floatsPerRow(CONFIG);
            Tensor buf = b.allocate(size);
            float[] carried = new float[size];
            try {
                LstmState state = LstmState.over(buf, CONFIG, rows);
                net.finalState(PackedBatch.pack(prefixes, null), state);
                for (int t = 0; extra[0] > t; t++) {
                    int n = 0;
                    while (n < rows && extra[n] > t) n++;
                    int[] items = new int[n];
                    for (int i = 0; i < n; i++) items[i] = seqs.get(i)[prefix + t];
                    net.step(state, items);
                }
                b.download(carried, 0, buf);
            } finally {
                b.free(buf);
            }
            Tolerances.assertClose(name + ": carried state against a fresh pass on the same backend", freshState(net, b, seqs),
                    carried, Tolerances.CARRIED_STATE_ATOL, Tolerances.CARRIED_STATE_RTOL);
            Tolerances.assertClose(name + ": carried state against a fresh scalar pass", freshState(ref, scalar, seqs),
                    carried, Tolerances.CARRIED_STATE_ATOL, Tolerances.CARRIED_STATE_RTOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void keyedAnswersEqualFreshScalarAnswersUnderInterleavedUsersAndEviction(String name) {
        int users = 9;
        List<String> items = new ArrayList<>();
        for (int i = 1; i <= ITEMS; i++) items.add("i" + i);
        List<String> userIds = new ArrayList<>();
        int[][] stored = new int[users][];
        for (int u = 0; u < users; u++) {
            userIds.add("u" + u);
            stored[u] = new int[] {1 + u};
        }
        SavedModel model = new SavedModel(CONFIG, items, userIds, stored, randomWeights(11), Map.of());
        SplittableRandom r = new SplittableRandom(13);
        Map<String, int[]> histories = new HashMap<>();
        double worst = 0;
        try (Backend b = open(name);
             Recommender keyed = new Recommender(model, b);
             Recommender fresh = new Recommender(model, new ScalarBackend())) {
            // room for about four users' states: the other users' states are evicted and recomputed
            long perUser = 128 + 2 * 2 + 4L * (2 * MAX_LEN - 1) + 4L * LstmState.floatsPerRow(CONFIG);
            keyed.setStateCacheBytes(4 * perUser);
            for (int round = 0; round < 160; round++) {
                int batch = 1 + r.nextInt(4);
                List<String> keys = new ArrayList<>();
                List<int[]> hs = new ArrayList<>();
                for (int q = 0; q < batch; q++) {
                    String key = "u" + r.nextInt(users);
                    int[] h = histories.getOrDefault(key, new int[0]);
                    int events = r.nextInt(10) < 7 ? 1 : r.nextInt(4); // mostly one event, sometimes none or a few
                    if (h.length == 0) events = Math.max(events, 1);
                    h = Arrays.copyOf(h, h.length + events);
                    for (int e = h.length - events; e < h.length; e++) h[e] = 1 + r.nextInt(ITEMS);
                    int last = h.length - events - 1; // the last item the user's state may have read
                    if (round % 20 == 0 && q == 0 && last >= 0) h[last] = h[last] % ITEMS + 1; // a changed history
                    histories.put(key, h);
                    keys.add(key);
                    hs.add(h);
                }
                int[] k = new int[batch];
                Arrays.fill(k, ITEMS);
                List<Set<Integer>> none = new ArrayList<>();
                for (int q = 0; q < batch; q++) none.add(Set.of());
                List<List<Recommendation>> got = keyed.recommendBatch(keys, hs, k, none);
                List<List<Recommendation>> want = fresh.recommendBatch(hs, k, none);
                for (int q = 0; q < batch; q++) worst = Math.max(worst, compare(name + " round " + round + " query " + q, want.get(q), got.get(q)));
            }
            UserStates.Stats s = keyed.stateCacheStats();
            assertTrue(s.hits() > 100 && s.steps() > 100, "carried states were used: " + s);
            assertTrue(s.restarts() > 10, "windows restarted: " + s);
            assertTrue(s.evictions() > 0 && s.misses() > users, "states were evicted and recomputed: " + s);
            assertTrue(s.stale() > 0, "the changed history was not served from its stale state: " + s);
            assertTrue(s.bytes() <= s.maxBytes(), "within the bound: " + s);
            for (int[] h : histories.values()) assertTrue(h.length > 3 * MAX_LEN, "histories cross the window restart several times");
        }
        System.out.printf("%s: keyed answers against fresh scalar answers, largest score difference %.3g%n", name, worst);
    }

    /** Same item set, each item's score within tolerance; returns the largest difference. */
    private static double compare(String what, List<Recommendation> want, List<Recommendation> got) {
        assertEquals(want.size(), got.size(), what + ": number of items");
        Map<Integer, Float> scores = new HashMap<>();
        for (Recommendation x : got) scores.put(x.item(), x.score());
        double[] e = new double[want.size()];
        float[] a = new float[want.size()];
        double worst = 0;
        for (int i = 0; i < want.size(); i++) {
            e[i] = want.get(i).score();
            Float s = scores.get(want.get(i).item());
            a[i] = s == null ? Float.NaN : s;
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        Tolerances.assertClose(what + ": scores", e, a, Tolerances.CARRIED_STATE_ATOL, Tolerances.CARRIED_STATE_RTOL);
        return worst;
    }
}
