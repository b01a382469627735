// Optimizer and utility element-wise kernels: Adam(W) step, sum of squares (for global-norm clipping), fill,
// and inverted dropout with engine's DropoutMask hash. Checked against ScalarBackend by CudaKernelEmulationTest
// (CPU build) and CudaBackendGpuTest (GPU); the dropout hash must match engine's DropoutMask bit for bit.
// Napkin math: Adam moves 4 reads + 3 writes of n floats; sumSquares 1 read; all bandwidth bound.
#include "common.cuh"

// param, m, v in/out [n]; grad [n]. bc1 = 1 - beta1^t, bc2 = 1 - beta2^t (computed on the host in double then
// rounded, exactly as AdamStep does). One thread per element; grid ceil(n / 256) blocks of 256.
extern "C" __global__ void adam_update(float* __restrict__ param, const float* __restrict__ grad,
                                       float* __restrict__ m, float* __restrict__ v, int n,
                                       float lr, float beta1, float beta2, float eps, float weightDecay,
                                       float bc1, float bc2, float gradScale) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) n) return;
    float g = grad[i] * gradScale;
    float mv = beta1 * m[i] + (1.0f - beta1) * g;
    float vv = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mv;
    v[i] = vv;
    float p = param[i];
    param[i] = p - lr * (weightDecay * p + (mv / bc1) / (sqrtf(vv / bc2) + eps));
}

// out [1] += sum of x[i]^2 over x [n]. Each thread accumulates a grid-stride slice, the block reduces it and
// thread 0 adds the block's total with one atomicAdd (so the last bits depend on block order).
// Grid min(ceil(n / 256), 1024) blocks of 256 threads.
extern "C" __global__ void sum_squares(float* out, const float* __restrict__ x, int n) {
    __shared__ float scratch[32];
    float s = 0.0f;
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned) n; i += gridDim.x * blockDim.x) {
        float e = x[i];
        s = fmaf(e, e, s);
    }
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) atomicAdd(out, s);
}

// dst [n] = value. One thread per element; grid ceil(n / 256) blocks of 256.
extern "C" __global__ void fill(float* dst, int n, float value) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (unsigned) n) dst[i] = value;
}

// DropoutMask.uniform24 in unsigned 64-bit arithmetic: Java's long multiply and add wrap modulo 2^64 exactly as
// unsigned arithmetic does, and >>> is the logical shift of the unsigned value.
__device__ __forceinline__ int dropout_uniform24(unsigned long long seed, unsigned long long index) {
    unsigned long long z = seed + (index + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (int) (z >> 40);
}

// x [n] in place: x[i] = uniform24(seed, i) >= threshold ? x[i] * scale : 0, i the element index inside the tensor
// (not the storage). threshold = DropoutMask.threshold(p) and scale = 1f / (1f - p) come from the host, so the
// float math is the scalar backend's. One thread per element; grid ceil(n / 256) blocks of 256.
extern "C" __global__ void dropout(float* x, int n, int threshold, float scale, unsigned long long seed) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) n) return;
    x[i] = dropout_uniform24(seed, i) >= threshold ? x[i] * scale : 0.0f;
}
