package dev.lstmrec.engine.train;

import java.nio.file.Path;

/** Training stopped on request after a batch; {@link #checkpoint()} is where its state was saved (or null). */
public class TrainingInterruptedException extends RuntimeException {
    private final transient Path checkpoint;

    public TrainingInterruptedException(String message, Path checkpoint) {
        super(message);
        this.checkpoint = checkpoint;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
