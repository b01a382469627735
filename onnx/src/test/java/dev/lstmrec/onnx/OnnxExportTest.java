// The exported graph run in ONNX Runtime (Java, CPU) against the scalar backend's Recommender: scores within a stated
// tolerance and top-K lists equal (ties aside) on random histories (length 1, longer than max-len, random), padded
// batches and single rows, for 1 and 2 layers, tied and untied tables, d != h, the lowest and highest opset and
// external data.
package dev.lstmrec.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.conformance.Tolerances;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.onnx.proto.Onnx.ModelProto;
import dev.lstmrec.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class OnnxExportTest {
    /** Scores agree within Tolerances.ONNX_RUNTIME_ATOL + ONNX_RUNTIME_RTOL·|scalar| (the reason is given there). */
    static final double ATOL = Tolerances.ONNX_RUNTIME_ATOL, RTOL = Tolerances.ONNX_RUNTIME_RTOL;
    static final int N = 60, MAX_LEN = 9;

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path dir;

    /** A model with every weight random and non-zero (biases too), so a mis-ordered gate cannot hide. */
    static SavedModel randomModel(long seed, int dim, int hidden, int layers, boolean tied) {
        ModelConfig config = new ModelConfig(N, dim, hidden, layers, MAX_LEN, 0.3f, 0.2f, tied);
        float[] w = new float[new ParameterLayout(config).total()];
        Random r = new Random(seed);
        for (int i = 0; i < w.length; i++) w[i] = (r.nextFloat() * 2 - 1) * 0.6f;
        List<String> items = new ArrayList<>();
        for (int i = 1; i <= N; i++) items.add("item-" + (1000 + i * 7));
        int[][] histories = {{3, 5, 8}, {1}, new int[MAX_LEN + 4]};
        for (int i = 0; i < histories[2].length; i++) histories[2][i] = 1 + (i * 13) % N;
        return new SavedModel(config, items, List.of("u1", "u\"2", "u3"), histories, w, Map.of());
    }

    static List<int[]> randomHistories(Random r, int count) {
        List<int[]> hs = new ArrayList<>();
        hs.add(new int[] {1 + r.nextInt(N)});                       // length 1
        int[] longer = new int[MAX_LEN + 1 + r.nextInt(2 * MAX_LEN)];  // longer than max-len: read from its window (ModelScorer.windowStart)
        for (int i = 0; i < longer.length; i++) longer[i] = 1 + r.nextInt(N);
        hs.add(longer);
        int[] exact = new int[MAX_LEN];
        for (int i = 0; i < exact.length; i++) exact[i] = 1 + r.nextInt(N);
        hs.add(exact);
        while (hs.size() < count) {
            int[] h = new int[1 + r.nextInt(3 * MAX_LEN)];
            for (int i = 0; i < h.length; i++) h[i] = 1 + r.nextInt(N);
            hs.add(h);
        }
        return hs;
    }

    /** Runs the exported model on a padded batch; returns the named output as float[][] or long[][]. */
    static Map<String, Object> run(OrtSession session, List<int[]> histories, List<int[]> exclude) throws Exception {
        int b = histories.size(), t = 0, m = 0;
        for (int[] h : histories) t = Math.max(t, h.length);
        long[][] items = new long[b][t];
        long[] lengths = new long[b];
        for (int r = 0; r < b; r++) {
            int[] h = histories.get(r);
            for (int i = 0; i < h.length; i++) items[r][i] = h[i];
            lengths[r] = h.length;
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("items", OnnxTensor.createTensor(ENV, items));
        in.put("lengths", OnnxTensor.createTensor(ENV, lengths));
        if (exclude != null) for (int[] e : exclude) m = Math.max(m, e.length);
        long[] ex = new long[b * m];
        for (int r = 0; exclude != null && r < b; r++) for (int i = 0; i < exclude.get(r).length; i++) ex[r * m + i] = exclude.get(r)[i];
        in.put("exclude", OnnxTensor.createTensor(ENV, LongBuffer.wrap(ex), new long[] {b, m}));
        Map<String, Object> out = new HashMap<>();
        try (OrtSession.Result result = session.run(in)) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) out.put(e.getKey(), e.getValue().getValue());
        } finally {
            for (OnnxTensor x : in.values()) x.close();
        }
        return out;
    }

    static OrtSession session(ModelProto model) throws Exception {
        return ENV.createSession(model.toByteArray(), options());
    }

    static OrtSession.SessionOptions options() throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(1);
        return o;
    }

    /** Every item's score from the scalar backend (k = N, nothing excluded), indexed by item 1..N; [0] unused. */
    static float[] referenceScores(Recommender rec, int[] history) {
        float[] s = new float[N + 1];
        s[0] = Float.NaN;
        for (Recommendation x : rec.recommend(history, N, false, Set.of())) s[x.item()] = x.score();
        return s;
    }

    static void assertClose(float expected, float actual, String where) {
        if (!Tolerances.close(expected, actual, ATOL, RTOL)) {
            fail(where + ": onnx " + actual + " vs scalar " + expected + " (tolerance " + ATOL + " + " + RTOL + "·|ref|)");
        }
    }

    /** The same items in the same order, except adjacent entries whose reference scores tie within the tolerance. */
    static void assertSameTopK(int[] expected, float[] expectedScores, long[] actual, float[] referenceByItem, String where) {
        assertEquals(expected.length, actual.length, where + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == actual[i]) continue;
            float a = referenceByItem[(int) actual[i]], e = expectedScores[i];
            assertTrue(Math.abs(a - e) <= 2 * (ATOL + RTOL * Math.abs(e)), where + ": rank " + i + " has item " + actual[i]
                    + " (scalar score " + a + ") where the scalar backend has " + expected[i] + " (" + e + ")");
        }
    }

    @ParameterizedTest(name = "layers={0} dim={1} hidden={2} tied={3} opset={4}")
    @CsvSource({"1, 8, 12, false, 13", "2, 6, 10, false, 17", "1, 8, 8, true, 17", "2, 8, 8, true, 23"})
    void allScoresMatchTheScalarBackend(int layers, int dim, int hidden, boolean tied, int opset) throws Exception {
        SavedModel model = randomModel(layers * 31L + dim, dim, hidden, layers, tied);
        Random r = new Random(7 + opset);
        List<int[]> histories = randomHistories(r, 9);
        try (Recommender rec = new Recommender(model, Backends.create("scalar", BackendOptions.defaults()));
             OrtSession s = session(OnnxExport.build(model, new OnnxExport.Options(opset, 0, false)))) {
            float[][] batch = (float[][]) run(s, histories, null).get("scores");
            assertEquals(histories.size(), batch.length);
            for (int q = 0; q < histories.size(); q++) {
                float[] ref = referenceScores(rec, histories.get(q));
                float[] single = ((float[][]) run(s, List.of(histories.get(q)), null).get("scores"))[0];
                assertEquals(N + 1, single.length);
                assertEquals(Float.NEGATIVE_INFINITY, batch[q][0], "the padding index never ranks");
                for (int j = 1; j <= N; j++) {
                    String where = "query " + q + " (length " + histories.get(q).length + ") item " + j;
                    assertClose(ref[j], batch[q][j], where + " in a padded batch");
                    assertClose(ref[j], single[j], where + " alone");
                }
            }
        }
    }

    @ParameterizedTest(name = "layers={0} tied={1}")
    @CsvSource({"1, false", "2, true"})
    void topKWithExclusionsMatchesRecommend(int layers, boolean tied) throws Exception {
        SavedModel model = randomModel(99 + layers, 8, 8, layers, tied);
        Random r = new Random(5);
        List<int[]> histories = randomHistories(r, 12);
        int k = 10;
        List<int[]> exclude = new ArrayList<>();
        for (int[] h : histories) {
            int[] e = new int[h.length + 3];
            System.arraycopy(h, 0, e, 0, h.length);
            e[h.length] = 0;          // padding
            e[h.length + 1] = -1;     // out of range: ignored, as Recommender ignores it
            e[h.length + 2] = N + 1;  // out of range: ignored
            exclude.add(e);
        }
        try (Recommender rec = new Recommender(model, Backends.create("scalar", BackendOptions.defaults()));
             OrtSession s = session(OnnxExport.build(model, new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, k, false)))) {
            Map<String, Object> out = run(s, histories, exclude);
            long[][] items = (long[][]) out.get("top_items");
            float[][] scores = (float[][]) out.get("top_scores");
            for (int q = 0; q < histories.size(); q++) {
                Set<Integer> seen = new HashSet<>();
                for (int i : histories.get(q)) seen.add(i);
                List<Recommendation> expected = rec.recommend(histories.get(q), k, true, Set.of());
                int[] ids = expected.stream().mapToInt(Recommendation::item).toArray();
                float[] es = new float[k];
                for (int i = 0; i < k; i++) es[i] = expected.get(i).score();
                for (long item : items[q]) assertTrue(!seen.contains((int) item) && item >= 1 && item <= N, "item " + item);
                assertSameTopK(ids, es, items[q], referenceScores(rec, histories.get(q)), "query " + q);
                for (int i = 0; i < k; i++) assertClose(es[i], scores[q][i], "query " + q + " rank " + i);
            }
        }
    }

    @Test
    void withoutExcludeNothingIsExcludedAndKIsClampedToN() throws Exception {
        SavedModel model = randomModel(3, 8, 12, 1, false);
        int[] h = {4, 9, 4, 2};
        try (Recommender rec = new Recommender(model, Backends.create("scalar", BackendOptions.defaults()));
             OrtSession s = session(OnnxExport.build(model, new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, 5 * N, false)))) {
            long[] items = ((long[][]) run(s, List.of(h), null).get("top_items"))[0];
            assertEquals(N, items.length, "k is clamped to N");
            List<Recommendation> expected = rec.recommend(h, N, false, Set.of());
            float[] es = new float[N];
            for (int i = 0; i < N; i++) es[i] = expected.get(i).score();
            assertSameTopK(expected.stream().mapToInt(Recommendation::item).toArray(), es, items, referenceScores(rec, h), "all items");
        }
    }

    @Test
    void externalDataIsWrittenBesideTheModelAndLoads() throws Exception {
        SavedModel model = randomModel(11, 6, 10, 2, false);
        Path out = dir.resolve("ext.onnx");
        OnnxExport.Written w = OnnxExport.write(model, new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, 0, true), out);
        assertEquals(dir.resolve("ext.onnx.data"), w.externalData());
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(out));
        TensorProto emb = proto.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("embedding")).findFirst().orElseThrow();
        assertEquals(TensorProto.DataLocation.EXTERNAL, emb.getDataLocation());
        assertEquals(0, emb.getRawData().size());
        int[] h = {1, 2, 3, 50, 7};
        try (Recommender rec = new Recommender(model, Backends.create("scalar", BackendOptions.defaults()));
             OrtSession s = ENV.createSession(out.toString(), options())) {
            float[] ref = referenceScores(rec, h);
            float[] got = ((float[][]) run(s, List.of(h), null).get("scores"))[0];
            for (int j = 1; j <= N; j++) assertClose(ref[j], got[j], "item " + j);
        }
    }

    @Test
    void inlineExportIsOneFileAndRoundTrips() throws Exception {
        SavedModel model = randomModel(12, 8, 8, 1, true);
        Path out = dir.resolve("m.onnx");
        Files.writeString(out, "old");
        OnnxExport.Written w = OnnxExport.write(model, OnnxExport.Options.defaults(), out);
        assertEquals(null, w.externalData());
        assertEquals(List.of("scores"), w.outputs());
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(OnnxExport.DEFAULT_OPSET, proto.getOpsetImport(0).getVersion());
        assertEquals(8, proto.getIrVersion());
        assertEquals("lstmrec", proto.getProducerName());
        assertEquals(1, proto.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("embedding")).count(),
                "a tied model stores its table once");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temp file is left");
        }
    }

    @Test
    void gateBlocksAreReorderedForOnnx() {
        float[] g = {0, 0, 1, 1, 2, 2, 3, 3}; // h = 1, cols = 2: blocks i f g o
        assertArrayEquals(new float[] {0, 0, 3, 3, 1, 1, 2, 2}, OnnxExport.onnxGateOrder(g, 1, 2)); // i o f c
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new OnnxExport.Options(12, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new OnnxExport.Options(OnnxExport.MAX_OPSET + 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new OnnxExport.Options(17, -1, false));
    }

    @Test
    void idMapsListItemsInIndexOrderAndUsersWithTheirHistories() throws Exception {
        SavedModel model = randomModel(1, 8, 8, 1, false);
        Path onnx = dir.resolve("model.onnx");
        Path items = IdMaps.beside(onnx, ".items.tsv"), users = IdMaps.beside(onnx, ".users.jsonl");
        assertEquals(dir.resolve("model.items.tsv"), items);
        IdMaps.writeItems(model, items);
        IdMaps.writeUsers(model, users);
        List<String> lines = Files.readAllLines(items);
        assertEquals(N + 1, lines.size());
        assertEquals("index\titem", lines.get(0));
        assertEquals("1\titem-1007", lines.get(1));
        assertEquals(N + "\titem-" + (1000 + 7 * N), lines.get(N));
        List<String> u = Files.readAllLines(users);
        assertEquals(3, u.size());
        assertEquals("{\"user\": \"u1\", \"history\": [3, 5, 8]}", u.get(0));
        Map<String, Object> second = dev.lstmrec.engine.io.Json.parseObject(u.get(1));
        assertEquals("u\"2", second.get("user"));
        assertNotNull(second.get("history"));
    }
}
