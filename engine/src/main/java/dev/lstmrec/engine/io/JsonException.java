package dev.lstmrec.engine.io;

/**
 * Malformed JSON input (with the position of the problem) or a value that cannot be written as JSON.
 * The only exception {@link Json} throws.
 */
public class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int position;

    /** @param position offset in the input where the problem was found, or -1 when writing */
    public JsonException(String message, int position) {
        super(position >= 0 ? message + " at position " + position : message);
        this.position = position;
    }

    /** Offset in the parsed text where the problem was found (0-based, in chars); -1 for write errors. */
    public int position() {
        return position;
    }
}
