package dev.lstmrec.engine.tensor;

/**
 * The memory behind a tensor. Each backend owns its own kind: the CPU backends keep Java arrays
 * ({@link HeapFloats}, {@link HeapInts}); a GPU backend keeps a device pointer. Kernels cast the storage
 * of the tensors they are given to their own kind. A storage lives from the backend's {@code allocate} until its
 * {@code free} (or the backend's {@code close}); {@link #freed()} says when it is gone, so the checked front can
 * reject a use after free before any kernel touches the memory.
 */
public interface Storage {
    /** Capacity in elements. */
    long length();

    /** Identity of the backend instance that allocated this storage (see {@code Backend.storageOwner()}). */
    Object owner();

    /** True once the owning backend has released this storage; every later use is an error. */
    boolean freed();
}
