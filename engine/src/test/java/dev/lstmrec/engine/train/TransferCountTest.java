package dev.lstmrec.engine.train;

// What DESIGN.md promises of a GPU backend, checked on the CPU through CountingBackend: a warm training step allocates
// nothing and moves only ids and targets up and the loss and the gradient-norm scalar down; a validation pass
// allocates only while its buffers first grow (not per batch) and nothing once warm, and moves per batch only the
// packed ids, the gather rows, the exclusion lists and targets up and the ranks down.

import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.CountingBackend;
import dev.lstmrec.engine.backend.CountingBackend.Counts;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.lstmrec.engine.backend.CountingBackend.DOWNLOAD;
import static dev.lstmrec.engine.backend.CountingBackend.DOWNLOAD_INT;
import static dev.lstmrec.engine.backend.CountingBackend.UPLOAD;
import static dev.lstmrec.engine.backend.CountingBackend.UPLOAD_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TransferCountTest {
    private static final int ITEMS = 50;
    /** Two layers with dropout: the aliasing-free path with every workspace buffer in use. */
    private static final ModelConfig MODEL = new ModelConfig(ITEMS, 8, 12, 2, 10, 0.1f, 0.2f);

    private static List<int[]> sequences(int users, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int[] s = new int[3 + rnd.nextInt(12)];
            for (int t = 0; t < s.length; t++) s[t] = 1 + rnd.nextInt(ITEMS);
            out.add(s);
        }
        return out;
    }

    private static PackedBatch batch(int users, long seed) {
        List<int[]> in = new ArrayList<>(), tg = new ArrayList<>();
        for (int[] s : sequences(users, seed)) {
            for (int[] w : TrainingWindows.cut(List.<int[]>of(s), MODEL.maxLen())) {
                in.add(TrainingWindows.inputs(s, w));
                tg.add(TrainingWindows.targets(s, w));
            }
        }
        return PackedBatch.pack(in, tg);
    }

    private static CountingBackend counting() {
        return new CountingBackend(Backends.create("scalar", BackendOptions.withThreads(1)));
    }

    @Test
    void aWarmTrainingStepAllocatesNothingAndMovesOnlyIdsTargetsAndScalars() {
        for (float clip : new float[] {5f, 0f}) {
            try (CountingBackend backend = counting()) {
                Trainer trainer = new Trainer(backend, MODEL, new TrainConfig(32, 0.01f, 1, 0, 1, 0f, clip));
                trainer.trainBatch(batch(32, 1)); // warm-up: the workspace grows to the largest batch
                PackedBatch smaller = batch(20, 2);
                trainer.trainBatch(smaller);
                Counts before = backend.snapshot();
                trainer.trainBatch(smaller);
                Counts step = backend.snapshot().minus(before);

                assertEquals(0, step.allocations(), "clip " + clip + ": no allocation in a warm step: " + step);
                assertEquals(0, step.frees(), "clip " + clip + ": no free in a warm step: " + step);
                assertEquals(2, step.calls(UPLOAD_INT), "ids and targets up: " + step);
                assertEquals(2L * 4 * smaller.tokens(), step.bytes(UPLOAD_INT), "P ids and P targets: " + step);
                assertEquals(0, step.calls(UPLOAD), "no float goes up: " + step);
                int scalars = 2; // the summed loss and the squared gradient norm (checked for NaN/inf before every update)
                assertEquals(scalars, step.calls(DOWNLOAD), "scalars down: " + step);
                assertEquals(4L * scalars, step.bytes(DOWNLOAD), "one float each: " + step);
                assertEquals(0, step.calls(DOWNLOAD_INT), step.toString());
            }
        }
    }

    @Test
    void aValidationPassAllocatesOnlyWhileGrowingAndNothingOnceWarm() {
        List<EvalCase> batchOfCases = new ArrayList<>();
        for (int[] s : sequences(256, 3)) batchOfCases.add(new EvalCase(Arrays.copyOf(s, s.length - 1), s[s.length - 1]));
        List<EvalCase> fourBatches = new ArrayList<>();
        for (int i = 0; i < 4; i++) fourBatches.addAll(batchOfCases);

        long[] coldAllocations = new long[2];
        int pass = 0;
        for (List<EvalCase> cases : List.of(batchOfCases, fourBatches)) {
            try (CountingBackend backend = counting()) {
                Trainer trainer = new Trainer(backend, MODEL, new TrainConfig(32, 0.01f, 1, 0, 1, 0f, 5f));
                try (Evaluator evaluator = new Evaluator(backend, ITEMS)) {
                    Counts before = backend.snapshot();
                    int[] cold = evaluator.ranks(trainer.scorer(), cases, Protocol.fullRanking());
                    coldAllocations[pass++] = backend.snapshot().minus(before).allocations();

                    before = backend.snapshot();
                    int[] warm = evaluator.ranks(trainer.scorer(), cases, Protocol.fullRanking());
                    Counts counted = backend.snapshot().minus(before);
                    assertEquals(Arrays.toString(cold), Arrays.toString(warm), "reused buffers, same ranks");
                    int batches = cases.size() / 256;
                    assertEquals(0, counted.allocations(), "a warm pass allocates nothing: " + counted);
                    assertEquals(0, counted.frees(), counted.toString());
                    assertEquals(batches, counted.calls("scoreRank"), counted.toString());
                    // Per batch up: packed ids and gather rows (network), offsets, exclusion list, targets (evaluator).
                    assertEquals(5L * batches, counted.calls(UPLOAD_INT), counted.toString());
                    assertEquals(0, counted.calls(UPLOAD), counted.toString());
                    // Per batch down: the ranks, nothing else.
                    assertEquals(batches, counted.calls(DOWNLOAD_INT), counted.toString());
                    assertEquals(4L * cases.size(), counted.bytes(DOWNLOAD_INT), counted.toString());
                    assertEquals(0, counted.calls(DOWNLOAD), counted.toString());
                }
            }
        }
        assertEquals(coldAllocations[0], coldAllocations[1], "a cold pass over 4 identical batches allocates what one batch does");
    }
}
