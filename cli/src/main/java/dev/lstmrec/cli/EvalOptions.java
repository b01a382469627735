package dev.lstmrec.cli;

import dev.lstmrec.engine.eval.Protocol;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The evaluation protocol options shared by train and evaluate. */
final class EvalOptions {
    @Option(names = "--exclude-seen", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Exclude the user's history from the ranking (default: on; --no-exclude-seen to keep it).")
    boolean excludeSeen;

    @Option(names = "--eval-negatives", defaultValue = "0", paramLabel = "N",
            description = "0 (default): rank against ALL items. N > 0: sampled protocol, the target against N uniformly drawn unseen items.")
    int negatives;

    @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Cut-off shown in summaries (all of 5, 10, 20 are computed; default ${DEFAULT-VALUE}).")
    int k;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    Protocol protocol(long seed) {
        if (k != 5 && k != 10 && k != 20) throw Usage.error(spec, "--k must be one of 5, 10, 20 for evaluation, got " + k);
        return Usage.validated(spec, () -> new Protocol(excludeSeen, negatives, seed));
    }
}
