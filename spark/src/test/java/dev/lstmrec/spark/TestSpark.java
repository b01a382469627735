package dev.lstmrec.spark;

import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** One local[2] SparkSession per test JVM (tasks may fail 3 times: local[2,4]) (UI off, two shuffle partitions) and small generated interaction logs. */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() {}

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,4]").appName("lstmrec-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.warehouse.dir", warehouse())
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    private static String warehouse() {
        try {
            Path d = Files.createTempDirectory("lstmrec-spark-warehouse");
            d.toFile().deleteOnExit();
            return d.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An ML-100K-format log (user, item, rating, time; tab separated) of {@code users} users interleaved at random,
     * with many equal timestamps (ties must keep file order) and items drawn from a skewed, user-drifting
     * distribution, so a model can learn a little.
     */
    static Path writeLog(Path dir, int users, int items, int minLen, int maxLen, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> rows = new ArrayList<>(); // user, item, time
        for (int u = 0; u < users; u++) {
            int len = minLen + rnd.nextInt(maxLen - minLen + 1);
            int item = 1 + rnd.nextInt(items);
            int time = rnd.nextInt(1000);
            for (int i = 0; i < len; i++) {
                item = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(items) : 1 + (item + rnd.nextInt(3)) % items;
                time += rnd.nextInt(3); // 0 = a tie with the previous interaction
                rows.add(new int[] {u * 7 + 3, item * 5 + 1, time});
            }
        }
        // shuffle the file order, then stable-sort by time: users interleave and ties appear in file order
        for (int i = rows.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int[] t = rows.get(i);
            rows.set(i, rows.get(j));
            rows.set(j, t);
        }
        StringBuilder sb = new StringBuilder();
        for (int[] r : rows) sb.append(r[0]).append('\t').append(r[1]).append('\t').append(1 + (r[1] % 5)).append('\t').append(r[2]).append('\n');
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve("log.data");
            Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log as a DataFrame with string columns user, item, rating, timestamp (CSV reader, tab separated), as SparkMain reads it. */
    static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> read(Path file) {
        return session().read().option("sep", "\t").csv(file.toString())
                .toDF("user", "item", "rating", "timestamp");
    }
}
