package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.Tensor;
import dev.lstmrec.engine.tensor.Shape;

/**
 * A grow-only float workspace on a backend: {@link #view} hands out views of one allocation and reallocates (freeing
 * the old one) only when a request is larger than any before, by at least half again, so a loop over batches of
 * varying size allocates a handful of times and then never. Contents are not kept across a growth. {@link #close()}
 * frees it. Checked with CountingBackend (WorkspaceReuseTest).
 */
public final class GrowingFloats implements AutoCloseable {
    private final Backend backend;
    private final int minimum;
    private Tensor buffer;

    /** @param minimum the first allocation's size at least (avoids a few tiny reallocations) */
    public GrowingFloats(Backend backend, int minimum) {
        this.backend = backend;
        this.minimum = Math.max(1, minimum);
    }

    /** A view of {@code shape} over the first elements of the buffer, growing it if needed. */
    public Tensor view(int... shape) {
        int n = Shape.size(shape);
        if (buffer == null || buffer.size() < n) {
            int capacity = Math.max(Math.max(n, minimum), buffer == null ? 0 : buffer.size() + buffer.size() / 2);
            backend.free(buffer);
            buffer = null;
            buffer = backend.allocate(capacity);
        }
        return buffer.view(0, shape);
    }

    /** Elements allocated now (0 before the first view). */
    public int capacity() {
        return buffer == null ? 0 : buffer.size();
    }

    /** Frees the buffer; a later {@link #view} allocates again. */
    @Override
    public void close() {
        backend.free(buffer);
        buffer = null;
    }
}
