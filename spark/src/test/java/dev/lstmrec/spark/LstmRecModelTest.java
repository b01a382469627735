package dev.lstmrec.spark;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.Tensor;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch recommendations against brute force and against single-machine recommend; model files written by Spark
 * load on a single machine and the other way round.
 */
class LstmRecModelTest {
    private static final int K = 7;
    private static SavedModel saved;

    @TempDir
    Path dir;

    @BeforeAll
    static void model(@TempDir Path tmp) throws Exception {
        Dataset data = DataReader.read(TestSpark.writeLog(tmp, 60, 45, 1, 30, 5));
        ModelConfig config = new ModelConfig(data.numItems(), 12, 10, 1, 8, 0.2f, 0.2f);
        float[] w = Initializer.initialWeights(config, new ParameterLayout(config), 3);
        for (int i = 0; i < w.length; i++) w[i] *= 4; // spread the scores: random init scores nearly tie
        List<String> items = new ArrayList<>(), users = new ArrayList<>();
        for (int i = 1; i <= data.numItems(); i++) items.add(data.itemId(i));
        int[][] histories = new int[data.numUsers()][];
        for (int u = 0; u < data.numUsers(); u++) {
            users.add(data.userId(u));
            histories[u] = data.sequence(u);
        }
        saved = new SavedModel(config, items, users, histories, w, Map.of("dataset", "test"));
    }

    private static Map<String, List<Row>> byUser(List<Row> rows) {
        Map<String, List<Row>> m = new HashMap<>();
        for (Row r : rows) m.put(r.getString(0), r.getList(1));
        return m;
    }

    @Test
    void recommendForAllUsersEqualsBruteForceTopK() {
        LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), saved, 3).setBackend("simd");
        assertFalse(model.usesCrossJoin()); // a tiny output layer is broadcast
        assertBruteForce(saved, byUser(model.recommendForAllUsers(K).collectAsList()), true);
    }

    /**
     * Brute force in double on the scalar backend's states: every user, the scores within float rounding, the items
     * where no other score is near, and items with equal float scores in ascending item order (the tie rule).
     */
    private static void assertBruteForce(SavedModel saved, Map<String, List<Row>> recs, boolean excludeSeen) {
        assertEquals(saved.userIds().size(), recs.size());
        ModelConfig c = saved.config();
        int n = c.numItems();
        Map<String, Integer> index = saved.itemIndex();
        try (Backend b = Backends.create("scalar", BackendOptions.withThreads(1))) {
            Parameters p = new Parameters(b, c, new ParameterLayout(c));
            b.upload(p.slab(), saved.weights(), 0);
            LstmNetwork net = new LstmNetwork(b, p, null);
            ParameterLayout layout = new ParameterLayout(c);
            int outW = (int) layout.entry("out.w").offset(), outB = (int) layout.entry("out.b").offset();
            for (int u = 0; u < saved.userIds().size(); u++) {
                int[] history = saved.histories()[u];
                Tensor ht = net.finalHidden(PackedBatch.pack(List.of(ModelScorer.window(history, c.maxLen())), null));
                float[] h = new float[c.hiddenDim()];
                b.download(h, 0, ht);
                Set<Integer> seen = new HashSet<>();
                if (excludeSeen) for (int item : history) seen.add(item);
                List<double[]> scored = new ArrayList<>(); // {item, score}
                for (int j = 0; j < n; j++) {
                    if (seen.contains(j + 1)) continue;
                    double s = saved.weights()[outB + j];
                    for (int x = 0; x < h.length; x++) s += (double) saved.weights()[outW + j * h.length + x] * h[x];
                    scored.add(new double[] {j + 1, s});
                }
                scored.sort(Comparator.comparingDouble((double[] a) -> -a[1]).thenComparingDouble(a -> a[0]));
                List<Row> got = recs.get(saved.userIds().get(u));
                assertEquals(Math.min(K, scored.size()), got.size(), "user " + u);
                for (int i = 0; i < got.size(); i++) {
                    double want = scored.get(i)[1];
                    assertEquals(want, got.get(i).getFloat(1), 1e-4 + 1e-4 * Math.abs(want), "user " + u + " rank " + i);
                    boolean nearTie = (i > 0 && want - scored.get(i - 1)[1] > -1e-4) || (i + 1 < scored.size() && want - scored.get(i + 1)[1] < 1e-4);
                    if (!nearTie) assertEquals(saved.itemIds().get((int) scored.get(i)[0] - 1), got.get(i).getString(0), "user " + u + " rank " + i);
                    if (i > 0 && got.get(i).getFloat(1) == got.get(i - 1).getFloat(1)) {
                        assertTrue(index.get(got.get(i - 1).getString(0)) < index.get(got.get(i).getString(0)), "tie order, user " + u + " rank " + i);
                    }
                }
            }
        }
    }

    /** {@code saved} with items 16.. given the output rows of items 1..15 (cyclically): exact score ties across item blocks. */
    private static SavedModel withTies(SavedModel m) {
        ModelConfig c = m.config();
        ParameterLayout layout = new ParameterLayout(c);
        int outW = (int) layout.entry("out.w").offset(), outB = (int) layout.entry("out.b").offset(), h = c.hiddenDim();
        float[] w = m.weights().clone();
        for (int j = 15; j < c.numItems(); j++) {
            System.arraycopy(w, outW + (j % 15) * h, w, outW + j * h, h);
            w[outB + j] = w[outB + j % 15];
        }
        return new SavedModel(c, m.itemIds(), m.userIds(), m.histories(), w, m.info());
    }

    private static void assertSameRows(Map<String, List<Row>> want, Map<String, List<Row>> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        for (String u : want.keySet()) {
            List<Row> a = want.get(u), b = got.get(u);
            assertEquals(a.size(), b.size(), what + ", user " + u);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).getString(0), b.get(i).getString(0), what + ", user " + u + " rank " + i);
                assertEquals(Float.floatToRawIntBits(a.get(i).getFloat(1)), Float.floatToRawIntBits(b.get(i).getFloat(1)),
                        what + ", user " + u + " rank " + i + ": " + a.get(i).getFloat(1) + " vs " + b.get(i).getFloat(1));
            }
        }
    }

    @Test
    void crossJoinEqualsBroadcastAndBruteForce() {
        SavedModel ties = withTies(saved);
        // 3 partitions: blocks of ~20 users (the GEMM scoring path); 16: blocks of 3-4 users (per-item dot products).
        // Blocks of 4 items (fewer than K, last block 1 item) and of 13 (last block 6); exact ties across blocks.
        for (SavedModel m : List.of(saved, ties)) {
            for (int partitions : new int[] {3, 16}) {
                LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), m, partitions).setBackend("simd").setThreads(1);
                Map<String, List<Row>> broadcast = byUser(model.setInference(LstmRecModel.Inference.BROADCAST).recommendForAllUsers(K).collectAsList());
                for (int rows : new int[] {4, 13}) {
                    model.setInference(LstmRecModel.Inference.CROSS_JOIN).setItemBlockRows(rows).setItemPartitions(3);
                    assertTrue(model.usesCrossJoin());
                    Map<String, List<Row>> cross = byUser(model.recommendForAllUsers(K).collectAsList());
                    String what = (m == ties ? "ties, " : "") + partitions + " partitions, blocks of " + rows;
                    assertSameRows(broadcast, cross, what);
                    if (partitions == 3) assertBruteForce(m, cross, true);
                }
            }
        }
        // history kept, and a user subset
        LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), ties, 2).setBackend("simd").setThreads(1).setExcludeSeen(false);
        Map<String, List<Row>> broadcast = byUser(model.setInference(LstmRecModel.Inference.BROADCAST).recommendForAllUsers(K).collectAsList());
        Map<String, List<Row>> cross = byUser(model.setInference(LstmRecModel.Inference.CROSS_JOIN).setItemBlockRows(5).recommendForAllUsers(K).collectAsList());
        assertSameRows(broadcast, cross, "history kept");
        assertBruteForce(ties, cross, false);
        StructType schema = new StructType().add("user", DataTypes.StringType);
        org.apache.spark.sql.Dataset<Row> ask = TestSpark.session().createDataFrame(List.of(RowFactory.create(saved.userIds().get(3)), RowFactory.create("nobody")), schema);
        Map<String, List<Row>> one = byUser(model.recommendForUserSubset(ask, K).collectAsList());
        assertEquals(Set.of(saved.userIds().get(3)), one.keySet());
        assertSameRows(byUser(model.setInference(LstmRecModel.Inference.BROADCAST).recommendForUserSubset(ask, K).collectAsList()), one, "subset");
    }

    @Test
    void inferencePathIsChosenByTheOutputLayerSize() {
        LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), saved, 2);
        long bytes = 4L * saved.config().numItems() * (saved.config().hiddenDim() + 1);
        assertFalse(model.setMaxBroadcastBytes(bytes).usesCrossJoin());
        assertTrue(model.setMaxBroadcastBytes(bytes - 1).usesCrossJoin());
        assertFalse(model.setInference(LstmRecModel.Inference.BROADCAST).usesCrossJoin());
        assertTrue(model.setInference(LstmRecModel.Inference.CROSS_JOIN).setMaxBroadcastBytes(LstmRecModel.DEFAULT_MAX_BROADCAST_BYTES).usesCrossJoin());
    }

    @Test
    void savedBySparkLoadsOnOneMachineAndRecommendsTheSame() throws Exception {
        LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), saved, 2).setBackend("simd").setThreads(1);
        String path = dir.resolve("models/spark.lstmrec").toUri().toString();
        model.save(path);
        SavedModel single = SavedModel.load(dir.resolve("models/spark.lstmrec"));
        assertEquals(saved.itemIds(), single.itemIds());
        assertEquals(saved.userIds(), single.userIds());
        assertArrayEquals(saved.weights(), single.weights());
        for (int u = 0; u < saved.userIds().size(); u++) assertArrayEquals(saved.histories()[u], single.histories()[u]);

        Map<String, List<Row>> recs = byUser(LstmRecModel.load(TestSpark.session(), path).setBackend("simd").setThreads(1)
                .recommendForAllUsers(K).collectAsList());
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Recommender rec = new Recommender(single, b);
            for (String user : single.userIds()) {
                List<Recommendation> want = rec.recommend(rec.userHistory(user), K, true, Set.of()); // what `lstmrec recommend --user` runs
                List<Row> got = recs.get(user);
                assertEquals(want.size(), got.size(), user);
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).itemId(), got.get(i).getString(0), "user " + user + " rank " + i);
                    assertEquals(want.get(i).score(), got.get(i).getFloat(1), 1e-5f * (1 + Math.abs(want.get(i).score())));
                }
            }
        }
    }

    @Test
    void recommendForUserSubsetKeepsKnownUsers() {
        LstmRecModel model = LstmRecModel.fromSavedModel(TestSpark.session(), saved, 2).setBackend("simd").setThreads(1);
        List<String> ask = List.of(saved.userIds().get(0), saved.userIds().get(5), "no-such-user");
        StructType schema = new StructType().add("user", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (String u : ask) rows.add(RowFactory.create(u));
        Map<String, List<Row>> subset = byUser(model.recommendForUserSubset(TestSpark.session().createDataFrame(rows, schema), 3).collectAsList());
        Map<String, List<Row>> all = byUser(model.recommendForAllUsers(3).collectAsList());
        assertEquals(Set.of(ask.get(0), ask.get(1)), subset.keySet());
        for (String u : subset.keySet()) { // same items; scores may differ in the last bit (SIMD blocking depends on the batch)
            List<Row> want = all.get(u), got = subset.get(u);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).getString(0), got.get(i).getString(0), u + " rank " + i);
                assertEquals(want.get(i).getFloat(1), got.get(i).getFloat(1), 1e-5f * (1 + Math.abs(want.get(i).getFloat(1))));
            }
        }
        assertTrue(model.recommendForAllUsers(3).schema().simpleString().contains("recommendations:array<struct<item:string,score:float>>"));
    }
}
