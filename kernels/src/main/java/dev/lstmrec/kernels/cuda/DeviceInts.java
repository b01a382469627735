package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/** Int32 storage in CUDA device memory, owned by a {@link CudaBackend}; see {@link DeviceFloats}. */
record DeviceInts(CUdeviceptr pointer, long length, Object owner) implements Storage {}
