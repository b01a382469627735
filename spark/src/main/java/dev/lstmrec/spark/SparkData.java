package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;

/**
 * Data preparation in Spark SQL, with the single-machine reader's results (engine DataReader/Interactions): items are
 * numbered 1..N in order of first appearance in the input, users are ordered by first appearance, and each user's
 * items are sorted by time, stably (ties keep input order). "Input order" is the row position Spark gives a file
 * source ({@code monotonically_increasing_id} grows with the file offset within one file); for several files Spark's
 * split order decides. Two jobs: one aggregation per item (first position, count) gathered to the driver, which
 * numbers the items and keeps their frequencies; one grouping per user joined with the broadcast item index. Checked
 * by SparkDataTest against DataReader on the same file.
 */
public final class SparkData {
    private SparkData() {}

    /**
     * The prepared log.
     *
     * @param items  (item_id, item 1..N, count): the index, with frequencies
     * @param users  (user, user_id, items): user = position of the user's first row (ascending = single-machine user
     *               order), items in time order
     */
    public record Prepared(Dataset<Row> items, Dataset<Row> users, List<String> itemIds) implements Serializable {
        /** Users as {@link UserSequence}s; a null or empty user id is an error naming the problem. */
        public JavaRDD<UserSequence> sequences() {
            return users.javaRDD().map(r -> {
                String id = r.getString(1);
                if (id == null || id.isEmpty()) throw new IllegalArgumentException("input has rows with a missing (null or empty) user id");
                return new UserSequence(r.getLong(0), id, toInts(r.getList(2)));
            });
        }

        public int numItems() {
            return itemIds.size();
        }
    }

    /**
     * Indexes and groups {@code log}. User and item columns may have any type that casts to a non-empty string;
     * the time column numbers of seconds (or strings of them) or timestamps; {@code timeCol} null means the rows are
     * already in time order. A null or empty item, or a time that is null or not a number, is an error.
     */
    public static Prepared prepare(Dataset<Row> log, String userCol, String itemCol, String timeCol) {
        Column time = timeCol == null ? lit(0L) : millis(log.schema(), timeCol);
        Dataset<Row> rows = log.select(col(userCol).cast(DataTypes.StringType).as("user_id"),
                        col(itemCol).cast(DataTypes.StringType).as("item_id"), time.as("time"))
                .withColumn("pos", monotonically_increasing_id()).cache();
        List<Row> firsts = rows.groupBy("item_id")
                .agg(min("pos").as("first"), count(lit(1)).as("count"), count(col("time")).as("timed")).collectAsList();
        List<Row> sorted = new ArrayList<>(firsts);
        sorted.sort(Comparator.comparingLong(r -> r.getLong(1)));
        List<String> itemIds = new ArrayList<>(sorted.size());
        List<Row> index = new ArrayList<>(sorted.size());
        for (Row r : sorted) {
            String id = r.getString(0);
            if (id == null || id.isEmpty()) throw new IllegalArgumentException("input has rows with a missing (null or empty) item id in column " + itemCol);
            if (r.getLong(3) != r.getLong(2)) {
                throw new IllegalArgumentException("input has rows whose time (column " + timeCol + ") is missing or not a number, e.g. for item " + id);
            }
            itemIds.add(id);
            index.add(RowFactory.create(id, itemIds.size(), r.getLong(2)));
        }
        StructType schema = new StructType().add("item_id", DataTypes.StringType).add("item", DataTypes.IntegerType)
                .add("count", DataTypes.LongType);
        Dataset<Row> items = log.sparkSession().createDataFrame(index, schema);
        Dataset<Row> users = rows.join(broadcast(items.select("item_id", "item")), "item_id")
                .groupBy("user_id")
                .agg(min("pos").as("user"), array_sort(collect_list(struct(col("time"), col("pos"), col("item")))).as("events"))
                .select(col("user"), col("user_id"), transform(col("events"), e -> e.getField("item")).as("items"));
        return new Prepared(items, users, itemIds);
    }

    /** Times in milliseconds (as the single-machine reader orders them): numbers are seconds, timestamps cast to seconds. */
    private static Column millis(StructType schema, String timeCol) {
        Column c = col(timeCol);
        if (schema.apply(timeCol).dataType() instanceof TimestampType) c = c.cast(DataTypes.DoubleType);
        return round(c.cast(DataTypes.DoubleType).multiply(1000)).cast(DataTypes.LongType);
    }

    static int[] toInts(List<Object> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) a[i] = (Integer) list.get(i);
        return a;
    }
}
