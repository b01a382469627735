package dev.lstmrec.cli;

import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.eval.Protocol;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The evaluation protocol: --exclude-seen and --eval-negatives ({@link RunOptionSpecs} declares them from their
 * {@link RunOption}s) and the summaries' cut-off --k.
 */
final class EvalOptions {
    @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Cut-off shown in summaries (all of 5, 10, 20 are computed; default ${DEFAULT-VALUE}).")
    int k;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** --exclude-seen as given, else its default. */
    boolean excludeSeen() {
        return RunOptionSpecs.config(spec).booleanValue(RunOption.EXCLUDE_SEEN);
    }

    /** --eval-negatives as given, else its default. */
    int negatives() {
        return RunOptionSpecs.config(spec).intValue(RunOption.EVAL_NEGATIVES);
    }

    Protocol protocol(long seed) {
        if (k != 5 && k != 10 && k != 20) throw Usage.error(spec, "--k must be one of 5, 10, 20 for evaluation, got " + k);
        return Usage.validated(spec, () -> new Protocol(excludeSeen(), negatives(), seed));
    }
}
