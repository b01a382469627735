package dev.lstmrec.engine.tune;

// One dimension of a search space. Values are kept as the strings a `train` command line takes, so a configuration
// is literally a set of options, prints as a command and round-trips through the state file exactly. Sampled
// numbers are rounded to 3 significant digits so the printed command is short and reproduces the trial.

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A search dimension over the values of one {@code train} option. */
public sealed interface Param {
    /** The {@code train} option without its dashes, e.g. {@code lr}. */
    String name();

    /** One value drawn from {@code rnd}, as the option's text. */
    String sample(SplittableRandom rnd);

    /** The JSON form of this entry (see {@link SearchSpace}). */
    Map<String, Object> toJson();

    /** Whether {@code value} (option text) is one this entry can draw: listed, or inside the bounds. */
    boolean admits(String value);

    /** One of the listed values, each equally likely. */
    record Choice(String name, List<String> values) implements Param {
        public Choice {
            if (values.isEmpty()) throw new IllegalArgumentException("space entry '" + name + "': choice needs at least one value");
            values = List.copyOf(values);
        }

        @Override
        public String sample(SplittableRandom rnd) {
            return values.get(rnd.nextInt(values.size()));
        }

        @Override
        public boolean admits(String value) {
            for (String v : values) if (v.equals(value) || sameNumber(v, value)) return true;
            return false;
        }

        @Override
        public Map<String, Object> toJson() {
            return json("choice", "values", values);
        }
    }

    /** Uniform in [low, high]. */
    record Uniform(String name, double low, double high) implements Param {
        public Uniform {
            range(name, low, high, false);
        }

        @Override
        public String sample(SplittableRandom rnd) {
            return round(low + (high - low) * rnd.nextDouble());
        }

        @Override
        public boolean admits(String value) {
            return within(value, low, high);
        }

        @Override
        public Map<String, Object> toJson() {
            return bounds("uniform", low, high);
        }
    }

    /** Log-uniform in [low, high] (both positive): equally likely in every decade, for learning rates and decays. */
    record LogUniform(String name, double low, double high) implements Param {
        public LogUniform {
            range(name, low, high, true);
        }

        @Override
        public String sample(SplittableRandom rnd) {
            return round(Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * rnd.nextDouble()));
        }

        @Override
        public boolean admits(String value) {
            return within(value, low, high);
        }

        @Override
        public Map<String, Object> toJson() {
            return bounds("loguniform", low, high);
        }
    }

    /** A whole number uniform in [low, high]. */
    record IntUniform(String name, long low, long high) implements Param {
        public IntUniform {
            if (low > high) throw new IllegalArgumentException("space entry '" + name + "': low " + low + " > high " + high);
        }

        @Override
        public String sample(SplittableRandom rnd) {
            return Long.toString(low + rnd.nextLong(high - low + 1));
        }

        @Override
        public boolean admits(String value) {
            try {
                long v = Long.parseLong(value.trim());
                return v >= low && v <= high;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "int");
            m.put("low", low);
            m.put("high", high);
            return m;
        }
    }

    private static void range(String name, double low, double high, boolean positive) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || low > high || (positive && !(low > 0))) {
            throw new IllegalArgumentException("space entry '" + name + "': bounds must be finite with low <= high"
                    + (positive ? " and low > 0" : "") + ", got [" + low + ", " + high + "]");
        }
    }

    private static boolean within(String value, double low, double high) {
        try {
            double v = Double.parseDouble(value.trim());
            return v >= low && v <= high;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** "0" and "0.0", "2048" and "2048.0": the same value written two ways. */
    private static boolean sameNumber(String a, String b) {
        try {
            return Double.parseDouble(a.trim()) == Double.parseDouble(b.trim());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Map<String, Object> json(String type, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put(key, value);
        return m;
    }

    private static Map<String, Object> bounds(String type, double low, double high) {
        Map<String, Object> m = json(type, "low", low);
        m.put("high", high);
        return m;
    }

    /** {@code x} to 3 significant digits, plain notation, no trailing zeros. */
    static String round(double x) {
        return new BigDecimal(x).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
