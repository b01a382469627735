package dev.lstmrec.spark;

import dev.lstmrec.engine.eval.Metrics;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The estimator, shaped like MLlib's ALS: configure columns and the CLI's training options with setters, call
 * {@link #fit} on a {@code Dataset<Row>} of interactions, get an {@link LstmRecModel}. Data preparation
 * ({@link SparkData}), distributed training ({@link DistributedTrainer}) and evaluation run as Spark jobs.
 */
public final class SparkLstmRec {
    private String userCol = "user", itemCol = "item", timeCol = "timestamp";
    private TrainSettings s = TrainSettings.defaults();
    private String checkpointDir;
    private int checkpointEveryRounds = 10;
    private Consumer<String> log = m -> {};
    private DistributedTrainer.Outcome lastOutcome;

    public SparkLstmRec setUserCol(String c) {
        userCol = Objects.requireNonNull(c);
        return this;
    }

    public SparkLstmRec setItemCol(String c) {
        itemCol = Objects.requireNonNull(c);
        return this;
    }

    /** The time column; null when rows are already in time order per user. */
    public SparkLstmRec setTimestampCol(String c) {
        timeCol = c;
        return this;
    }

    /** All settings at once. */
    public SparkLstmRec setSettings(TrainSettings settings) {
        s = Objects.requireNonNull(settings);
        return this;
    }

    public TrainSettings settings() {
        return s;
    }

    public SparkLstmRec setNumPartitions(int p) {
        s = s.withPartitions(p);
        return this;
    }

    /** The averaging period: local mini-batch steps each task takes between two averagings. */
    public SparkLstmRec setLocalSteps(int k) {
        s = s.withLocalSteps(k);
        return this;
    }

    /** Where the training state goes (any Hadoop path); a state already there is resumed. */
    public SparkLstmRec setCheckpointDir(String dir) {
        checkpointDir = dir;
        return this;
    }

    /** Rounds between checkpoints (the state is also saved after every epoch); 0 = after epochs only. */
    public SparkLstmRec setCheckpointEveryRounds(int rounds) {
        if (rounds < 0) throw new IllegalArgumentException("checkpoint-every-rounds must be >= 0, got " + rounds);
        checkpointEveryRounds = rounds;
        return this;
    }

    /** Receives one line per epoch and resume messages. */
    public SparkLstmRec setLog(Consumer<String> log) {
        this.log = Objects.requireNonNull(log);
        return this;
    }

    /** How the last {@link #fit} went (epochs, rounds, traffic). */
    public DistributedTrainer.Outcome lastOutcome() {
        return lastOutcome;
    }

    public LstmRecModel fit(Dataset<Row> interactions) {
        SparkData.Prepared data = SparkData.prepare(interactions, userCol, itemCol, timeCol);
        JavaRDD<UserSequence> users = data.sequences().cache();
        DistributedTrainer.Outcome o = new DistributedTrainer(s, checkpointDir, checkpointEveryRounds, 0, log).fit(users, data.numItems());
        lastOutcome = o;
        Map<String, String> info = new LinkedHashMap<>();
        info.put("dataset", "spark");
        info.put("backend", s.backend());
        info.put("best_epoch", Integer.toString(o.bestEpoch()));
        info.put("spark.partitions", Integer.toString(s.partitions()));
        info.put("spark.local_steps", Integer.toString(s.localSteps()));
        LstmRecModel model = new LstmRecModel(interactions.sparkSession(), o.config(), data.itemIds(), o.weights(), info, users)
                .setBackend(s.backend()).setThreads(s.threads()).setExcludeSeen(s.excludeSeen());
        Metrics test = model.evaluate();
        model.info().put("test.HR@10", Double.toString(test.get(dev.lstmrec.engine.eval.Metric.HR, 10)));
        model.info().put("test.NDCG@10", Double.toString(test.get(dev.lstmrec.engine.eval.Metric.NDCG, 10)));
        return model;
    }
}
