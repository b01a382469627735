package dev.lstmrec.engine.tune;

// A space may search the loss (loss, negatives, tied): the shipped bench space with those entries loads, and a trial
// whose configuration picks the sampled softmax really trains it (its checkpoint's fingerprint and run config say so).

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingObjectiveLossTest {
    @Test
    void theSampledSpaceLoadsWithItsLossEntries() throws Exception {
        Path file = Path.of("../bench/scripts/space-sampled.json");
        SearchSpace space = SearchSpace.parse(Files.readString(file), file.toString());
        List<String> names = space.params().stream().map(Param::name).toList();
        assertTrue(names.containsAll(List.of("loss", "negatives", "tied")), names.toString());
    }

    @Test
    void aTrialWithTheSampledLossTrainsIt(@TempDir Path work) throws Exception {
        Dataset data = SyntheticData.generate(SyntheticConfig.defaults().withLengths(5, 10).withSize(60, 40, 3).withSeed(3));
        Map<String, String> fixed = Map.of("epochs", "2", "patience", "0", "max-len", "10", "batch", "16");
        TrainingObjective objective = new TrainingObjective(data, fixed, ScalarBackend::new, true, work, () -> false);
        Trial trial = new Trial(1, Map.of("loss", "sampled", "negatives", "8", "tied", "true", "dim", "8", "hidden", "8"));
        Objective.Outcome out = objective.advance(trial, 1, (epoch, score, seconds) -> { });
        assertEquals(1, out.epochs());
        assertTrue(Double.isFinite(out.best()) && out.best() >= 0, "validation NDCG@10 " + out.best());
        TrainingCheckpoints.Loaded saved = TrainingCheckpoints.readLatest(objective.trialDir(trial));
        assertTrue(saved.fingerprint().startsWith(dev.lstmrec.engine.api.RunFingerprint.VERSION), "the run fingerprint: " + saved.fingerprint());
        assertTrue(saved.runConfig().contains("\"loss\":\"sampled\"") && saved.runConfig().contains("\"tied\":\"true\""), saved.runConfig());
    }
}
