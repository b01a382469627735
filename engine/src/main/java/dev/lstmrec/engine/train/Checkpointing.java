package dev.lstmrec.engine.train;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * When and where {@link Trainer#fit} saves its {@link TrainingState}, and how it is asked to stop.
 *
 * @param directory    where state files go (see {@link TrainingCheckpoints} for what is kept); null = never write
 * @param everyBatches also save every this many batches within an epoch; 0 = only after each epoch
 * @param fingerprint  identifies the data and settings; a resumed run must have the same one
 * @param runConfig    the run's whole configuration (JSON), stored with each state so that a resume needs nothing
 *                     else; null = not stored
 * @param stop         polled after every batch: when true, the trainer saves and throws {@link TrainingInterruptedException}
 * @param stopDirectory where to save on a stop when {@code directory} is null; null = do not save
 */
public record Checkpointing(Path directory, int everyBatches, String fingerprint, String runConfig, BooleanSupplier stop,
                            Path stopDirectory) {
    public Checkpointing {
        if (everyBatches < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0 batches, got " + everyBatches);
        if (stop == null) stop = () -> false;
    }

    public static Checkpointing none() {
        return new Checkpointing(null, 0, "", null, () -> false, null);
    }
}
