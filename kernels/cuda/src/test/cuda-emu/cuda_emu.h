// A CPU emulation of the small part of CUDA our kernels use, so the tests can run the real kernel sources on a
// machine without a GPU (CudaKernelEmulationTest). Each block runs on its own: one std::thread per CUDA thread,
// __syncthreads is a std::barrier (a thread that returns drops out of it, as on the GPU), __shared__ variables are
// function statics (one block at a time), warp shuffles go through a block-wide exchange, atomics take one mutex.
// It checks indexing, bounds, synchronisation structure and arithmetic; it cannot show races the GPU's memory model
// would expose beyond barrier placement, nor performance.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

struct emu_uint3 {
    unsigned x, y, z;
};
struct emu_dim3 {
    unsigned x, y, z;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) {
    return float4{x, y, z, w};
}

inline thread_local emu_uint3 threadIdx;
inline thread_local emu_uint3 blockIdx;
inline emu_dim3 blockDim, gridDim;
inline std::barrier<>* emu_barrier = nullptr;
inline std::mutex emu_atomic_lock;
inline std::vector<float> emu_dynamic_shared;
inline std::vector<unsigned long long> emu_exchange;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __restrict__ __restrict
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static
#define DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(emu_dynamic_shared.data())

using std::min;
using std::max;

inline unsigned emu_tid() {
    return threadIdx.x + threadIdx.y * blockDim.x;
}

inline void __syncthreads() {
    emu_barrier->arrive_and_wait();
}

// Every thread of the block calls the shuffles together in our kernels (inside block reductions), so a block-wide
// exchange with two barriers gives the warp semantics: lane l reads the value of lane l ^ o of its own warp.
template <class T>
T emu_shfl_xor(T v, int o) {
    unsigned t = emu_tid();
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    emu_exchange[t] = bits;
    __syncthreads();
    unsigned src = (t & ~31u) | ((t & 31u) ^ (unsigned) o);
    unsigned long long got = emu_exchange[src];
    __syncthreads();
    T r;
    std::memcpy(&r, &got, sizeof(T));
    return r;
}
inline float __shfl_xor_sync(unsigned, float v, int o) {
    return emu_shfl_xor(v, o);
}
inline int __shfl_xor_sync(unsigned, int v, int o) {
    return emu_shfl_xor(v, o);
}

inline float atomicAdd(float* p, float v) {
    std::lock_guard<std::mutex> g(emu_atomic_lock);
    float old = *p;
    *p = old + v;
    return old;
}
inline int atomicAdd(int* p, int v) {
    std::lock_guard<std::mutex> g(emu_atomic_lock);
    int old = *p;
    *p = old + v;
    return old;
}
inline int atomicCAS(int* p, int compare, int v) {
    std::lock_guard<std::mutex> g(emu_atomic_lock);
    int old = *p;
    if (old == compare) *p = v;
    return old;
}

// Runs body() for every thread of every block, blocks one after another.
template <class F>
void emu_launch(emu_dim3 grid, emu_dim3 block, size_t sharedBytes, F body) {
    gridDim = grid;
    blockDim = block;
    unsigned threads = block.x * block.y * block.z;
    emu_dynamic_shared.assign(sharedBytes / sizeof(float) + 4, std::nanf(""));
    emu_exchange.assign(threads, 0);
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            std::barrier<> bar(threads);
            emu_barrier = &bar;
            std::vector<std::thread> pool;
            pool.reserve(threads);
            for (unsigned ty = 0; ty < block.y; ty++) {
                for (unsigned tx = 0; tx < block.x; tx++) {
                    pool.emplace_back([&, tx, ty, bx, by] {
                        threadIdx = {tx, ty, 0};
                        blockIdx = {bx, by, 0};
                        body();
                        bar.arrive_and_drop();
                    });
                }
            }
            for (auto& t : pool) t.join();
        }
    }
}
