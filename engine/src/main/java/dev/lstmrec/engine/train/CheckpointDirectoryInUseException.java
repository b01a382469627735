package dev.lstmrec.engine.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A new training run was pointed at a checkpoint directory that is not empty. Refused rather than mixed: another
 * run's state files there would be pruned, or would outrank this run's, and a later resume would pick the wrong one.
 */
public final class CheckpointDirectoryInUseException extends IOException {
    private final Path directory;

    public CheckpointDirectoryInUseException(Path directory, List<String> entries) {
        super(directory + " is not empty (it holds " + shortList(entries) + "); a new run needs an empty or new checkpoint"
                + " directory: resume the run saved there, or choose another directory");
        this.directory = directory;
    }

    /** The directory that is in use. */
    public Path directory() {
        return directory;
    }

    private static String shortList(List<String> entries) {
        return entries.size() <= 3 ? String.join(", ", entries) : String.join(", ", entries.subList(0, 3)) + " and " + (entries.size() - 3) + " more";
    }
}
