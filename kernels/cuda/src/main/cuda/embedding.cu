// Embedding gather (forward) and scatter-add (backward). Checked against ScalarBackend.embeddingForward/Backward
// by CudaKernelEmulationTest (this file built for the CPU) and CudaBackendGpuTest (GPU).
// Napkin math: pure bandwidth, 2 * P * E * 4 bytes moved; no reuse.
#include "common.cuh"

// out [P, E] = table [R, E] gathered by ids [P]; an id outside [0, R) sets the error flag and writes zeros.
// Thread mapping: one thread per element of out, i = p * E + e; consecutive threads walk one row, so both the
// table read and the out write are coalesced. Grid: ceil(P * E / 256) blocks of 256.
extern "C" __global__ void embedding_forward(float* __restrict__ out, const float* __restrict__ table,
                                             const int* __restrict__ ids, int P, int E, int R, int* err) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) P * (unsigned) E) return;
    unsigned p = i / (unsigned) E, e = i - p * (unsigned) E;
    int id = ids[p];
    if (id < 0 || id >= R) {
        if (e == 0) report_error(err, ERR_EMBEDDING_ID);
        out[i] = 0.0f;
        return;
    }
    out[i] = table[(size_t) id * E + e];
}

// dTable [R, E] += dOut [P, E] scattered by ids [P]; repeated ids accumulate through atomicAdd (so the order of
// the float additions, and with it the last bits, is not deterministic). Same thread mapping as the forward.
extern "C" __global__ void embedding_backward(float* dTable, const float* __restrict__ dOut,
                                              const int* __restrict__ ids, int P, int E, int R, int* err) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) P * (unsigned) E) return;
    unsigned p = i / (unsigned) E, e = i - p * (unsigned) E;
    int id = ids[p];
    if (id < 0 || id >= R) {
        if (e == 0) report_error(err, ERR_EMBEDDING_ID);
        return;
    }
    atomicAdd(&dTable[(size_t) id * E + e], dOut[i]);
}
