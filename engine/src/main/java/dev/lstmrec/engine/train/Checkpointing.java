package dev.lstmrec.engine.train;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * When and where {@link Trainer#fit} saves its {@link TrainingState}, and how it is asked to stop.
 *
 * @param directory    where state files go (the newest two are kept); null = never write
 * @param everyBatches also save every this many batches within an epoch; 0 = only after each epoch
 * @param fingerprint  identifies the data and settings; a resumed run must have the same one
 * @param stop         polled after every batch: when true, the trainer saves and throws {@link TrainingInterruptedException}
 * @param stopDirectory where to save on a stop when {@code directory} is null; null = do not save
 */
public record Checkpointing(Path directory, int everyBatches, String fingerprint, BooleanSupplier stop, Path stopDirectory) {
    public Checkpointing {
        if (everyBatches < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + everyBatches);
        if (stop == null) stop = () -> false;
    }

    public static Checkpointing none() {
        return new Checkpointing(null, 0, "", () -> false, null);
    }
}
