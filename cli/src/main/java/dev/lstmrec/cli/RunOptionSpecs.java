package dev.lstmrec.cli;

import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The command-line options of the {@link RunOption} declarations: picocli builds each command's model from its
 * annotations, then this transformer puts the run settings the command takes in front of its own options, with the
 * declaration's name, value label, help text and default. No command declares a run setting itself, so a new
 * {@link RunOption} is an option of {@code train} (and of the other commands its group concerns) with no CLI code.
 */
final class RunOptionSpecs implements CommandLine.IModelTransformer {
    /** The run settings each command takes: train all; the others what they read, compute on, or rank with. */
    private static final Map<String, Predicate<RunOption>> TAKES = Map.of(
            "train", o -> true,
            // the network's shape is the parent model's; validation is the update's own (each user's latest new event)
            "update", o -> o.group() != RunOption.Group.MODEL && o != RunOption.TEST_DATA && o != RunOption.HOLDOUT
                    && o != RunOption.EVAL_NEGATIVES
                    || o == RunOption.DROPOUT || o == RunOption.EMBEDDING_DROPOUT || o == RunOption.HIDDEN_DROPOUT,
            // the replay is the test: no separate test log, and every item is ranked
            "backtest", o -> o != RunOption.TEST_DATA && o != RunOption.EVAL_NEGATIVES,
            "tune", o -> o.group() == RunOption.Group.DATA || o.group() == RunOption.Group.COMPUTATION
                    || o == RunOption.EXCLUDE_SEEN || o == RunOption.EVAL_NEGATIVES,
            "evaluate", o -> (o.group() == RunOption.Group.DATA && o != RunOption.TEST_DATA) || o.group() == RunOption.Group.COMPUTATION
                    || o == RunOption.EXCLUDE_SEEN || o == RunOption.EVAL_NEGATIVES,
            "recommend", o -> o.group() == RunOption.Group.COMPUTATION,
            "serve", o -> o.group() == RunOption.Group.COMPUTATION);

    /** Where a command's default differs from train's: its text in that command's help. */
    private static final Map<String, Map<RunOption, String>> OWN_DEFAULTS = Map.of(
            "backtest", Map.of(RunOption.EPOCHS, "train's for the initial model and the retrains, update's for the incremental updates ("
                    + dev.lstmrec.engine.api.UpdateBuilder.DEFAULT_EPOCHS + "); given, it applies to all",
                    RunOption.LR, "train's for the initial model and the retrains, update's for the incremental updates ("
                    + dev.lstmrec.engine.api.UpdateBuilder.DEFAULT_LR + "); given, it applies to all"),
            "update", Map.of(RunOption.EPOCHS, dev.lstmrec.engine.api.UpdateBuilder.DEFAULT_EPOCHS + " (an update continues a trained model)",
                    RunOption.LR, dev.lstmrec.engine.api.UpdateBuilder.DEFAULT_LR + " (the parent ended its training at a low rate)",
                    RunOption.DROPOUT, "the parent model's"));

    @Override
    public CommandSpec transform(CommandSpec spec) {
        Predicate<RunOption> takes = TAKES.get(spec.name());
        if (takes == null) throw new IllegalStateException("no run settings declared for command " + spec.name());
        // the command's own options (outside argument groups, which picocli keeps in place) go after the settings
        List<OptionSpec> own = new ArrayList<>(spec.options().stream().filter(o -> o.group() == null).toList());
        own.forEach(spec::remove);
        Map<RunOption, String> defaults = OWN_DEFAULTS.getOrDefault(spec.name(), Map.of());
        Arrays.stream(RunOption.values()).filter(takes).forEach(o -> spec.addOption(option(o, defaults.getOrDefault(o, o.defaultDescription()))));
        own.forEach(spec::addOption);
        return spec;
    }

    /** The option of one setting: {@code --key LABEL} (a flag {@code --[no-]key}), typed, unset unless given. */
    static OptionSpec option(RunOption o, String defaultText) {
        OptionSpec.Builder b = OptionSpec.builder("--" + o.key())
                // picocli formats descriptions: a literal percent sign must be doubled
                .description((o.description() + " (default: " + defaultText
                        + (o.changeable() ? "; a resumed run may change it" : "") + ")").replace("%", "%%"));
        if (o.type() == RunOption.Type.BOOLEAN) return b.type(Boolean.class).arity("0").negatable(true).build();
        return b.type(javaType(o.type())).paramLabel(o.label() != null ? o.label() : "VALUE").arity("1").build();
    }

    private static Class<?> javaType(RunOption.Type t) {
        return switch (t) {
            case INT -> Integer.class;
            case LONG -> Long.class;
            case FLOAT -> Float.class;
            case DOUBLE -> Double.class;
            case BOOLEAN -> Boolean.class;
            case STRING -> String.class;
            case PATH -> Path.class;
        };
    }

    /** The value of {@code o} as given on {@code spec}'s command line, as text; null when not given (or not an option there). */
    static String given(CommandSpec spec, RunOption o) {
        OptionSpec s = spec.findOption("--" + o.key());
        if (s == null || !spec.commandLine().getParseResult().hasMatchedOption(s)) return null;
        return String.valueOf((Object) s.getValue());
    }

    /** Every run setting given on {@code spec}'s command line, as text. */
    static Map<RunOption, String> given(CommandSpec spec) {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        for (RunOption o : RunOption.values()) {
            String v = given(spec, o);
            if (v != null) m.put(o, v);
        }
        return m;
    }

    /** What {@code train} would run with the settings given on {@code spec}'s command line; a bad value is a usage error. */
    static RunConfig config(CommandSpec spec) {
        return Usage.validated(spec, () -> RunConfig.of(given(spec)));
    }
}
