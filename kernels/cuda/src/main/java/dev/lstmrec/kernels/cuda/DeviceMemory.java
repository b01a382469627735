package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/**
 * Storage of 4-byte elements (float or int32) in CUDA device memory, allocated and freed by the {@link CudaBackend}
 * that owns it. A zero-length storage holds the null device pointer (cuMemAlloc rejects size 0). After
 * {@link #release()} the pointer is gone and {@link #pointer()} throws, so a freed tensor never reaches a kernel.
 */
final class DeviceMemory implements Storage {
    private final long length;
    private final Object owner;
    private CUdeviceptr pointer;

    DeviceMemory(CUdeviceptr pointer, long length, Object owner) {
        this.pointer = pointer;
        this.length = length;
        this.owner = owner;
    }

    CUdeviceptr pointer() {
        CUdeviceptr p = pointer;
        if (p == null) throw new IllegalStateException("device storage of " + length + " elements used after free");
        return p;
    }

    /** Forgets the pointer and returns it (for cuMemFree); a second release is an error. */
    CUdeviceptr release() {
        CUdeviceptr p = pointer();
        pointer = null;
        return p;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Object owner() {
        return owner;
    }

    @Override
    public boolean freed() {
        return pointer == null;
    }
}
