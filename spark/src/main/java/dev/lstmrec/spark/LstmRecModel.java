package dev.lstmrec.spark;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.ModelConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * A trained model on Spark, shaped like MLlib's ALSModel: {@link #recommendForAllUsers}, {@link #recommendForUserSubset}
 * (rows {@code (user, recommendations: array<struct<item, score>>)}), {@link #evaluate} (leave-one-out, full ranking,
 * the CLI's metrics) and {@link #save}/{@link #load} to any Hadoop path in the engine's model file format, so a model
 * saved here is served by {@code lstmrec recommend}/{@code serve} and a single-machine model loads here. The users'
 * histories stay distributed; only {@link #save} gathers them (the model file stores them).
 */
public final class LstmRecModel {
    private final SparkSession spark;
    private final ModelConfig config;
    private final List<String> itemIds;
    private final float[] weights;
    private final Map<String, String> info;
    private final JavaRDD<UserSequence> users;
    private String backend = "auto";
    private int threads;
    private boolean excludeSeen = true;
    private Inference inference = Inference.AUTO;
    private long maxBroadcastBytes = DEFAULT_MAX_BROADCAST_BYTES;
    private int itemBlockRows;
    private int itemPartitions;

    /** How batch recommendations reach the output layer. */
    public enum Inference {
        /** Broadcast when the output layer (W_out and b_out) fits in {@link #setMaxBroadcastBytes}, else cross-join. */
        AUTO,
        /** Broadcast the whole model; each task ranks all items ({@link BatchRecommender}). */
        BROADCAST,
        /** Broadcast only the embedding and LSTM; cross-join user-state blocks with item blocks (ALS's blockwise form). */
        CROSS_JOIN
    }

    /** Default largest output layer that {@link Inference#AUTO} broadcasts: 512 MB (N = 2 million items at H = 64). */
    public static final long DEFAULT_MAX_BROADCAST_BYTES = 512L << 20;

    LstmRecModel(SparkSession spark, ModelConfig config, List<String> itemIds, float[] weights, Map<String, String> info,
                 JavaRDD<UserSequence> users) {
        this.spark = spark;
        this.config = config;
        this.itemIds = List.copyOf(itemIds);
        this.weights = weights;
        this.info = new LinkedHashMap<>(info);
        this.users = users;
    }

    public ModelConfig config() {
        return config;
    }

    public List<String> itemIds() {
        return itemIds;
    }

    /** The weights in engine ParameterLayout order (not a copy). */
    public float[] weights() {
        return weights;
    }

    public Map<String, String> info() {
        return info;
    }

    /** The users with their whole histories (items 1..N in time order). */
    public JavaRDD<UserSequence> users() {
        return users;
    }

    /** Backend used by tasks (auto, simd, scalar, ...). */
    public LstmRecModel setBackend(String backend) {
        this.backend = backend;
        return this;
    }

    /** Threads per task; 0 = {@code spark.task.cpus}. */
    public LstmRecModel setThreads(int threads) {
        this.threads = threads;
        return this;
    }

    /** Whether a user's history is left out of their recommendations and rankings (default: yes). */
    public LstmRecModel setExcludeSeen(boolean excludeSeen) {
        this.excludeSeen = excludeSeen;
        return this;
    }

    /** Broadcast or cross-join (default {@link Inference#AUTO}). */
    public LstmRecModel setInference(Inference inference) {
        this.inference = java.util.Objects.requireNonNull(inference);
        return this;
    }

    /** Largest output layer (4·N·(H+1) bytes) that {@link Inference#AUTO} still broadcasts. */
    public LstmRecModel setMaxBroadcastBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("max broadcast bytes must be >= 0, got " + bytes);
        this.maxBroadcastBytes = bytes;
        return this;
    }

    /** Items per block of the cross-join path; 0 (default) = about 8 MB of W_out per block. */
    public LstmRecModel setItemBlockRows(int rows) {
        if (rows < 0) throw new IllegalArgumentException("item block rows must be >= 0, got " + rows);
        this.itemBlockRows = rows;
        return this;
    }

    /** Spark partitions of the item blocks in the cross-join path; 0 (default) = Spark's default parallelism. */
    public LstmRecModel setItemPartitions(int partitions) {
        if (partitions < 0) throw new IllegalArgumentException("item partitions must be >= 0, got " + partitions);
        this.itemPartitions = partitions;
        return this;
    }

    /** Whether batch recommendations take the cross-join path with the current settings. */
    public boolean usesCrossJoin() {
        return switch (inference) {
            case BROADCAST -> false;
            case CROSS_JOIN -> true;
            case AUTO -> CrossJoinRecommender.outputLayerBytes(config) > maxBroadcastBytes;
        };
    }

    /** Top {@code k} items for every user. */
    public Dataset<Row> recommendForAllUsers(int k) {
        return recommend(users, k);
    }

    private Dataset<Row> recommend(JavaRDD<UserSequence> who, int k) {
        if (!usesCrossJoin()) return BatchRecommender.recommend(spark, who, broadcasted(), k, excludeSeen, backend, threads);
        int rows = itemBlockRows > 0 ? itemBlockRows : CrossJoinRecommender.defaultBlockRows(config.hiddenDim());
        return CrossJoinRecommender.recommend(spark, who, config, weights, itemIds, k, excludeSeen, backend, threads, rows, itemPartitions);
    }

    /**
     * Top {@code k} for the users in column {@code userCol} of {@code userIds} (any type that casts to the string id);
     * unknown users are dropped, as ALS does.
     */
    public Dataset<Row> recommendForUserSubset(Dataset<Row> userIds, String userCol, int k) {
        JavaRDD<Tuple2<String, Boolean>> wanted = userIds.select(col(userCol).cast(DataTypes.StringType)).distinct().javaRDD()
                .map(r -> new Tuple2<>(r.getString(0), Boolean.TRUE));
        JavaRDD<UserSequence> subset = users.mapToPair(u -> new Tuple2<>(u.userId(), u))
                .join(wanted.mapToPair(t -> t)).values().map(Tuple2::_1);
        return recommend(subset, k);
    }

    /** ALS's signature: the user column is {@code user}. */
    public Dataset<Row> recommendForUserSubset(Dataset<Row> userIds, int k) {
        return recommendForUserSubset(userIds, "user", k);
    }

    /** Test metrics of this model on its users: last item = target, the rest = history (full ranking). */
    public Metrics evaluate() {
        return evaluate(DistributedEvaluator.Target.TEST);
    }

    public Metrics evaluate(DistributedEvaluator.Target target) {
        return DistributedEvaluator.evaluate(users, config, weights, target, new Protocol(excludeSeen, 0, 1L), backend, threads);
    }

    BatchRecommender.Broadcasted broadcasted() {
        return new BatchRecommender.Broadcasted(DistributedEvaluator.Weights.of(config, weights), itemIds);
    }

    /** The single-machine model: gathers every user's history to the driver. */
    public SavedModel toSavedModel() {
        List<UserSequence> all = new ArrayList<>(users.collect());
        all.sort((a, b) -> Long.compare(a.user(), b.user()));
        List<String> ids = new ArrayList<>(all.size());
        int[][] histories = new int[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            ids.add(all.get(i).userId());
            histories[i] = all.get(i).items();
        }
        return new SavedModel(config, itemIds, ids, histories, weights, info);
    }

    /** Writes the engine's model file to a Hadoop path (atomically: temp name, then rename). */
    public void save(String path) throws IOException {
        SavedModel m = toSavedModel();
        HadoopFiles.write(spark.sparkContext().hadoopConfiguration(), path, m::save);
    }

    /** Reads a model file written by {@link #save} or by single-machine {@code lstmrec train}. */
    public static LstmRecModel load(SparkSession spark, String path) throws IOException {
        SavedModel m = HadoopFiles.read(spark.sparkContext().hadoopConfiguration(), path, SavedModel::load);
        return fromSavedModel(spark, m, 0);
    }

    /** A single-machine model on Spark; {@code partitions} 0 = Spark's default parallelism. */
    public static LstmRecModel fromSavedModel(SparkSession spark, SavedModel m, int partitions) {
        List<UserSequence> seqs = new ArrayList<>(m.userIds().size());
        for (int u = 0; u < m.userIds().size(); u++) seqs.add(new UserSequence(u, m.userIds().get(u), m.histories()[u]));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<UserSequence> rdd = partitions > 0 ? jsc.parallelize(seqs, partitions) : jsc.parallelize(seqs);
        return new LstmRecModel(spark, m.config(), m.itemIds(), m.weights(), m.info(), rdd);
    }
}
