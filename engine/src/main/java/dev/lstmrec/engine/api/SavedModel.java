package dev.lstmrec.engine.api;

import dev.lstmrec.engine.io.Checkpoint;
import dev.lstmrec.engine.io.CheckpointFile;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model as stored on disk: the network configuration, the item mapping (external id of items 1..N),
 * the users' histories (so {@code recommend --user} needs no data file), the weights, and free-form info
 * (dataset, training settings, {@link Lineage}). Written in the {@link CheckpointFile} container
 * (docs/checkpoint-format.md), atomically; reading validates every shape against the configuration, so a damaged file
 * never yields a model.
 *
 * @param lastTimes  each user's last event time in milliseconds (what {@code update} orders new events against), or
 *                   null where the data had no times or the file predates them
 * @param eventTimes the time in milliseconds of every stored history event ({@code eventTimes[u][i]} for
 *                   {@code histories[u][i]}; {@link Long#MIN_VALUE} where unknown), what {@code update
 *                   --allow-out-of-order} merges older events by; null where the data had no times or the file predates them
 */
public record SavedModel(ModelConfig config, List<String> itemIds, List<String> userIds, int[][] histories,
                         float[] weights, Map<String, String> info, long[] lastTimes, long[][] eventTimes) {
    public static final String KIND = "lstmrec-model";
    /** Time of a stored event whose time is not known (a model that predates per-event times): older than any. */
    public static final long UNKNOWN_TIME = Long.MIN_VALUE;

    /** A model without event times. */
    public SavedModel(ModelConfig config, List<String> itemIds, List<String> userIds, int[][] histories, float[] weights,
                      Map<String, String> info) {
        this(config, itemIds, userIds, histories, weights, info, null, null);
    }

    /** A model with each user's last event time only. */
    public SavedModel(ModelConfig config, List<String> itemIds, List<String> userIds, int[][] histories, float[] weights,
                      Map<String, String> info, long[] lastTimes) {
        this(config, itemIds, userIds, histories, weights, info, lastTimes, null);
    }

    public SavedModel {
        if (lastTimes != null && lastTimes.length != userIds.size()) throw new IllegalArgumentException("one last time per user");
        if (eventTimes != null) {
            if (lastTimes == null) throw new IllegalArgumentException("event times need the last times");
            if (eventTimes.length != histories.length) throw new IllegalArgumentException("one row of event times per user");
            for (int u = 0; u < histories.length; u++) {
                if (eventTimes[u].length != histories[u].length) throw new IllegalArgumentException("one event time per history event");
            }
        }
        if (itemIds.size() != config.numItems()) {
            throw new IllegalArgumentException(itemIds.size() + " item ids for a model of " + config.numItems() + " items");
        }
        if (userIds.size() != histories.length) throw new IllegalArgumentException("users and histories differ in count");
        if (weights.length != new ParameterLayout(config).total()) throw new IllegalArgumentException("weights do not match the configuration");
        itemIds = List.copyOf(itemIds);
        userIds = List.copyOf(userIds);
        info = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info)); // insertion order: the same model, the same bytes
    }

    public void save(Path file) throws IOException {
        Checkpoint.Builder b = Checkpoint.builder()
                .meta("kind", KIND)
                .meta("model.items", Integer.toString(config.numItems()))
                .meta("model.dim", Integer.toString(config.embeddingDim()))
                .meta("model.hidden", Integer.toString(config.hiddenDim()))
                .meta("model.layers", Integer.toString(config.layers()))
                .meta("model.max_len", Integer.toString(config.maxLen()))
                .meta("model.embedding_dropout", Float.toString(config.embeddingDropout()))
                .meta("model.hidden_dropout", Float.toString(config.hiddenDropout()));
        if (config.tied()) b.meta("model.tied", "true"); // absent = untied, so older readers' files stay identical
        info.forEach((k, v) -> b.meta("info." + k, v));
        b.strings("items", itemIds).strings("users", userIds);
        if (lastTimes != null) b.strings("users.last_time", Arrays.stream(lastTimes).mapToObj(Long::toString).toList());
        int[] offsets = new int[histories.length + 1];
        for (int u = 0; u < histories.length; u++) offsets[u + 1] = offsets[u] + histories[u].length;
        int[] flat = new int[offsets[histories.length]];
        for (int u = 0; u < histories.length; u++) System.arraycopy(histories[u], 0, flat, offsets[u], histories[u].length);
        b.ints("history.offsets", offsets, offsets.length).ints("history.items", flat, flat.length);
        if (eventTimes != null) { // i32 pairs: the high and the low 32 bits of each time (the container has no 64-bit type)
            int[] t = new int[2 * flat.length];
            for (int u = 0, e = 0; u < histories.length; u++) {
                for (long time : eventTimes[u]) {
                    t[e++] = (int) (time >>> 32);
                    t[e++] = (int) time;
                }
            }
            b.ints("history.times", t, flat.length, 2);
        }
        ParameterLayout layout = new ParameterLayout(config);
        for (ParameterLayout.Entry e : layout.entries()) {
            int off = (int) e.offset();
            b.floats(e.name(), Arrays.copyOfRange(weights, off, off + e.size()), e.shape());
        }
        CheckpointFile.write(file, b.build());
    }

    public static SavedModel load(Path file) throws IOException {
        Checkpoint c = CheckpointFile.read(file);
        String kind = c.meta().get("kind");
        if (!KIND.equals(kind)) {
            throw new CheckpointFormatException(file.toString(), "not an lstmrec model (kind '" + kind + "')");
        }
        ModelConfig config;
        try {
            config = new ModelConfig(intMeta(c, "model.items"), intMeta(c, "model.dim"), intMeta(c, "model.hidden"),
                    intMeta(c, "model.layers"), intMeta(c, "model.max_len"),
                    Float.parseFloat(c.requireMeta("model.embedding_dropout")), Float.parseFloat(c.requireMeta("model.hidden_dropout")),
                    "true".equals(c.meta().get("model.tied")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file.toString(), "invalid model configuration: " + e.getMessage());
        }
        ParameterLayout layout = new ParameterLayout(config);
        float[] weights = new float[layout.total()];
        for (ParameterLayout.Entry e : layout.entries()) {
            float[] t = c.requireFloats(e.name(), e.shape());
            System.arraycopy(t, 0, weights, (int) e.offset(), e.size());
        }
        List<String> items = c.requireStrings("items");
        List<String> users = c.requireStrings("users");
        int[] offsets = c.requireInts("history.offsets", users.size() + 1);
        int[] flat = c.ints().get("history.items");
        if (flat == null || offsets[0] != 0 || offsets[users.size()] != flat.length) {
            throw new CheckpointFormatException(file.toString(), "user histories are inconsistent");
        }
        int[][] histories = new int[users.size()][];
        for (int u = 0; u < users.size(); u++) {
            if (offsets[u + 1] < offsets[u]) throw new CheckpointFormatException(file.toString(), "user histories are inconsistent");
            histories[u] = Arrays.copyOfRange(flat, offsets[u], offsets[u + 1]);
            for (int item : histories[u]) {
                if (item < 1 || item > config.numItems()) throw new CheckpointFormatException(file.toString(), "history item " + item + " out of range");
            }
        }
        long[] lastTimes = null;
        List<String> times = c.strings().get("users.last_time");
        if (times != null) {
            if (times.size() != users.size()) throw new CheckpointFormatException(file.toString(), "users.last_time does not match the users");
            lastTimes = new long[times.size()];
            try {
                for (int u = 0; u < lastTimes.length; u++) lastTimes[u] = Long.parseLong(times.get(u));
            } catch (NumberFormatException e) {
                throw new CheckpointFormatException(file.toString(), "users.last_time holds a value that is not an integer");
            }
        }
        long[][] eventTimes = null;
        int[] t = c.ints().get("history.times");
        if (t != null) { // optional: files written before per-event times have none
            if (lastTimes == null || t.length != 2 * flat.length) {
                throw new CheckpointFormatException(file.toString(), "history.times does not match the user histories");
            }
            eventTimes = new long[users.size()][];
            for (int u = 0; u < users.size(); u++) {
                eventTimes[u] = new long[histories[u].length];
                for (int i = 0; i < eventTimes[u].length; i++) {
                    int e = 2 * (offsets[u] + i);
                    eventTimes[u][i] = ((long) t[e] << 32) | (t[e + 1] & 0xFFFFFFFFL);
                }
            }
        }
        Map<String, String> info = new LinkedHashMap<>();
        c.meta().forEach((k, v) -> {
            if (k.startsWith("info.")) info.put(k.substring(5), v);
        });
        try {
            return new SavedModel(config, items, users, histories, weights, info, lastTimes, eventTimes);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file.toString(), e.getMessage());
        }
    }

    private static int intMeta(Checkpoint c, String key) throws CheckpointFormatException {
        String v = c.requireMeta(key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(c.source(), "metadata " + key + " is not an integer: '" + v + "'");
        }
    }

    /** Index of items by external id (1..N). */
    public Map<String, Integer> itemIndex() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < itemIds.size(); i++) m.put(itemIds.get(i), i + 1);
        return m;
    }

    /** Index of users by external id. */
    public Map<String, Integer> userIndex() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < userIds.size(); i++) m.put(userIds.get(i), i);
        return m;
    }

}
