// SGEMM C = alpha * op(A) * op(B) + beta * C for the four transpose cases, plus the bias add and its backward.
// Checked against ScalarBackend.gemm / addBias / biasBackward by CudaKernelEmulationTest (CPU build) and
// CudaBackendGpuTest (GPU), with odd sizes that hit every M, N, K tail.
// Napkin math: 2*M*N*K FLOPs; a 128x128x8 tile step loads 2*128*8 floats from global memory for 2*128*128*8 FLOPs,
// i.e. 32 FLOPs per float loaded, and each thread does 64 FMAs per 4 shared float4 loads
// (the 64x64 variant: 16 FLOPs per float loaded, 16 FMAs per 2 float4 loads, four times as many blocks).
#include "common.cuh"
#include <stdint.h>

#define BK 8
#define GEMM_THREADS 256

__device__ __forceinline__ bool aligned16(const float* p) {
    return (((uintptr_t) p) & 15) == 0;
}

// Loads an R x 8 slab whose 8 k-values are contiguous in memory: X[(r0 + r) * ld + k0 + k], r < R, k < 8
// (A without transpose, or B transposed). The slab is R*2 quads of four consecutive k's; thread t takes quads
// t, t + 256, ... (quad q = row q/2, k's (q%2)*4 .. +3), as one float4 when the quad is in bounds and 16-byte
// aligned. Stored transposed, S[k][r], so the compute loop reads rows of the tile as contiguous float4s.
// Out-of-range elements become 0, which makes the K tail exact.
template <int R>
__device__ __forceinline__ void load_k_contiguous(float (*S)[R], const float* __restrict__ X, int ld,
                                                  int rows, int K, int r0, int k0) {
    for (int q = threadIdx.x; q < R * BK / 4; q += GEMM_THREADS) {
        int r = q >> 1, kk = (q & 1) * 4;
        int gr = r0 + r, gk = k0 + kk;
        float v0 = 0.0f, v1 = 0.0f, v2 = 0.0f, v3 = 0.0f;
        if (gr < rows) {
            const float* src = X + (size_t) gr * ld + gk;
            if (gk + 3 < K && aligned16(src)) {
                float4 v = *reinterpret_cast<const float4*>(src);
                v0 = v.x; v1 = v.y; v2 = v.z; v3 = v.w;
            } else {
                if (gk < K) v0 = src[0];
                if (gk + 1 < K) v1 = src[1];
                if (gk + 2 < K) v2 = src[2];
                if (gk + 3 < K) v3 = src[3];
            }
        }
        S[kk][r] = v0;
        S[kk + 1][r] = v1;
        S[kk + 2][r] = v2;
        S[kk + 3][r] = v3;
    }
}

// Loads an 8 x R slab whose R m- (or n-) values are contiguous: X[(k0 + k) * ld + c0 + c] (A transposed, or
// B without transpose). Quad q = k-row q/(R/4), columns (q%(R/4))*4 .. +3; stored as S[k][c].
template <int R>
__device__ __forceinline__ void load_mn_contiguous(float (*S)[R], const float* __restrict__ X, int ld,
                                                   int cols, int K, int c0, int k0) {
    for (int q = threadIdx.x; q < R * BK / 4; q += GEMM_THREADS) {
        int kr = q / (R / 4), c = (q % (R / 4)) * 4;
        int gk = k0 + kr, gc = c0 + c;
        float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (gk < K) {
            const float* src = X + (size_t) gk * ld + gc;
            if (gc + 3 < cols && aligned16(src)) {
                v = *reinterpret_cast<const float4*>(src);
            } else {
                if (gc < cols) v.x = src[0];
                if (gc + 1 < cols) v.y = src[1];
                if (gc + 2 < cols) v.z = src[2];
                if (gc + 3 < cols) v.w = src[3];
            }
        }
        *reinterpret_cast<float4*>(&S[kr][c]) = v;
    }
}

// One BM x BN tile of C per block of 256 threads; thread (ty, tx) = (t / (BN/TN), t % (BN/TN)) owns the TM x TN
// register block of rows m0 + ty*TM .. +TM-1 and columns n0 + tx*TN .. +TN-1. K advances 8 at a time through shared
// memory. lda/ldb/ldc are the row lengths of A, B, C as stored (A is [M, K] or, transposed, [K, M]).
template <bool TA, bool TB, int BM, int BN, int TM, int TN>
__device__ __forceinline__ void gemm_tile(float* C, const float* __restrict__ A, const float* __restrict__ B,
                                          int M, int N, int K, int lda, int ldb, int ldc, float alpha, float beta) {
    static_assert((BM / TM) * (BN / TN) == GEMM_THREADS, "one register block per thread");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are read as float4s");
    __shared__ __align__(16) float As[BK][BM];
    __shared__ __align__(16) float Bs[BK][BN];
    int t = threadIdx.x, ty = t / (BN / TN), tx = t % (BN / TN);
    int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += BK) {
        if (TA) load_mn_contiguous<BM>(As, A, lda, M, K, m0, k0);
        else load_k_contiguous<BM>(As, A, lda, M, K, m0, k0);
        if (TB) load_k_contiguous<BN>(Bs, B, ldb, N, K, n0, k0);
        else load_mn_contiguous<BN>(Bs, B, ldb, N, K, n0, k0);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[TM], b[TN];
#pragma unroll
            for (int i = 0; i < TM; i += 4) {
                float4 v = *reinterpret_cast<const float4*>(&As[kk][ty * TM + i]);
                a[i] = v.x; a[i + 1] = v.y; a[i + 2] = v.z; a[i + 3] = v.w;
            }
#pragma unroll
            for (int j = 0; j < TN; j += 4) {
                float4 v = *reinterpret_cast<const float4*>(&Bs[kk][tx * TN + j]);
                b[j] = v.x; b[j + 1] = v.y; b[j + 2] = v.z; b[j + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < TM; i++) {
        int m = m0 + ty * TM + i;
        if (m >= M) break;
        float* row = C + (size_t) m * ldc;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int n = n0 + tx * TN + j;
            if (n < N) row[n] = beta == 0.0f ? alpha * acc[i][j] : fmaf(alpha, acc[i][j], beta * row[n]);
        }
    }
}

// gemm_XY: X = n|t for op(A), Y = n|t for op(B). C [M, N] (ldc = N), op(A) [M, K], op(B) [K, N].
// Grid (ceil(N/128), ceil(M/128)), block 256 threads, 8 x 8 outputs per thread (see gemm_tile).
// With beta == 0 C is only written, never read (it may hold NaN on entry).
// gemm_XY_small: the same with 64 x 64 tiles and 4 x 4 per thread, grid (ceil(N/64), ceil(M/64)); the host picks it
// when 128-tiles would leave multiprocessors idle (the per-time-step recurrent products are that small).
#define GEMM_ENTRY(name, TA, TB, BM_, BN_, TM_, TN_)                                                              \
    extern "C" __global__ void __launch_bounds__(GEMM_THREADS)                                                  \
    name(float* C, const float* __restrict__ A, const float* __restrict__ B, int M, int N, int K, int lda,     \
         int ldb, int ldc, float alpha, float beta) {                                                           \
        gemm_tile<TA, TB, BM_, BN_, TM_, TN_>(C, A, B, M, N, K, lda, ldb, ldc, alpha, beta);                    \
    }

GEMM_ENTRY(gemm_nn, false, false, 128, 128, 8, 8)
GEMM_ENTRY(gemm_nt, false, true, 128, 128, 8, 8)
GEMM_ENTRY(gemm_tn, true, false, 128, 128, 8, 8)
GEMM_ENTRY(gemm_tt, true, true, 128, 128, 8, 8)
GEMM_ENTRY(gemm_nn_small, false, false, 64, 64, 4, 4)
GEMM_ENTRY(gemm_nt_small, false, true, 64, 64, 4, 4)
GEMM_ENTRY(gemm_tn_small, true, false, 64, 64, 4, 4)
GEMM_ENTRY(gemm_tt_small, true, true, 64, 64, 4, 4)

// out [R, C] += bias [C]. One thread per element i = r * C + c; grid ceil(R * C / 256) blocks of 256.
extern "C" __global__ void add_bias(float* out, const float* __restrict__ bias, int R, int C) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) R * (unsigned) C) return;
    out[i] += bias[i % (unsigned) C];
}

// dBias [C] += sum over r of dOut [R, C]. Block (32, 8): column c = blockIdx.x * 32 + threadIdx.x, the 8 rows of
// threads stride over r (each warp reads 32 consecutive floats of a row, coalesced), then row 0 of the block adds
// the 8 partial sums in a fixed order, so the result is deterministic. Grid ceil(C / 32).
extern "C" __global__ void bias_backward(float* dBias, const float* __restrict__ dOut, int R, int C) {
    __shared__ float part[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    if (c < C)
        for (int r = threadIdx.y; r < R; r += 8) s += dOut[(size_t) r * C + c];
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < C) {
        float total = 0.0f;
#pragma unroll
        for (int y = 0; y < 8; y++) total += part[y][threadIdx.x];
        dBias[c] += total;
    }
}
