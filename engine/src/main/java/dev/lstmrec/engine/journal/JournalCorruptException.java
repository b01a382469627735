package dev.lstmrec.engine.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A record of the journal that is damaged where a crash cannot have torn it (before the tail of the last segment, or
 * in an earlier segment): the journal is never silently skipped over, so opening or reading stops here.
 */
public final class JournalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path segment;
    private final long offset;

    public JournalCorruptException(Path segment, long offset, String problem) {
        super(segment + ": corrupt journal record at byte offset " + offset + ": " + problem);
        this.segment = segment;
        this.offset = offset;
    }

    /** The segment file holding the damaged record. */
    public Path segment() {
        return segment;
    }

    /** The byte offset in {@link #segment()} where the damaged record starts. */
    public long offset() {
        return offset;
    }
}
