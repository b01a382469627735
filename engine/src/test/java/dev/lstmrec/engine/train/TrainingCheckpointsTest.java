package dev.lstmrec.engine.train;

// What a checkpoint directory keeps: the newest file of the run is never pruned (even beside higher-step files of an
// abandoned continuation), a new run refuses a used directory, and the run configuration travels with the state.

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCheckpointsTest {
    @TempDir
    Path dir;

    private static TrainingState state(int step) {
        TrainingState s = new TrainingState();
        s.step = step;
        s.epoch = 1 + step / 10;
        s.nextBatch = step % 10;
        s.weights = new float[] {step, 1, 2};
        s.adamM = new float[3];
        s.adamV = new float[3];
        return s;
    }

    private List<String> names(Path d) throws IOException {
        return TrainingCheckpoints.list(d).stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void keepsTheFileJustWrittenAndTheNewestOlderOneAndDropsHigherSteps() throws IOException {
        for (int step : new int[] {90, 100, 110}) TrainingCheckpoints.write(dir, state(step), "fp", null);
        assertEquals(List.of("state-0000000100.lstmrec-state", "state-0000000110.lstmrec-state"), names(dir));
        // A resumed run that had to skip 100 and 110 (say, corrupted) continues from 90 and writes 95: its own file must stay.
        Path written = TrainingCheckpoints.write(dir, state(95), "fp", null);
        assertTrue(Files.exists(written), "the state just written survives pruning");
        assertEquals(List.of("state-0000000095.lstmrec-state"), names(dir), "the higher steps of the abandoned continuation are gone");
        TrainingCheckpoints.write(dir, state(97), "fp", null);
        TrainingCheckpoints.write(dir, state(99), "fp", null);
        assertEquals(List.of("state-0000000097.lstmrec-state", "state-0000000099.lstmrec-state"), names(dir));
        assertEquals(99, TrainingCheckpoints.readLatest(dir).state().step());
    }

    @Test
    void aNewRunRefusesADirectoryThatIsNotEmpty() throws IOException {
        TrainingCheckpoints.requireUnused(dir.resolve("absent"));
        TrainingCheckpoints.requireUnused(dir);
        TrainingCheckpoints.write(dir, state(40), "fp", null);
        CheckpointDirectoryInUseException e = assertThrows(CheckpointDirectoryInUseException.class, () -> TrainingCheckpoints.requireUnused(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("state-0000000040"), e.getMessage());
        assertEquals(dir, e.directory());
        assertEquals(dir.resolveSibling(dir.getFileName() + "-2"), TrainingCheckpoints.unusedDirectory(dir));
    }

    @Test
    void theRunConfigurationAndFingerprintTravelWithTheState() throws IOException {
        TrainingCheckpoints.write(dir, state(12), "fp-a", "{\"dim\": \"16\"}");
        TrainingCheckpoints.Loaded l = TrainingCheckpoints.readLatest(dir);
        assertEquals("{\"dim\": \"16\"}", l.runConfig());
        assertEquals("fp-a", l.fingerprint());
        l.requireFingerprint("fp-a");
        assertThrows(dev.lstmrec.engine.io.CheckpointFormatException.class, () -> l.requireFingerprint("fp-b"));

        Path old = dir.resolve("old");
        TrainingCheckpoints.write(old, state(3), "fp", null); // as written before configurations were stored
        assertNull(TrainingCheckpoints.readLatest(old).runConfig());
    }
}
