package dev.lstmrec.engine.api;

// A tiny trained model for the recommender, batcher and serving tests (the serve module takes it from the engine
// test-jar): 30 items on a ring, users who walk it, two LSTM layers, two epochs on the scalar backend (well under a
// second). External ids differ from internal indices so mapping bugs show.

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingListener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Builds (once) a small trained {@link SavedModel} with user histories and item titles. */
public final class TinyModel {
    public static final int ITEMS = 30;
    public static final int USERS = 80;
    private static SavedModel model;

    private TinyModel() {}

    /** External id of internal item i (1..N): not equal to i, and not in order. */
    public static String itemId(int item) {
        return Integer.toString(1000 + (item * 7) % 31);
    }

    public static synchronized SavedModel get() {
        if (model != null) return model;
        SplittableRandom rnd = new SplittableRandom(11);
        List<int[]> train = new ArrayList<>();
        List<EvalCase> valid = new ArrayList<>();
        int[][] histories = new int[USERS][];
        List<String> users = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int len = 3 + rnd.nextInt(14); // some longer than max_len, so windows are cut
            int[] s = new int[len];
            s[0] = 1 + rnd.nextInt(ITEMS);
            for (int t = 1; t < len; t++) s[t] = 1 + (s[t - 1] - 1 + (rnd.nextDouble() < 0.8 ? 1 : 3)) % ITEMS;
            histories[u] = s;
            users.add("user-" + u);
            train.add(Arrays.copyOf(s, len - 1));
            valid.add(new EvalCase(Arrays.copyOf(s, len - 1), s[len - 1]));
        }
        ModelConfig config = new ModelConfig(ITEMS, 8, 12, 2, 8, 0.1f, 0.1f);
        Trainer trainer = new Trainer(new ScalarBackend(), config, new TrainConfig(16, 0.02f, 2, 0, 5, 0f, 5f));
        trainer.fit(train, valid, TrainingListener.SILENT);
        List<String> items = new ArrayList<>();
        for (int i = 1; i <= ITEMS; i++) items.add(itemId(i));
        model = new SavedModel(config, items, users, histories, trainer.downloadWeights(), Map.of("dataset", "tiny ring"));
        return model;
    }

    /** Titles for every item but the last (so a missing title is exercised too). */
    public static Map<String, String> titles() {
        Map<String, String> t = new java.util.LinkedHashMap<>();
        for (int i = 1; i < ITEMS; i++) t.put(itemId(i), "Film \"" + i + "\" (199" + i % 10 + ")");
        return t;
    }
}
