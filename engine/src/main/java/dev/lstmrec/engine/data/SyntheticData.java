package dev.lstmrec.engine.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Generated interaction data with real sequential structure, so that a sequence model has something to learn that
 * popularity does not capture. Items fall into topics; each item has a few strong successors (a sparse Markov chain,
 * mostly within its topic); a global Zipf layer makes some items popular. A user starts in a topic and at each step
 * either drifts to another topic (picking a popular item there) or stays: then the next item is one of the current
 * item's successors with {@code successorProb}, else a popular item of the topic. Nobody consumes an item twice.
 * Deterministic across JVMs: one {@link SplittableRandom} seeded from the config, no hash iteration order.
 * Checked by {@code SyntheticDataTest} (determinism; a first-order Markov count model beats popularity 2x).
 */
public final class SyntheticData {
    private static final int REJECTION_TRIES = 32;

    private final SyntheticConfig c;
    private final SplittableRandom rnd;
    private final int[] topicOf; // item 1..N -> topic
    private final int[][] topicItems;
    private final double[][] topicCumulative; // cumulative popularity within each topic
    private final double[] topicWeights; // cumulative popularity of topics
    private final double[] weight; // popularity of item 1..N
    private final int[][] successorsOf;
    private final double[] successorCumulative;

    private SyntheticData(SyntheticConfig c) {
        this.c = c;
        this.rnd = new SplittableRandom(c.seed());
        int n = c.numItems();
        int t = c.numTopics();
        topicOf = new int[n + 1];
        int[] byTopic = permutation(n);
        int[] sizes = new int[t];
        for (int k = 0; k < n; k++) sizes[k % t]++;
        topicItems = new int[t][];
        for (int k = 0; k < t; k++) topicItems[k] = new int[sizes[k]];
        int[] fill = new int[t];
        for (int k = 0; k < n; k++) {
            int item = byTopic[k];
            topicOf[item] = k % t;
            topicItems[k % t][fill[k % t]++] = item;
        }
        weight = new double[n + 1];
        int[] rank = permutation(n);
        for (int r = 0; r < n; r++) weight[rank[r]] = 1.0 / Math.pow(r + 1, c.zipfExponent());
        topicCumulative = new double[t][];
        topicWeights = new double[t];
        double total = 0;
        for (int k = 0; k < t; k++) {
            topicCumulative[k] = cumulative(topicItems[k]);
            total += topicCumulative[k][topicItems[k].length - 1];
            topicWeights[k] = total;
        }
        successorsOf = new int[n + 1][];
        for (int item = 1; item <= n; item++) successorsOf[item] = pickSuccessors(item);
        successorCumulative = new double[c.successors()];
        double s = 0;
        for (int j = 0; j < c.successors(); j++) {
            s += c.successors() - j; // the first successor is the strongest: weights k, k-1, .., 1
            successorCumulative[j] = s;
        }
    }

    /** Generates the dataset described by {@code config}; the same config gives the same data on any JVM. */
    public static Dataset generate(SyntheticConfig config) {
        return new SyntheticData(config).run();
    }

    private Dataset run() {
        Dataset.Builder b = Dataset.builder("synthetic(users=" + c.numUsers() + ", items=" + c.numItems() + ", topics="
                + c.numTopics() + ", seed=" + c.seed() + ")");
        for (int item = 1; item <= c.numItems(); item++) b.addItem("i" + item);
        boolean[] seen = new boolean[c.numItems() + 1];
        int[] seq = new int[c.maxLength()];
        for (int u = 1; u <= c.numUsers(); u++) {
            int len = c.minLength() + rnd.nextInt(c.maxLength() - c.minLength() + 1);
            int cur = popularIn(sampleTopic(), seen);
            seq[0] = cur;
            seen[cur] = true;
            for (int i = 1; i < len; i++) {
                int next;
                if (rnd.nextDouble() >= c.stayProb()) {
                    next = popularIn(sampleTopic(), seen);
                } else if (rnd.nextDouble() < c.successorProb()) {
                    next = successor(cur, seen);
                } else {
                    next = popularIn(topicOf[cur], seen);
                }
                seq[i] = next;
                seen[next] = true;
                cur = next;
            }
            String user = "u" + u;
            for (int i = 0; i < len; i++) {
                b.add(user, "i" + seq[i]);
                seen[seq[i]] = false;
            }
        }
        return b.build();
    }

    /** A weighted successor of {@code item} not yet seen; the next ones in order, then a popular item of its topic. */
    private int successor(int item, boolean[] seen) {
        int[] s = successorsOf[item];
        int first = search(successorCumulative, rnd.nextDouble() * successorCumulative[s.length - 1]);
        for (int j = 0; j < s.length; j++) {
            int cand = s[(first + j) % s.length];
            if (!seen[cand]) return cand;
        }
        return popularIn(topicOf[item], seen);
    }

    /** A Zipf-weighted unseen item of {@code topic}; when the topic is used up, an unseen item of any topic. */
    private int popularIn(int topic, boolean[] seen) {
        int[] items = topicItems[topic];
        double[] cum = topicCumulative[topic];
        for (int tries = 0; tries < REJECTION_TRIES; tries++) {
            int cand = items[search(cum, rnd.nextDouble() * cum[items.length - 1])];
            if (!seen[cand]) return cand;
        }
        int best = -1;
        for (int item : items) if (!seen[item] && (best < 0 || weight[item] > weight[best])) best = item;
        if (best >= 0) return best;
        for (int k = 1; k < topicItems.length; k++) { // topic exhausted: the next topic that is not
            int other = (topic + k) % topicItems.length;
            for (int item : topicItems[other]) if (!seen[item]) return popularIn(other, seen);
        }
        throw new IllegalStateException("every item seen; numItems must exceed maxLength");
    }

    private int sampleTopic() {
        return search(topicWeights, rnd.nextDouble() * topicWeights[topicWeights.length - 1]);
    }

    private int[] pickSuccessors(int item) {
        int[] out = new int[c.successors()];
        int[] own = topicItems[topicOf[item]];
        for (int j = 0; j < out.length; j++) {
            int cand;
            do {
                cand = rnd.nextDouble() < c.inTopicSuccessors() ? own[rnd.nextInt(own.length)] : 1 + rnd.nextInt(c.numItems());
            } while (cand == item || contains(out, j, cand));
            out[j] = cand;
        }
        return out;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) if (a[i] == v) return true;
        return false;
    }

    private double[] cumulative(int[] items) {
        double[] cum = new double[items.length];
        double s = 0;
        for (int i = 0; i < items.length; i++) {
            s += weight[items[i]];
            cum[i] = s;
        }
        return cum;
    }

    /** The first index whose cumulative value exceeds x. */
    private static int search(double[] cum, double x) {
        int lo = 0;
        int hi = cum.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > x) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** Items 1..n in a random order (Fisher-Yates). */
    private int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i + 1;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /**
     * Writes a dataset in the MovieLens 100K layout ({@code user item rating time}, tab separated; rating 1, times
     * increasing within each user), so generated data can be read back by {@link DataReader} or by other tools.
     */
    public static void writeMl100k(Dataset data, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            long base = 1_000_000_000L;
            for (int u = 0; u < data.numUsers(); u++) {
                int len = data.sequenceLength(u);
                for (int i = 0; i < len; i++) {
                    w.write(data.userId(u) + "\t" + data.itemId(data.itemAt(u, i)) + "\t1\t" + (base + 3600L * i + u) + "\n");
                }
            }
        }
    }
}
