package dev.lstmrec.engine.tune;

// The search space: an ordered list of Params, the default one, and its JSON file format (README "Tuning"):
//   {"lr": {"type": "loguniform", "low": 0.001, "high": 0.01},
//    "layers": {"type": "choice", "values": [1, 2]}, ...}
// Keys are `train` option names without dashes; a key may also map to a plain value (fixed for every trial).

import dev.lstmrec.engine.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** What the tuner searches over: one {@link Param} per {@code train} option. */
public final class SearchSpace {
    private final List<Param> params;
    /** The configuration of trial 1, or null: trial 1 is drawn like the others. */
    private final Map<String, String> start;

    public SearchSpace(List<Param> params) {
        this(params, null);
    }

    private SearchSpace(List<Param> params, Map<String, String> start) {
        List<String> seen = new ArrayList<>();
        for (Param p : params) {
            if (seen.contains(p.name())) throw new IllegalArgumentException("space entry '" + p.name() + "' appears twice");
            seen.add(p.name());
        }
        this.params = List.copyOf(params);
        this.start = start == null ? null : new LinkedHashMap<>(start);
    }

    /**
     * This space with trial 1 set to {@code defaults} (option name to the value {@code train} uses when it is not
     * given), so the search starts from the configuration a user gets without tuning and every other configuration
     * must beat it at the rungs to win; where the space does not admit a default (a space file with other ranges), this
     * space as it is, every trial drawn.
     */
    public SearchSpace startingAt(Map<String, String> defaults) {
        Map<String, String> config = new LinkedHashMap<>();
        for (Param p : params) {
            String v = defaults.get(p.name());
            if (v == null || !p.admits(v)) return this;
            config.put(p.name(), v);
        }
        return new SearchSpace(params, config);
    }

    /** The configuration of trial 1 when {@link #startingAt} set one, else null. */
    public Map<String, String> start() {
        return start == null ? null : new LinkedHashMap<>(start);
    }

    public List<Param> params() {
        return params;
    }

    /**
     * Catalogues above this many items leave width 256 out of the default space: an untied 256-wide model of 10^6 items
     * holds 2 x 256 x 10^6 weights plus two Adam moments each (6 GB), more than a default JVM heap on a 24 GB machine.
     */
    public static final int WIDE_MAX_ITEMS = 100_000;

    /**
     * The default space of a catalogue small enough for width 256 ({@link #defaults(int)} at {@link #WIDE_MAX_ITEMS}
     * items): what {@code tune --print-space} shows before any data is read.
     */
    public static SearchSpace defaults() {
        return defaults(WIDE_MAX_ITEMS);
    }

    /**
     * The default space (README "Tuning" lists it): learning rate, both dropouts, widths, layers, batch, weight decay,
     * history length, the learning-rate schedule, the loss, its negatives and tied embeddings. The loss choices are
     * {@code auto} and {@code sampled}, not {@code full}: {@code auto} is the full softmax on small catalogues, and a
     * full-softmax trial on a catalogue of 10^5 items would eat the whole budget. Widths go up to 256 (on ML-100K a
     * tied 256-wide model gains test accuracy over 128 at the same validation score, bench/RESULTS.md) except on
     * catalogues above {@link #WIDE_MAX_ITEMS} items, where such tables outgrow a default heap.
     */
    public static SearchSpace defaults(int numItems) {
        boolean wide = numItems <= WIDE_MAX_ITEMS;
        List<String> dims = wide ? List.of("32", "64", "128", "256") : List.of("32", "64", "128");
        List<String> hiddens = wide ? List.of("64", "128", "256") : List.of("64", "128");
        return new SearchSpace(List.of(
                new Param.LogUniform("lr", 0.001, 0.01),
                new Param.Uniform("embedding-dropout", 0.0, 0.5),
                new Param.Uniform("hidden-dropout", 0.0, 0.5),
                new Param.Choice("dim", dims),
                new Param.Choice("hidden", hiddens),
                new Param.Choice("layers", List.of("1", "2")),
                new Param.Choice("batch", List.of("32", "64", "128")),
                new Param.Choice("weight-decay", List.of("0", "0.01", "0.1")),
                new Param.Choice("max-len", List.of("50", "100", "200")),
                new Param.Choice("lr-schedule", List.of("constant", "cosine")),
                new Param.Choice("warmup", List.of("0", "0.05")),
                new Param.Choice("loss", List.of("auto", "sampled")),
                new Param.Choice("negatives", List.of("256", "512", "1024", "2048")),
                new Param.Choice("tied", List.of("false", "true"))));
    }

    /**
     * The default space on a session log (README "Tuning"): centred on the session-log defaults that the Tmall
     * measurements chose (bench/RESULTS.md "Session logs": a tied table, learning rate 0.01 where 0.02 already fell into a
     * poor optimum, dropout 0.5 / 0.3, a cosine decay), with the sampled loss's negatives and sampling exponent beside
     * them; it leaves out what those logs only make slower (a second layer, histories longer than a session, batches
     * below 64), so that the few trials a 30-minute budget allows on a log of 10^6 events go where the score moves.
     */
    public static SearchSpace sessionDefaults(int numItems) {
        List<String> widths = numItems <= WIDE_MAX_ITEMS ? List.of("64", "128", "256") : List.of("64", "128");
        return new SearchSpace(List.of(
                new Param.LogUniform("lr", 0.003, 0.02),
                new Param.Uniform("embedding-dropout", 0.2, 0.6),
                new Param.Uniform("hidden-dropout", 0.0, 0.5),
                new Param.Choice("dim", widths),
                new Param.Choice("hidden", widths),
                new Param.Choice("batch", List.of("64", "128")),
                new Param.Choice("lr-schedule", List.of("constant", "cosine")),
                new Param.Choice("negatives", List.of("1024", "2048", "4096")),
                new Param.Choice("sample-alpha", List.of("0.3", "0.5", "0.75")),
                new Param.Choice("tied", List.of("false", "true"))));
    }

    /**
     * Draws one configuration: option name to value text, in space order. A tied configuration gets {@code hidden}
     * equal to {@code dim} (one table serves as input embedding and output layer only when the widths agree), so no
     * trial is drawn only to be refused by the model check.
     */
    public Map<String, String> sample(SplittableRandom rnd) {
        Map<String, String> config = new LinkedHashMap<>();
        for (Param p : params) config.put(p.name(), p.sample(rnd));
        if ("true".equals(config.get("tied")) && config.containsKey("dim") && config.containsKey("hidden")) {
            config.put("hidden", config.get("dim"));
        }
        return config;
    }

    /** Parses the JSON form; {@code source} names the file in messages. */
    public static SearchSpace parse(String json, String source) {
        Map<String, Object> root;
        try {
            root = Json.parseObject(json);
        } catch (IllegalArgumentException | dev.lstmrec.engine.io.JsonException e) {
            throw new IllegalArgumentException(source + ": not a JSON object: " + e.getMessage(), e);
        }
        List<Param> params = new ArrayList<>();
        for (Map.Entry<String, Object> e : root.entrySet()) {
            try {
                params.add(entry(e.getKey(), e.getValue()));
            } catch (IllegalArgumentException | ClassCastException ex) {
                throw new IllegalArgumentException(source + ": entry '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        if (params.isEmpty()) throw new IllegalArgumentException(source + ": the space has no entries");
        SearchSpace space = new SearchSpace(params);
        TrainOptions.check(space.params().stream().map(Param::name).toList(), source);
        return space;
    }

    private static Param entry(String name, Object v) {
        if (!(v instanceof Map<?, ?> m)) return new Param.Choice(name, List.of(text(v)));
        Object type = m.get("type");
        if (type == null) throw new IllegalArgumentException("needs a \"type\": choice, uniform, loguniform or int");
        return switch (type.toString()) {
            case "choice" -> {
                if (!(m.get("values") instanceof List<?> values)) throw new IllegalArgumentException("choice needs a \"values\" list");
                List<String> texts = new ArrayList<>();
                for (Object o : values) texts.add(text(o));
                yield new Param.Choice(name, texts);
            }
            case "uniform" -> new Param.Uniform(name, number(m, "low"), number(m, "high"));
            case "loguniform" -> new Param.LogUniform(name, number(m, "low"), number(m, "high"));
            case "int" -> new Param.IntUniform(name, (long) number(m, "low"), (long) number(m, "high"));
            default -> throw new IllegalArgumentException("unknown type '" + type + "' (choice, uniform, loguniform, int)");
        };
    }

    private static double number(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException("needs a number \"" + key + "\"");
        return n.doubleValue();
    }

    private static String text(Object o) {
        if (o instanceof Map || o instanceof List || o == null) throw new IllegalArgumentException("values must be numbers, strings or booleans");
        if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        return o.toString();
    }

    /** The JSON form, which {@link #parse} reads back. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Param p : params) m.put(p.name(), p.toJson());
        return Json.writePretty(m);
    }
}
