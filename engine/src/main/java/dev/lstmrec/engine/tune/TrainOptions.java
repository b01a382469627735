package dev.lstmrec.engine.tune;

// The bridge from a configuration (train option name -> value text) to a TrainingBuilder, and back to the exact
// `train` command line. One table: a new `train` option becomes searchable by adding one line here (and a space
// entry), e.g. loss, negatives and tied embeddings once TrainingBuilder has them.

import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.train.LrSchedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** The {@code train} options a search space may name, and how each one sets a {@link TrainingBuilder}. */
public final class TrainOptions {
    private TrainOptions() {}

    // Order matters where options overlap: --dropout first, then the per-site dropouts override it.
    private static final Map<String, BiConsumer<TrainingBuilder, String>> SETTERS = new LinkedHashMap<>();

    static {
        SETTERS.put("dropout", (b, v) -> b.dropout(f(v)));
        SETTERS.put("embedding-dropout", (b, v) -> b.embeddingDropout(f(v)));
        SETTERS.put("hidden-dropout", (b, v) -> b.hiddenDropout(f(v)));
        SETTERS.put("dim", (b, v) -> b.dim(i(v)));
        SETTERS.put("hidden", (b, v) -> b.hidden(i(v)));
        SETTERS.put("layers", (b, v) -> b.layers(i(v)));
        SETTERS.put("max-len", (b, v) -> b.maxLen(i(v)));
        SETTERS.put("batch", (b, v) -> b.batch(i(v)));
        SETTERS.put("lr", (b, v) -> b.lr(f(v)));
        SETTERS.put("weight-decay", (b, v) -> b.weightDecay(f(v)));
        SETTERS.put("clip-norm", (b, v) -> b.clipNorm(f(v)));
        SETTERS.put("epochs", (b, v) -> b.epochs(i(v)));
        SETTERS.put("patience", (b, v) -> b.patience(i(v)));
        SETTERS.put("seed", (b, v) -> b.seed(Long.parseLong(v)));
        // lr-schedule and warmup together make one LrSchedule: see apply.
        SETTERS.put("lr-schedule", (b, v) -> {});
        SETTERS.put("warmup", (b, v) -> {});
    }

    /** The option names a space may use. */
    public static List<String> names() {
        return List.copyOf(SETTERS.keySet());
    }

    /** Throws naming {@code source} when a name is not a searchable {@code train} option. */
    public static void check(List<String> names, String source) {
        for (String n : names) {
            if (!SETTERS.containsKey(n)) {
                throw new IllegalArgumentException(source + ": '" + n + "' is not a train option the tuner can set; known: "
                        + String.join(", ", SETTERS.keySet()));
            }
        }
    }

    /**
     * Sets {@code b} from {@code options} (unnamed settings keep the builder's values).
     *
     * @throws IllegalArgumentException for an unknown name or a value that does not parse
     */
    public static TrainingBuilder apply(TrainingBuilder b, Map<String, String> options) {
        check(new ArrayList<>(options.keySet()), "configuration");
        for (Map.Entry<String, BiConsumer<TrainingBuilder, String>> s : SETTERS.entrySet()) {
            String v = options.get(s.getKey());
            if (v == null) continue;
            try {
                s.getValue().accept(b, v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + s.getKey() + ": not a number: '" + v + "'", e);
            }
        }
        if (options.containsKey("lr-schedule") || options.containsKey("warmup")) {
            b.lrSchedule(new LrSchedule(LrSchedule.Kind.fromCliName(options.getOrDefault("lr-schedule", "constant")),
                    Double.parseDouble(options.getOrDefault("warmup", "0")), 0));
        }
        return b;
    }

    /** {@code options} as {@code train} arguments: {@code --name value} each (a flag set to true is just {@code --name}). */
    public static String commandLine(Map<String, String> options) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (e.getValue().equals("false")) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append("--").append(e.getKey());
            if (!e.getValue().equals("true")) sb.append(' ').append(e.getValue());
        }
        return sb.toString();
    }

    private static float f(String v) {
        return Float.parseFloat(v);
    }

    private static int i(String v) {
        return Integer.parseInt(v);
    }
}
