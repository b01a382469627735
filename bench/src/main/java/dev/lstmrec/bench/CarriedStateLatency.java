// What a /recommend costs for a user with a long history (issue 24): the Recommender call the server makes for one
// query (k = 10, the history excluded), with the user's LSTM state carried (a keyed query one event ahead of its
// cached state: one LSTM step + scoring) against read afresh (an unkeyed query: a pass over the history's window,
// what a cache miss or a window restart costs). ML-100K-sized random model; checks once that both give the same items.
package dev.lstmrec.bench;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.CarriedStateLatency
 * [--backend simd] [--threads 1,2] [--length 1000] [--queries 400]}: N = 1,682, d = h = 64, one layer, max-len 200.
 * One user's history starts at {@code --length} items and grows by one event per query; each query is timed as a
 * keyed query (carried state; the window restarts every 200 events, included as a server sees it) and as an unkeyed
 * one (a fresh pass over the window, 200 to 399 items), interleaved, after the same run for a warm-up user. Prints
 * mean, p50 and p99 in microseconds.
 */
public final class CarriedStateLatency {
    private CarriedStateLatency() {}

    public static void main(String[] args) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("--backend", "simd", "--threads", "1,2", "--length", "1000",
                "--queries", "400"));
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 >= args.length) throw new IllegalArgumentException("usage: " + m.keySet() + " each with a value; got " + args[i]);
            m.put(args[i], args[++i]);
        }
        int length = Integer.parseInt(m.get("--length")), queries = Integer.parseInt(m.get("--queries"));
        ModelConfig config = new ModelConfig(1682, 64, 64, 1, 200, 0f, 0f);
        List<String> items = new ArrayList<>();
        for (int i = 1; i <= config.numItems(); i++) items.add(Integer.toString(i));
        SavedModel model = new SavedModel(config, items, List.of("u"), new int[][] {{1}},
                Initializer.initialWeights(config, new ParameterLayout(config), 1), Map.of());
        System.out.println("| backend | threads | history | carried state: mean / p50 / p99 | read afresh: mean / p50 / p99 | state hits / restarts |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (String th : m.get("--threads").split(",")) {
            int threads = Integer.parseInt(th.trim());
            try (Recommender rec = new Recommender(model, Backends.create(m.get("--backend"), BackendOptions.withThreads(threads)))) {
                rec.setStateCacheBytes(64L << 20);
                long[] carried = new long[queries], fresh = new long[queries];
                for (String user : new String[] {"warm-up", "u"}) run(rec, user, length, config.numItems(), carried, fresh);
                var s = rec.stateCacheStats();
                System.out.printf(Locale.ROOT, "| %s | %d | %,d to %,d items | %s | %s | %,d / %,d |%n", rec.backendName(), threads,
                        length + 1, length + queries, stats(carried), stats(fresh), s.hits(), s.restarts());
            }
        }
    }

    /** Times {@code carried.length} queries of {@code user}, each one event after the last, keyed and unkeyed. */
    private static void run(Recommender rec, String user, int length, int numItems, long[] carried, long[] fresh) {
        SplittableRandom r = new SplittableRandom(3);
        int[] history = new int[length];
        for (int i = 0; i < length; i++) history[i] = 1 + r.nextInt(numItems);
        for (int q = 0; q < carried.length; q++) {
            history = Arrays.copyOf(history, history.length + 1);
            history[history.length - 1] = 1 + r.nextInt(numItems);
            Set<Integer> seen = new HashSet<>();
            for (int item : history) seen.add(item);
            long t0 = System.nanoTime();
            List<Recommendation> a = rec.recommendBatch(List.of(user), List.of(history), new int[] {10}, List.of(seen)).get(0);
            long t1 = System.nanoTime();
            List<Recommendation> b = rec.recommendBatch(List.of(history), new int[] {10}, List.of(seen)).get(0);
            long t2 = System.nanoTime();
            if (!sameItems(a, b)) throw new AssertionError("carried and fresh answers differ: " + a + " vs " + b);
            carried[q] = t1 - t0;
            fresh[q] = t2 - t1;
        }
    }

    private static boolean sameItems(List<Recommendation> a, List<Recommendation> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i).item() != b.get(i).item()) return false;
        return true;
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e3;
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f µs", mean, s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3);
    }
}
