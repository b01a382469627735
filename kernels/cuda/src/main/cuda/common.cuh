// Helpers shared by every kernel family: block reductions, the device error flag, launch constants.
// Included by each .cu. The error codes below are the only ones; CudaLaunches' ERR_ constants mirror them
// (CudaErrorCodesTest reads this file and checks).
#pragma once

// Codes a kernel stores into the backend's one-int error flag when it meets an index the scalar backend
// would reject with an exception; CudaBackend reads the flag at the next synchronising call and throws.
#define ERR_EMBEDDING_ID 1
#define ERR_SOFTMAX_TARGET 2
#define ERR_RANK_TARGET 3
// A row-wise optimiser step (adamUpdateRows, adagradUpdateRows) given a row outside the table.
#define ERR_ROW_INDEX 4
// A fillColumns row whose offsets or a column lies outside its bounds (the row is skipped from that point).
#define ERR_FILL_COLUMN 5

// Dynamic shared memory (size given at launch). A macro so that the CPU emulation used by the tests
// (kernels/src/test/cuda-emu) can supply its own storage; on the GPU it is the usual extern __shared__ array.
#ifndef DYNAMIC_SHARED
#define DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif

__device__ __forceinline__ void report_error(int* err, int code) {
    atomicCAS(err, 0, code);
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ int warp_sum_int(int v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide sum / max for blockDim.x a multiple of 32 (<= 1024); every thread gets the result.
// `scratch` holds 32 floats of shared memory; the leading __syncthreads lets callers reuse it back to back.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(v);
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(v);
}

__device__ __forceinline__ int block_sum_int(int v, int* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum_int(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0;
    return warp_sum_int(v);
}
