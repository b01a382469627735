package dev.lstmrec.engine.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}: the body of an {@link AtomicFiles#write} call.
 *
 * @param <T> what the body receives
 */
@FunctionalInterface
public interface IOConsumer<T> {
    /** Consumes {@code value}; any exception aborts the surrounding operation. */
    void accept(T value) throws IOException;
}
