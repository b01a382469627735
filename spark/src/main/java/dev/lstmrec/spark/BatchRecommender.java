package dev.lstmrec.spark;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Top-K for many users at once: the weights and item ids are broadcast, each task builds an engine
 * {@link Recommender} and runs its users' histories through the LSTM in batches of {@link #BATCH}; the backend's
 * fused score + top-K ranks every item in cache-sized blocks of W_out with a running top-K per user and the
 * exclusions applied inside (the code path of single-machine {@code recommend} and {@code serve}, so the results are
 * the same items in the same order). Output: {@code (user: string, recommendations: array<struct<item: string,
 * score: float>>)}, ALS's shape.
 */
public final class BatchRecommender {
    /** Users per backend call. */
    public static final int BATCH = 256;

    /** The output schema. */
    public static final StructType SCHEMA = new StructType()
            .add("user", DataTypes.StringType, false)
            .add("recommendations", DataTypes.createArrayType(new StructType()
                    .add("item", DataTypes.StringType, false)
                    .add("score", DataTypes.FloatType, false), false), false);

    private BatchRecommender() {}

    /** What tasks receive: the network weights and item ids (no user histories: those travel with the users). */
    public record Broadcasted(DistributedEvaluator.Weights weights, List<String> itemIds) implements Serializable {
        SavedModel model() {
            return new SavedModel(weights.config(), itemIds, List.of(), new int[0][], weights.values(), Map.of());
        }
    }

    public static Dataset<Row> recommend(SparkSession spark, JavaRDD<UserSequence> users, Broadcasted model, int k,
                                         boolean excludeSeen, String backend, int threads) {
        if (k <= 0) throw new IllegalArgumentException("k must be positive, got " + k);
        Broadcast<Broadcasted> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
        JavaRDD<Row> rows = users.mapPartitions(it -> recommendPartition(it, b.value(), k, excludeSeen, backend, threads));
        return spark.createDataFrame(rows, SCHEMA);
    }

    static Iterator<Row> recommendPartition(Iterator<UserSequence> it, Broadcasted m, int k, boolean excludeSeen, String backend,
                                            int threads) {
        List<Row> out = new ArrayList<>();
        if (!it.hasNext()) return out.iterator();
        int t = threads > 0 ? threads : TaskThreads.taskThreads();
        try (Backend b = Backends.create(backend, BackendOptions.withThreads(t))) {
            Recommender rec = new Recommender(m.model(), b);
            List<UserSequence> batch = new ArrayList<>(BATCH);
            while (it.hasNext()) {
                UserSequence u = it.next();
                if (u.items().length > 0) batch.add(u);
                if (batch.size() == BATCH || !it.hasNext()) {
                    if (!batch.isEmpty()) flush(rec, batch, k, excludeSeen, out);
                    batch.clear();
                }
            }
        }
        return out.iterator();
    }

    private static void flush(Recommender rec, List<UserSequence> batch, int k, boolean excludeSeen, List<Row> out) {
        List<int[]> histories = new ArrayList<>(batch.size());
        List<Set<Integer>> exclude = new ArrayList<>(batch.size());
        int[] ks = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            int[] h = batch.get(i).items();
            histories.add(h);
            Set<Integer> ex = new HashSet<>();
            if (excludeSeen) for (int item : h) ex.add(item);
            exclude.add(ex);
            ks[i] = k;
        }
        List<List<Recommendation>> recs = rec.recommendBatch(histories, ks, exclude);
        for (int i = 0; i < batch.size(); i++) {
            List<Row> items = new ArrayList<>(recs.get(i).size());
            for (Recommendation r : recs.get(i)) items.add(RowFactory.create(r.itemId(), r.score()));
            out.add(RowFactory.create(batch.get(i).userId(), scala.jdk.javaapi.CollectionConverters.asScala(items))); // Rows hold Scala Seqs
        }
    }
}
