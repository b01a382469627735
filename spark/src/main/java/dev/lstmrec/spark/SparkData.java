package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;

/**
 * Data preparation in Spark SQL, with the single-machine reader's results (engine DataReader/Interactions): items are
 * numbered 1..N and users 0..U-1 in order of first appearance in the input, each user's items are sorted by time,
 * stably (ties keep input order). "Input order" is the row position Spark gives a file source
 * ({@code monotonically_increasing_id} grows with the file offset within one file); for several files Spark's
 * split order decides. Item frequencies are kept beside the index for reports. Checked by SparkDataTest against
 * DataReader on the same file.
 */
public final class SparkData {
    private SparkData() {}

    /** The prepared log: item index (id → 1..N, with counts) and one row per user with the time-ordered items. */
    public record Prepared(Dataset<Row> items, Dataset<Row> users, List<String> itemIds, long numUsers) implements Serializable {
        /** Users as {@link UserSequence}s, sorted by user index within each partition. */
        public JavaRDD<UserSequence> sequences() {
            return users.javaRDD().map(r -> new UserSequence(r.getInt(0), r.getString(1), toInts(r.getList(2))));
        }

        public int numItems() {
            return itemIds.size();
        }
    }

    /**
     * Indexes and groups {@code log}. User and item columns may have any type that casts to a non-empty string;
     * the time column any type that casts to a number of seconds (or a timestamp); {@code timeCol} null means the
     * rows are already in time order. Rows with a null or empty user or item, or a null time, are an error.
     */
    public static Prepared prepare(Dataset<Row> log, String userCol, String itemCol, String timeCol) {
        Column time = timeCol == null ? lit(0L)
                : functionsTime(log.schema(), timeCol);
        Dataset<Row> rows = log.select(col(userCol).cast(DataTypes.StringType).as("user_id"),
                        col(itemCol).cast(DataTypes.StringType).as("item_id"), time.as("time"))
                .withColumn("pos", monotonically_increasing_id());
        long bad = rows.filter(col("user_id").isNull().or(col("user_id").equalTo(""))
                .or(col("item_id").isNull()).or(col("item_id").equalTo("")).or(col("time").isNull())).limit(1).count();
        if (bad > 0) {
            Row r = rows.filter(col("user_id").isNull().or(col("user_id").equalTo(""))
                    .or(col("item_id").isNull()).or(col("item_id").equalTo("")).or(col("time").isNull())).first();
            throw new IllegalArgumentException("input has a row with a missing user, item or time (columns " + userCol + ", "
                    + itemCol + ", " + timeCol + "): " + r);
        }
        rows = rows.cache();
        Dataset<Row> items = indexByFirstAppearance(rows, "item_id", 1).cache();
        Dataset<Row> userIndex = indexByFirstAppearance(rows, "user_id", 0);
        Dataset<Row> users = rows.join(items.select("item_id", "item"), "item_id")
                .join(userIndex.select("user_id", "user"), "user_id")
                .groupBy("user", "user_id")
                .agg(array_sort(collect_list(struct(col("time"), col("pos"), col("item")))).as("events"))
                .select(col("user"), col("user_id"), transform(col("events"), e -> e.getField("item")).as("items"))
                .repartition(col("user"))
                .sortWithinPartitions("user");
        List<String> itemIds = items.orderBy("item").select("item_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        long numUsers = userIndex.count();
        return new Prepared(items, users, itemIds, numUsers);
    }

    /** Times in milliseconds (as the single-machine reader orders them): numbers are seconds, timestamps cast to seconds. */
    private static Column functionsTime(StructType schema, String timeCol) {
        Column c = col(timeCol);
        if (schema.apply(timeCol).dataType() instanceof org.apache.spark.sql.types.TimestampType) c = c.cast(DataTypes.DoubleType);
        return org.apache.spark.sql.functions.round(c.cast(DataTypes.DoubleType).multiply(1000)).cast(DataTypes.LongType);
    }

    /** (id, index, count): ids numbered from {@code first} by the position of their first row. */
    private static Dataset<Row> indexByFirstAppearance(Dataset<Row> rows, String idCol, int first) {
        Dataset<Row> firsts = rows.groupBy(idCol).agg(min("pos").as("first"), count(lit(1)).as("count")).orderBy("first");
        String index = idCol.equals("item_id") ? "item" : "user";
        StructType schema = new StructType().add(idCol, DataTypes.StringType).add(index, DataTypes.IntegerType)
                .add("count", DataTypes.LongType);
        JavaRDD<Row> numbered = firsts.javaRDD().zipWithIndex()
                .map(t -> org.apache.spark.sql.RowFactory.create(t._1().getString(0), (int) (t._2() + first), t._1().getLong(2)));
        return rows.sparkSession().createDataFrame(numbered, schema);
    }

    static int[] toInts(List<Object> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) a[i] = (Integer) list.get(i);
        return a;
    }
}
