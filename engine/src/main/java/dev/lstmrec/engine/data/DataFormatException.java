package dev.lstmrec.engine.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be read as the requested format, or that leaves no interactions after filtering.
 * It is an {@link IOException} so that callers handle it with the other input failures. The message is
 * {@code "<file>:<line>: <problem>"} (compiler style, the path as given) for a bad line, and {@code "<file>: <problem>"}
 * for a problem with the file as a whole, where {@link #line()} is 0.
 */
public class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;
    private final String problem;

    /** A problem at a 1-based line of a file. */
    public DataFormatException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** A problem with the whole file (line 0), such as a filter that left nothing. */
    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.line = 0;
        this.problem = problem;
    }

    /** The file, as the caller named it. */
    public Path file() {
        return file;
    }

    /** The 1-based line of the problem, or 0 when it concerns the whole file. */
    public long line() {
        return line;
    }

    /** The problem alone, without the file and line prefix. */
    public String problem() {
        return problem;
    }
}
