package dev.lstmrec.spark;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Top-K for many users when W_out is too big to broadcast: MLlib ALS's blockwise {@code recommendForAll}. Only the
 * embedding and LSTM weights are broadcast; each task computes its users' final hidden states in the blocks of
 * {@link BatchRecommender#BATCH} users that the broadcast path uses (so the states are the same floats); the output
 * layer (W_out rows with b_out and the item ids) is cut into item blocks; the cartesian product of user-state blocks
 * and item blocks scores each pair with the backend's fused score + top-K on that block (the user's history inside
 * the block excluded), and {@code reduceByKey} merges the partial lists per user by (score descending, item index
 * ascending), the backend's own tie rule. Every score is the broadcast path's float (the scoring arithmetic per
 * (user, item) depends only on the user block's size, which is the same), so the rows equal
 * {@link BatchRecommender}'s, items, scores and order on ties (LstmRecModelTest compares them, and both with brute
 * force).
 */
final class CrossJoinRecommender {
    private CrossJoinRecommender() {}

    /** What the state tasks receive: the shape and the weights before the output layer (embedding, LSTM layers). */
    record StateWeights(DistributedEvaluator.Weights shape, float[] prefix) implements Serializable {}

    /**
     * A block of users with their final hidden states [n, H] (row-major) and, per user, the sorted distinct output
     * indices (item - 1) to leave out.
     */
    record StateBlock(String[] users, float[] states, int[][] exclude) implements Serializable {}

    /** Output rows {@code [start, start + ids.length)}: W_out rows [v, H], b_out [v] and the items' external ids. */
    record ItemBlock(int start, String[] ids, float[] w, float[] b) implements Serializable {}

    /** One user's top list so far, best first: output indices (item - 1), scores and external ids. */
    record Partial(int[] index, float[] score, String[] ids) implements Serializable {
        /** The best {@code k} of two lists, by descending score, ties to the lower index (TopK's rule). */
        static Partial merge(Partial a, Partial b, int k) {
            int n = Math.min(k, a.index.length + b.index.length);
            int[] idx = new int[n];
            float[] sc = new float[n];
            String[] ids = new String[n];
            int i = 0, j = 0;
            for (int o = 0; o < n; o++) {
                boolean takeA = j >= b.index.length || (i < a.index.length
                        && (a.score[i] > b.score[j] || (!(a.score[i] < b.score[j]) && a.index[i] < b.index[j])));
                if (takeA) {
                    idx[o] = a.index[i]; sc[o] = a.score[i]; ids[o] = a.ids[i]; i++;
                } else {
                    idx[o] = b.index[j]; sc[o] = b.score[j]; ids[o] = b.ids[j]; j++;
                }
            }
            return new Partial(idx, sc, ids);
        }
    }

    /** Floats of W_out and b_out: what the broadcast path ships to every executor for the output layer. */
    static long outputLayerBytes(ModelConfig c) {
        return 4L * c.numItems() * (c.hiddenDim() + 1);
    }

    /** Default rows per item block: about 8 MB of W_out, a multiple of 16. */
    static int defaultBlockRows(int hidden) {
        int rows = Math.max(16, (8 << 20) / (4 * (hidden + 1)));
        return rows - rows % 16;
    }

    static Dataset<Row> recommend(SparkSession spark, JavaRDD<UserSequence> users, ModelConfig config, float[] weights,
                                  List<String> itemIds, int k, boolean excludeSeen, String backend, int threads,
                                  int blockRows, int itemPartitions) {
        if (k <= 0) throw new IllegalArgumentException("k must be positive, got " + k);
        if (blockRows <= 0) throw new IllegalArgumentException("item block rows must be positive, got " + blockRows);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ParameterLayout layout = new ParameterLayout(config);
        int prefix = (int) layout.entry(config.tied() ? "out.b" : "out.w").offset();
        Broadcast<StateWeights> bw = jsc.broadcast(new StateWeights(DistributedEvaluator.Weights.of(config, null),
                Arrays.copyOf(weights, prefix)));

        JavaRDD<StateBlock> states = users.mapPartitions(it -> statePartition(it, bw.value(), excludeSeen, backend, threads))
                .persist(StorageLevel.MEMORY_AND_DISK()); // read once per item partition by the cartesian product

        List<ItemBlock> blocks = itemBlocks(config, weights, itemIds, blockRows);
        int parts = itemPartitions > 0 ? Math.min(itemPartitions, blocks.size()) : Math.min(blocks.size(), jsc.defaultParallelism());
        JavaRDD<ItemBlock> items = jsc.parallelize(blocks, Math.max(1, parts));

        int kk = Math.min(k, config.numItems()), hidden = config.hiddenDim();
        JavaPairRDD<String, Partial> partials = states.cartesian(items)
                .mapPartitionsToPair(it -> scorePairs(it, kk, hidden, backend, threads));
        JavaRDD<Row> rows = partials.reduceByKey((a, b) -> Partial.merge(a, b, kk)).map(t -> {
            Partial p = t._2();
            List<Row> recs = new ArrayList<>(p.index().length);
            for (int i = 0; i < p.index().length; i++) recs.add(RowFactory.create(p.ids()[i], p.score()[i]));
            return RowFactory.create(t._1(), scala.jdk.javaapi.CollectionConverters.asScala(recs));
        });
        return spark.createDataFrame(rows, BatchRecommender.SCHEMA);
    }

    /** W_out (or, tied, the embedding's rows 1..N) and b_out cut into blocks of {@code rows} items. */
    static List<ItemBlock> itemBlocks(ModelConfig c, float[] weights, List<String> itemIds, int rows) {
        ParameterLayout layout = new ParameterLayout(c);
        int h = c.hiddenDim(), n = c.numItems();
        int wOff = c.tied() ? c.embeddingDim() : (int) layout.entry("out.w").offset(); // tied: skip padding row 0
        int bOff = (int) layout.entry("out.b").offset();
        List<ItemBlock> out = new ArrayList<>();
        for (int j0 = 0; j0 < n; j0 += rows) {
            int v = Math.min(rows, n - j0);
            out.add(new ItemBlock(j0, itemIds.subList(j0, j0 + v).toArray(new String[0]),
                    Arrays.copyOfRange(weights, wOff + j0 * h, wOff + (j0 + v) * h),
                    Arrays.copyOfRange(weights, bOff + j0, bOff + j0 + v)));
        }
        return out;
    }

    /**
     * The final hidden states of a partition's users, batched exactly as {@link BatchRecommender#recommendPartition}
     * batches them. Each batch runs through a small network whose embedding holds only the rows of the items its
     * windows read (renumbered 1..m): an embedding lookup copies rows, so the states are the full model's, and no task
     * allocates an N-row table beyond the broadcast one.
     */
    static Iterator<StateBlock> statePartition(Iterator<UserSequence> it, StateWeights sw, boolean excludeSeen, String backend,
                                               int threads) {
        List<StateBlock> out = new ArrayList<>();
        if (!it.hasNext()) return out.iterator();
        int t = threads > 0 ? threads : TaskThreads.taskThreads();
        try (Backend b = Backends.create(backend, BackendOptions.withThreads(t))) {
            List<UserSequence> batch = new ArrayList<>(BatchRecommender.BATCH);
            while (it.hasNext()) {
                UserSequence u = it.next();
                if (u.items().length > 0) batch.add(u);
                if (batch.size() == BatchRecommender.BATCH || !it.hasNext()) {
                    if (!batch.isEmpty()) out.add(states(b, sw, batch, excludeSeen));
                    batch.clear();
                }
            }
        }
        return out.iterator();
    }

    private static StateBlock states(Backend backend, StateWeights sw, List<UserSequence> batch, boolean excludeSeen) {
        ModelConfig full = sw.shape().config();
        int e = full.embeddingDim(), h = full.hiddenDim();
        Map<Integer, Integer> local = new HashMap<>();
        List<int[]> windows = new ArrayList<>(batch.size());
        for (UserSequence u : batch) {
            int[] w = ModelScorer.window(u.items(), full.maxLen()).clone();
            for (int i = 0; i < w.length; i++) w[i] = local.computeIfAbsent(w[i], x -> local.size() + 1);
            windows.add(w);
        }
        int m = local.size();
        ModelConfig small = new ModelConfig(m, e, h, full.layers(), full.maxLen(), 0f, 0f, false);
        ParameterLayout layout = new ParameterLayout(small);
        float[] w = new float[layout.total()];
        float[] prefix = sw.prefix();
        System.arraycopy(prefix, 0, w, 0, e); // padding row
        for (Map.Entry<Integer, Integer> x : local.entrySet()) System.arraycopy(prefix, x.getKey() * e, w, x.getValue() * e, e);
        int lstm = (full.numItems() + 1) * e; // the LSTM layers follow the embedding in both layouts
        System.arraycopy(prefix, lstm, w, (m + 1) * e, prefix.length - lstm);
        float[] states = new float[batch.size() * h];
        try (Parameters p = new Parameters(backend, small, layout); LstmNetwork net = new LstmNetwork(backend, p, null)) {
            backend.upload(p.slab(), w, 0);
            backend.download(states, 0, net.finalHidden(PackedBatch.pack(windows, null)));
        }
        String[] ids = new String[batch.size()];
        int[][] exclude = new int[batch.size()][];
        for (int r = 0; r < batch.size(); r++) {
            ids[r] = batch.get(r).userId();
            exclude[r] = excludeSeen ? Arrays.stream(batch.get(r).items()).map(x -> x - 1).sorted().distinct().toArray() : new int[0];
        }
        return new StateBlock(ids, states, exclude);
    }

    /** Partial top-K of every (user block, item block) pair of a cartesian partition, one backend per task. */
    static Iterator<Tuple2<String, Partial>> scorePairs(Iterator<Tuple2<StateBlock, ItemBlock>> it, int k, int hidden,
                                                        String backend, int threads) {
        List<Tuple2<String, Partial>> out = new ArrayList<>();
        if (!it.hasNext()) return out.iterator();
        int t = threads > 0 ? threads : TaskThreads.taskThreads();
        try (Backend b = Backends.create(backend, BackendOptions.withThreads(t))) {
            while (it.hasNext()) {
                Tuple2<StateBlock, ItemBlock> pair = it.next();
                scorePair(b, pair._1(), pair._2(), k, hidden, out);
            }
        }
        return out.iterator();
    }

    private static void scorePair(Backend b, StateBlock s, ItemBlock ib, int k, int hidden, List<Tuple2<String, Partial>> out) {
        int n = s.users().length, v = ib.ids().length, kk = Math.min(k, v);
        int[] offsets = new int[n + 1];
        List<int[]> inBlock = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int[] ex = s.exclude()[r];
            int lo = lowerBound(ex, ib.start()), hi = lowerBound(ex, ib.start() + v);
            int[] x = new int[hi - lo];
            for (int i = lo; i < hi; i++) x[i - lo] = ex[i] - ib.start();
            inBlock.add(x);
            offsets[r + 1] = offsets[r] + x.length;
        }
        int[] ex = new int[offsets[n]];
        for (int r = 0; r < n; r++) System.arraycopy(inBlock.get(r), 0, ex, offsets[r], inBlock.get(r).length);
        Tensor h = b.allocate(n, hidden), w = b.allocate(v, hidden), bias = b.allocate(v), score = b.allocate(n, kk);
        IntTensor off = b.allocateInt(n + 1), exT = b.allocateInt(Math.max(1, ex.length)), index = b.allocateInt(n, kk);
        try {
            b.upload(h, s.states(), 0);
            b.upload(w, ib.w(), 0);
            b.upload(bias, ib.b(), 0);
            b.uploadInt(off, offsets, 0);
            if (ex.length > 0) b.uploadInt(exT, ex, 0);
            b.scoreTopK(index, score, h, w, bias, off, ex.length > 0 ? exT : exT.view(0, 0));
            int[] idx = new int[n * kk];
            float[] sc = new float[n * kk];
            b.downloadInt(idx, 0, index);
            b.download(sc, 0, score);
            for (int r = 0; r < n; r++) {
                int c = 0;
                while (c < kk && idx[r * kk + c] >= 0) c++;
                int[] gi = new int[c];
                float[] gs = new float[c];
                String[] gid = new String[c];
                for (int i = 0; i < c; i++) {
                    int j = idx[r * kk + i];
                    gi[i] = ib.start() + j;
                    gs[i] = sc[r * kk + i];
                    gid[i] = ib.ids()[j];
                }
                out.add(new Tuple2<>(s.users()[r], new Partial(gi, gs, gid)));
            }
        } finally {
            b.free(h); b.free(w); b.free(bias); b.free(score);
            b.free(off); b.free(exT); b.free(index);
        }
    }

    private static int lowerBound(int[] a, int key) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
