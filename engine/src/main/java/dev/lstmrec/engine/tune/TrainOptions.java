package dev.lstmrec.engine.tune;

// The bridge from a configuration (train option name -> value text) to a TrainingBuilder, and back to the exact
// `train` command line. A setting is searchable as its RunOption declaration says (model, training and loss settings),
// so a new `train` option becomes a space entry as soon as it is declared, with no change here.

import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.TrainingBuilder;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@code train} options a search space may name, and how they set a {@link TrainingBuilder}. */
public final class TrainOptions {
    private TrainOptions() {}

    /** The option names a space may use. */
    public static List<String> names() {
        return Arrays.stream(RunOption.values()).filter(RunOption::searchable).map(RunOption::key).toList();
    }

    /** Throws naming {@code source} when a name is not a searchable {@code train} option. */
    public static void check(List<String> names, String source) {
        List<String> known = names();
        for (String n : names) {
            RunOption o = RunOption.byKey(n).orElse(null);
            if (o != null && o.group() == RunOption.Group.EVALUATION) {
                throw new IllegalArgumentException(source + ": '" + n + "' sets how trials are evaluated, which the search keeps"
                        + " the same for every trial so their scores compare; "
                        + (n.equals(RunOption.HOLDOUT.key()) ? "tune validates every trial on the latest training sessions"
                        : "give it to tune itself (--" + n + ")"));
            }
            if (!known.contains(n)) {
                throw new IllegalArgumentException(source + ": '" + n + "' is not a train option the tuner can set; known: "
                        + String.join(", ", known));
            }
        }
    }

    /**
     * Sets {@code b} from {@code options} (unnamed settings keep the builder's values).
     *
     * @throws IllegalArgumentException for an unknown name or a value that does not parse
     */
    public static TrainingBuilder apply(TrainingBuilder b, Map<String, String> options) {
        for (Map.Entry<String, String> e : options.entrySet()) {
            // spaces are checked when parsed; the tune command also fixes what is not searchable (the test log)
            RunOption o = RunOption.byKey(e.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "configuration: '" + e.getKey() + "' is not a train option"));
            b.set(o, e.getValue());
        }
        return b;
    }

    /**
     * {@code options} as {@code train} arguments: {@code --name value} each; a flag set to true is just {@code --name},
     * set to false it is left out, or {@code --no-name} where the flag is not off by default (exclude-seen, mask-seen;
     * on a session log, tied, which session logs default to).
     */
    public static String commandLine(Map<String, String> options) {
        return commandLine(options, RunConfig.sessionLog(options.get(RunOption.TEST_DATA.key()), options.get(RunOption.FORMAT.key())));
    }

    /** As {@link #commandLine(Map)}, for options whose session-log status is known apart from them (the format said elsewhere). */
    public static String commandLine(Map<String, String> options, boolean session) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (e.getValue().equals("false")) {
                RunOption o = RunOption.byKey(e.getKey()).orElse(null);
                String def = o == null ? "false" : session ? o.sessionDefault().orElse(o.defaultValue()) : o.defaultValue();
                boolean offByDefault = "false".equals(def);
                if (!offByDefault) sb.append(sb.length() > 0 ? " " : "").append("--no-").append(e.getKey());
                continue;
            }
            if (sb.length() > 0) sb.append(' ');
            sb.append("--").append(e.getKey());
            if (!e.getValue().equals("true")) sb.append(' ').append(e.getValue());
        }
        return sb.toString();
    }
}
