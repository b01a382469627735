package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backtest's replay: chunks of equal event count after the initial fraction of time, every case scored from the
 * history before its event only, new-item metrics (a model frozen before an item appeared never hits it), refusal of
 * logs without times, and a resumed replay reporting what an uninterrupted one does.
 */
class BacktestTest {
    @TempDir
    Path dir;

    /**
     * Users walk a ring one item per hour (user u offset by u seconds); positions below {@code newFrom} use items
     * 0..29, later ones the ring of 40, so items 30..39 appear only in the later part of time.
     */
    static Dataset ringLog(int users, int length, int newFrom) {
        Dataset.Builder b = Dataset.builder("ring");
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            for (int u = 0; u < users; u++) {
                int ring = i < newFrom ? 30 : 40;
                int item = (u * 7 + i * (u % 3 + 1)) % ring;
                b.add("u" + u, "i" + item, i * 3_600_000L + u * 1000L);
            }
        }
        return b.build();
    }

    private static Map<RunOption, String> small() {
        return Map.of(RunOption.DIM, "8", RunOption.HIDDEN, "8", RunOption.MAX_LEN, "10", RunOption.BATCH, "16",
                RunOption.EPOCHS, "2", RunOption.PATIENCE, "0", RunOption.SEED, "5", RunOption.THREADS, "1");
    }

    private static Backtest backtest(Dataset log, ScalarBackend backend, int chunks, List<Backtest.Mode> modes) {
        Backtest b = LstmRec.backtest(log).chunks(chunks).modes(modes).backend(backend);
        small().forEach(b::set);
        return b;
    }

    @Test
    void initialFractionOfTimeThenChunksOfEqualEventCountInTimeOrder() {
        Dataset log = ringLog(10, 11, 99); // times 0h..10h 9s: 0.45 of that ends at 4h 30m (5 events per user before)
        Backtest.Plan p = Backtest.plan(log, 0.45, 4);
        assertEquals(50, p.initialEvents());
        assertArrayEquals(new int[] {50, 65, 80, 95, 110}, p.chunkStart());
        Backtest.Plan q = Backtest.plan(log, 0.45, 3); // 60 events in 3 chunks; 7 chunks of 60 differ by at most one
        assertArrayEquals(new int[] {50, 70, 90, 110}, q.chunkStart());
        Backtest.Plan r = Backtest.plan(log, 0.45, 7);
        for (int c = 0; c < 7; c++) {
            int size = r.chunkStart()[c + 1] - r.chunkStart()[c];
            assertTrue(size == 8 || size == 9, "chunk " + c + ": " + size);
        }
        // every event once, in time order, each user's events in their own order
        boolean[] seen = new boolean[110];
        long lastTime = Long.MIN_VALUE;
        int[] lastPos = new int[10];
        Arrays.fill(lastPos, -1);
        for (int k : p.order()) {
            assertFalse(seen[k]);
            seen[k] = true;
            int u = p.userOf()[k], i = p.position()[k];
            long t = log.timeAt(u, i);
            assertTrue(t >= lastTime);
            lastTime = t;
            assertEquals(lastPos[u] + 1, i);
            lastPos[u] = i;
        }
        for (int j = 0; j < p.initialEvents(); j++) assertTrue(log.timeAt(p.userOf()[p.order()[j]], p.position()[p.order()[j]]) < p.cutTime());
        assertTrue(log.timeAt(p.userOf()[p.order()[50]], p.position()[p.order()[50]]) >= p.cutTime());
        assertEquals(10, Backtest.plan(log, 0.09, 1).initialEvents(), "0.09 of the time: hour 0 only");
        assertEquals(11, Backtest.plan(log, 0.1, 1).initialEvents(), "0.1 of the time ends 900 ms into hour 1: user 0's event is before it");
        assertThrows(IllegalArgumentException.class, () -> Backtest.plan(log, 0.45, 61));
        assertThrows(IllegalArgumentException.class, () -> Backtest.plan(log, 1.0, 2));
    }

    @Test
    void refusesALogWithoutTimes() {
        Dataset untimed = Dataset.builder("plain.txt").add("a", "x").add("a", "y").add("b", "x").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backtest.plan(untimed, 0.5, 2));
        assertTrue(e.getMessage().contains("no time stamps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LstmRec.backtest(untimed).backend(new ScalarBackend()).run());
    }

    /**
     * Popularity counted up to each event: at the event (b, z, t=10) the counts before it are x 3, y 2, z 2. Were the
     * event itself counted, z would pass y; were the later events counted (z three more times), z would lead.
     */
    @Test
    void anEventIsScoredFromWhatCameBeforeItOnly() throws Exception {
        Dataset.Builder b = Dataset.builder("hist");
        b.add("a", "x", 1).add("a", "x", 2).add("a", "x", 3).add("c", "y", 4).add("c", "y", 5).add("d", "z", 6).add("d", "z", 7);
        b.add("b", "w", 8).add("b", "z", 10); // the event under test: b's second, target z
        b.add("e", "z", 11).add("e", "z", 12).add("e", "z", 13).add("b", "y", 14);
        Dataset log = b.build();
        Backtest.Plan plan = Backtest.plan(log, 0.65, 1); // cut at 1 + ⌊0.65·13⌋ = 9: the first 8 events, then one chunk
        assertEquals(8, plan.initialEvents());
        long[] counts = new long[log.numItems() + 1];
        for (int j = 0; j < 8; j++) counts[log.itemAt(plan.userOf()[plan.order()[j]], plan.position()[plan.order()[j]])]++;
        int[] ranks = Backtest.popularityRanks(log, plan, 8, 13, counts, true);
        // (b, z): x 3 > y 2 = z 2 (tie against the target), w excluded as seen: rank 2
        assertEquals(2, ranks[0]);
        // (e, z) first: e has no history: skipped (but counted); then z has 4 and leads
        assertEquals(-1, ranks[1]);
        assertEquals(0, ranks[2]);
        assertEquals(0, ranks[3]);
        // (b, y) at 14: z 6 and x 3 tie or beat y 2; z is in b's history and excluded
        assertEquals(1, ranks[4]);
        assertArrayEquals(new long[] {0, 3, 3, 6, 1}, counts, "the counts advanced past the chunk");

        // A model's ranks for the events of a chunk do not change when later events (targets included) change.
        Dataset.Builder other = Dataset.builder("hist");
        other.add("a", "x", 1).add("a", "x", 2).add("a", "x", 3).add("c", "y", 4).add("c", "y", 5).add("d", "z", 6).add("d", "z", 7);
        other.add("b", "w", 8).add("b", "z", 10);
        other.add("e", "x", 11).add("e", "y", 12).add("e", "w", 13).add("b", "x", 14);
        Dataset changed = other.build();
        try (ScalarBackend backend = new ScalarBackend()) {
            SavedModel model = randomModel(List.of("x", "y", "z", "w"));
            Protocol protocol = new Protocol(false, 0, 1);
            int[] a = Backtest.modelRanks(model, log, plan, 8, 13, protocol, backend);
            int[] c = Backtest.modelRanks(model, changed, Backtest.plan(changed, 0.65, 1), 8, 13, protocol, backend);
            assertEquals(a[0], c[0], "the first chunk event is scored before anything later");
            assertEquals(-1, a[1]);
            assertEquals(-1, c[1]);
            // and from exactly its user's earlier events: the rank of z after [w], computed directly
            try (var weights = new dev.lstmrec.engine.model.Parameters(backend, model.config(),
                    new dev.lstmrec.engine.model.ParameterLayout(model.config()));
                 var net = new dev.lstmrec.engine.model.LstmNetwork(backend, weights, null);
                 var ev = new dev.lstmrec.engine.eval.Evaluator(backend, 4)) {
                backend.upload(weights.slab(), model.weights(), 0);
                int[] direct = ev.ranks(new dev.lstmrec.engine.eval.ModelScorer(net, weights),
                        List.of(new dev.lstmrec.engine.eval.EvalCase(new int[] {4}, 3)), protocol);
                assertEquals(direct[0], a[0]);
            }
        }
    }

    /** A model with random weights over these items (1..N in this order): its ranks depend on the history it reads. */
    static SavedModel randomModel(List<String> items) {
        dev.lstmrec.engine.model.ModelConfig config = new dev.lstmrec.engine.model.ModelConfig(items.size(), 6, 5, 1, 10, 0f, 0f);
        float[] w = new float[new dev.lstmrec.engine.model.ParameterLayout(config).total()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
        return new SavedModel(config, items, List.of(), new int[0][], w, Map.of());
    }

    @Test
    void aFrozenModelNeverHitsANewItemAndAnIncrementalOneLearnsThem() throws Exception {
        Dataset log = ringLog(40, 12, 6);
        try (ScalarBackend backend = new ScalarBackend()) {
            Backtest.Result r = backtest(log, backend, 3, List.of(Backtest.Mode.FROZEN, Backtest.Mode.INCREMENTAL, Backtest.Mode.RETRAIN)).run();
            assertEquals(3, r.chunks().size());
            int newCases = 0;
            for (Backtest.Chunk c : r.chunks()) {
                newCases += c.newItemCases();
                Backtest.Scores frozen = c.mode(Backtest.Mode.FROZEN).scores();
                assertEquals(c.newItemCases(), frozen.newItems().cases());
                assertEquals(c.cases(), frozen.all().cases());
                for (Map.Entry<String, Double> e : frozen.newItems().asMap().entrySet()) assertEquals(0.0, e.getValue(), e.getKey());
                assertEquals(0.0, c.mode(Backtest.Mode.FROZEN).trainSeconds());
                assertTrue(c.mode(Backtest.Mode.INCREMENTAL).trainSeconds() > 0);
            }
            assertTrue(newCases > 0, "the later chunks have new-item targets");
            // after its first update the incremental model knows the new items: it can rank them into the top 20
            double incNew = r.chunks().get(2).mode(Backtest.Mode.INCREMENTAL).scores().newItems().get(Metric.HR, 20);
            assertTrue(incNew > 0, "incremental HR@20 on new items in the last chunk: " + incNew);
            assertEquals(0.0, r.mean(Backtest.Mode.FROZEN, true).get("HR@20"));
            assertTrue(r.totalSeconds(Backtest.Mode.RETRAIN) > 0);
        }
    }

    @Test
    void aResumedReplayReportsWhatAnUninterruptedOneDoes() throws Exception {
        Dataset log = ringLog(30, 12, 6);
        List<Backtest.Mode> modes = List.of(Backtest.Mode.INCREMENTAL, Backtest.Mode.RETRAIN, Backtest.Mode.FROZEN);
        List<Object> whole = new ArrayList<>();
        try (ScalarBackend backend = new ScalarBackend()) {
            for (Backtest.Chunk c : backtest(log, backend, 3, modes).run().chunks()) whole.add(withoutSeconds(c));
        }
        Path work = dir.resolve("work");
        try (ScalarBackend backend = new ScalarBackend()) {
            Backtest b = backtest(log, backend, 3, modes).workDir(work).onChunk(c -> {
                if (c.index() == 2) throw new IllegalStateException("killed after chunk 2");
            });
            assertThrows(IllegalStateException.class, b::run);
        }
        assertTrue(Files.exists(work.resolve("backtest.json")));
        List<Object> resumed = new ArrayList<>();
        List<Integer> reported = new ArrayList<>();
        try (ScalarBackend backend = new ScalarBackend()) {
            Backtest.Result r = backtest(log, backend, 3, modes).workDir(work).onChunk(c -> reported.add(c.index())).run();
            for (Backtest.Chunk c : r.chunks()) resumed.add(withoutSeconds(c));
        }
        assertEquals(List.of(1, 2, 3), reported);
        assertEquals(whole, resumed);
        try (ScalarBackend backend = new ScalarBackend()) { // another setting in the same directory is refused
            Backtest other = backtest(log, backend, 3, modes).workDir(work).set(RunOption.SEED, "6");
            assertThrows(IllegalArgumentException.class, other::run);
        }
    }

    private static Object withoutSeconds(Backtest.Chunk c) {
        Map<String, Object> m = Backtest.chunkToJson(c);
        @SuppressWarnings("unchecked") Map<String, Map<String, Object>> modes = (Map<String, Map<String, Object>>) m.get("modes");
        modes.values().forEach(x -> x.remove("train_seconds"));
        return m;
    }
}
