package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/**
 * Float storage in CUDA device memory, allocated and freed by the {@link CudaBackend} that owns it. A zero-length
 * storage holds the null device pointer (cuMemAlloc rejects size 0).
 */
record DeviceFloats(CUdeviceptr pointer, long length, Object owner) implements Storage {}
