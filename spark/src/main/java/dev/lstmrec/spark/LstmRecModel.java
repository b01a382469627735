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

    /** Top {@code k} items for every user. */
    public Dataset<Row> recommendForAllUsers(int k) {
        return BatchRecommender.recommend(spark, users, broadcasted(), k, excludeSeen, backend, threads);
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
        return BatchRecommender.recommend(spark, subset, broadcasted(), k, excludeSeen, backend, threads);
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
