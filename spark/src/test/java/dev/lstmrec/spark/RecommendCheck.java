package dev.lstmrec.spark;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import org.apache.spark.sql.Row;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A check to run by hand on real data (bench/RESULTS.md, "Spark"): compares the Parquet written by
 * {@code SparkMain recommend} with what single-machine {@code lstmrec recommend --user U --k K} computes
 * ({@code Recommender.recommend(history, k, excludeSeen = true)}) for every user of the model: same items in the
 * same order, scores within float rounding. Usage: {@code RecommendCheck MODEL PARQUET K [RESAVE]}; exit code 1 on a
 * mismatch. With RESAVE, the model is also loaded into Spark and saved from there ({@link LstmRecModel#save}) to that
 * path, for serving it with {@code lstmrec serve}.
 */
public final class RecommendCheck {
    public static void main(String[] args) throws Exception {
        SavedModel model = SavedModel.load(Path.of(args[0]));
        int k = Integer.parseInt(args[2]);
        List<Row> rows = TestSpark.session().read().parquet(args[1]).collectAsList();
        int users = 0, mismatches = 0;
        double maxScoreDiff = 0;
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Recommender rec = new Recommender(model, b);
            for (Row r : rows) {
                List<Recommendation> want = rec.recommend(rec.userHistory(r.getString(0)), k, true, Set.of());
                List<Row> got = r.getList(1);
                users++;
                boolean same = want.size() == got.size();
                for (int i = 0; same && i < want.size(); i++) {
                    same = want.get(i).itemId().equals(got.get(i).getString(0));
                    maxScoreDiff = Math.max(maxScoreDiff, Math.abs(want.get(i).score() - got.get(i).getFloat(1)));
                }
                if (!same) {
                    mismatches++;
                    System.out.println("user " + r.getString(0) + ": spark " + got + " vs single " + want);
                }
            }
        }
        System.out.printf("%d rows for %d model users; %d users differ; largest score difference %.3g%n", users,
                model.userIds().size(), mismatches, maxScoreDiff);
        if (args.length > 3) LstmRecModel.load(TestSpark.session(), Path.of(args[0]).toUri().toString()).save(Path.of(args[3]).toUri().toString());
        TestSpark.session().stop();
        System.exit(mismatches == 0 && users == model.userIds().size() ? 0 : 1);
    }
}
