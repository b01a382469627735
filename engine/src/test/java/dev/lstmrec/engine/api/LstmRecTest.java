package dev.lstmrec.engine.api;

// The library API end to end on a small generated log: train through the builder, save, load through LstmRec and
// recommend; the loaded recommender must answer exactly as one built on the in-memory model (scalar backend both).

import dev.lstmrec.engine.backend.BackendUnavailableException;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.train.EpochResult;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LstmRecTest {
    @TempDir
    Path dir;

    static Dataset small() {
        return SyntheticData.generate(SyntheticConfig.defaults().withSize(120, 60, 3).withLengths(6, 14).withSeed(7));
    }

    @Test
    void trainsThroughTheBuilderAndRecommendsFromTheSavedModel() throws Exception {
        Dataset data = small();
        List<EpochResult> epochs = new ArrayList<>();
        Experiment.Result r = LstmRec.trainer().dataset(data).dim(12).hidden(16).maxLen(12).batch(32).lr(0.01f)
                .epochs(3).patience(0).seed(5).backend("scalar").threads(1)
                .listener(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochResult e) {
                        epochs.add(e);
                    }
                })
                .train();
        assertEquals(3, epochs.size(), "one callback per epoch");
        assertEquals(3, r.training().epochs().size());
        assertTrue(epochs.get(2).loss() < epochs.get(0).loss(), "loss falls: " + epochs);
        assertEquals(data.numItems(), r.model().config().numItems());
        assertEquals(12, r.model().config().embeddingDim());
        assertEquals(16, r.model().config().hiddenDim());
        assertEquals("scalar", r.model().info().get("backend"));
        assertEquals(data.source(), r.model().info().get("dataset"));
        assertEquals(r.split().numEvaluated(), r.test().cases());
        // The reported test metrics are the returned model's: evaluating it afresh (last item = target) gives them again.
        List<int[]> sequences = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) sequences.add(data.sequence(u));
        ModelEvaluation.Result again = ModelEvaluation.evaluate(r.model(), sequences,
                dev.lstmrec.engine.eval.Protocol.fullRanking(), new ScalarBackend(), 0);
        assertEquals(r.test().asMap(), again.model().asMap());

        Path file = dir.resolve("m.lstmrec");
        r.model().save(file);
        int[] history = data.sequence(3);
        List<String> ids = new ArrayList<>();
        for (int item : history) ids.add(data.itemId(item));
        List<Recommendation> fromFile;
        try (Recommender rec = LstmRec.recommender(file, "scalar")) {
            assertEquals("scalar", rec.backendName());
            fromFile = rec.recommend(ids, 7);
        }
        List<Recommendation> inMemory = new Recommender(r.model(), new ScalarBackend()).recommend(ids, 7);
        assertEquals(inMemory, fromFile, "the loaded model answers as the trained one");
        assertEquals(7, fromFile.size());
        Set<String> seen = new HashSet<>(ids);
        for (int i = 0; i < fromFile.size(); i++) {
            assertFalse(seen.contains(fromFile.get(i).itemId()), "history excluded: " + fromFile.get(i));
            if (i > 0) assertTrue(fromFile.get(i - 1).score() >= fromFile.get(i).score(), "best first");
        }
        assertEquals(r.model().itemIds(), LstmRec.load(file).itemIds());
    }

    @Test
    void aClosedRecommenderRefusesWork() throws Exception {
        Experiment.Result r = LstmRec.trainer().dataset(small()).dim(4).hidden(4).maxLen(6).epochs(1).backend("scalar").train();
        Recommender rec = LstmRec.recommender(r.model(), "scalar", dev.lstmrec.engine.backend.BackendOptions.defaults());
        rec.close();
        rec.close();
        assertThrows(IllegalStateException.class, () -> rec.recommend(new int[] {1, 2}, 3, true, Set.of()));
    }

    @Test
    void defaultsAreTheCliDefaults() {
        TrainingBuilder b = LstmRec.trainer();
        assertEquals(new dev.lstmrec.engine.model.ModelConfig(10, 64, 64, 1, 200, 0.2f, 0.2f), b.modelConfig(10));
        assertEquals(RunConfig.defaults().modelConfig(10), b.modelConfig(10));
        assertEquals(new TrainConfig(64, 0.003f, 60, 10, 42L, 0f, 5f), b.trainConfig());
        assertTrue(b.protocol().excludeSeen());
        assertEquals(0, b.protocol().negatives());
    }

    @Test
    void invalidSettingsFailBeforeAnyWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LstmRec.trainer().data(dir.resolve("missing.tsv")).batch(0).train());
        assertTrue(e.getMessage().contains("batch must be positive") && !e.getMessage().contains("--"), e.getMessage());
        BackendUnavailableException u = assertThrows(BackendUnavailableException.class,
                () -> LstmRec.trainer().data(dir.resolve("missing.tsv")).backend("no-such").train());
        assertTrue(u.getMessage().contains("no-such"), u.getMessage());
    }

    @Test
    void readsWithTheCliReaders() throws Exception {
        Dataset data = small();
        Path file = dir.resolve("u.data");
        SyntheticData.writeMl100k(data, file);
        Dataset back = LstmRec.read(file, ReadOptions.of(Format.ML100K));
        assertEquals(data.numUsers(), back.numUsers());
        assertEquals(data.numInteractions(), back.numInteractions());
        Experiment.Result r = LstmRec.trainer().data(file).format(Format.ML100K).dim(4).hidden(4).maxLen(6).epochs(1)
                .backend("scalar").train();
        assertEquals(file.toString(), r.model().info().get("dataset"));
    }
}
