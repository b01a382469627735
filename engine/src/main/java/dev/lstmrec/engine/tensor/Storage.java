package dev.lstmrec.engine.tensor;

/**
 * The memory behind a tensor. Each backend owns its own kind: the CPU backends keep Java arrays
 * ({@link HeapFloats}, {@link HeapInts}); a GPU backend keeps a device pointer. Kernels cast the storage
 * of the tensors they are given to their own kind; a tensor handed to a backend that did not allocate it
 * is an error ({@link Tensor#checkOwner}).
 */
public interface Storage {
    /** Capacity in elements. */
    long length();

    /** Identity of the backend instance that allocated this storage. */
    Object owner();
}
