package dev.lstmrec.engine.io;

import java.io.IOException;

/**
 * A checkpoint file that cannot be used: not a checkpoint, from a newer lstmrec, truncated, corrupted, or
 * missing something the caller requires. The message names the file and the problem.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String problem;

    /** @param file the file (or other source) at fault; @param problem what is wrong with it */
    public CheckpointFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /** The file (or other source) at fault. */
    public String file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
