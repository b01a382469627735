package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Explanation;
import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.ItemTitles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code lstmrec recommend}: the top-K next items for a known user or an explicit history. */
@Command(name = "recommend", modelTransformer = RunOptionSpecs.class, mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints the top-K next items for a known user (their whole stored history) or for --history.")
final class RecommendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model written by train.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    static final class Who {
        @Option(names = "--user", paramLabel = "ID", description = "External id of a user the model was trained on.")
        String user;

        @Option(names = "--history", split = ",", paramLabel = "ID", description = "Item ids in time order, comma separated.")
        List<String> history;
    }

    @Option(names = "--k", defaultValue = "10", description = "How many items (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--exclude-seen", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Leave out items already in the history (default: on).")
    boolean excludeSeen;

    @Option(names = "--items", paramLabel = "FILE", description = "Item titles: MovieLens u.item, movies.dat or movies.csv.")
    Path items;

    @Option(names = "--explain", description = "Under each item, the history items whose removal lowers its score most, "
            + "with the drop (occlusion over the last " + Recommender.EXPLAIN_POSITIONS + " positions the model reads; "
            + "one extra sequence each).")
    boolean explain;

    @Option(names = "--explain-top", defaultValue = "3", paramLabel = "N",
            description = "History items listed per recommended item with --explain (default ${DEFAULT-VALUE}).")
    int explainTop;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        if (k <= 0 || k > 100_000) throw Usage.error(spec, "--k must be in 1..100000, got " + k);
        if (explainTop < 1) throw Usage.error(spec, "--explain-top must be positive, got " + explainTop);
        SavedModel saved = SavedModel.load(model);
        Map<String, String> titles = items == null ? Map.of() : ItemTitles.read(items);
        try (Backend backend = common.createBackend(System.err)) {
            Recommender rec = new Recommender(saved, backend);
            int[] history;
            if (who.user != null) {
                history = rec.userHistory(who.user);
                if (history == null) throw new CliException("unknown user '" + who.user + "': the model has no history for it; use --history");
                if (history.length == 0) throw new CliException("user '" + who.user + "' has no known items");
            } else {
                List<String> unknown = rec.unknownItems(who.history);
                if (!unknown.isEmpty()) {
                    System.err.println("lstmrec: warning: " + unknown.size() + " item id(s) unknown to the model, ignored: " + String.join(", ", unknown));
                }
                List<Integer> known = new ArrayList<>();
                for (String id : who.history) if (rec.item(id) > 0) known.add(rec.item(id));
                if (known.isEmpty()) throw new CliException("none of the --history ids is known to the model");
                history = known.stream().mapToInt(Integer::intValue).toArray();
            }
            List<Recommendation> top = rec.recommend(history, k, excludeSeen, Set.of());
            List<Explanation> why = explain ? rec.explain(history, top, explainTop, Recommender.EXPLAIN_POSITIONS) : null;
            System.out.printf("%-5s %-12s %10s  %s%n", "rank", "item", "score", titles.isEmpty() ? "" : "title");
            for (int i = 0; i < top.size(); i++) {
                Recommendation r = top.get(i);
                System.out.printf("%-5d %-12s %10.4f  %s%n", i + 1, r.itemId(), r.score(), titles.getOrDefault(r.itemId(), ""));
                if (why == null) continue;
                for (Explanation.Contribution c : why.get(i).contributions()) {
                    System.out.printf("      because of %-12s score %.4f lower without it (history position %d of %d)  %s%n",
                            c.itemId(), c.drop(), c.position() + 1, history.length, titles.getOrDefault(c.itemId(), ""));
                }
            }
        }
        return 0;
    }
}
