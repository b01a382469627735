// SGEMM C = alpha * op(A) * op(B) + beta * C for the four transpose cases, plus the bias add and its backward.
// Checked against ScalarBackend.gemm / addBias / biasBackward by the conformance suite on a GPU (odd sizes hit
// every M, N, K tail). Napkin math: 2*M*N*K FLOPs; a 128x128x8 tile step loads 2*128*8 floats from global memory
// for 2*128*128*8 FLOPs, i.e. 32 FLOPs per float loaded, and each thread does 64 FMAs per 4 shared float4 loads.
#include "common.cuh"
#include <stdint.h>

#define BM 128
#define BN 128
#define BK 8
#define TM 8
#define TN 8
#define GEMM_THREADS 256

__device__ __forceinline__ bool aligned16(const float* p) {
    return (((uintptr_t) p) & 15) == 0;
}

// Loads a 128 x 8 slab whose 8 k-values are contiguous in memory: X[(r0 + r) * ld + k0 + k], r < 128, k < 8
// (A without transpose, or B transposed). Thread t takes row t/2 and the four k's (t%2)*4 .. +3, as one float4
// when the whole quad is in bounds and 16-byte aligned. Stored transposed, S[k][r], so the compute loop reads
// rows of the tile as contiguous float4s. Out-of-range elements become 0, which makes the K tail exact.
__device__ __forceinline__ void load_k_contiguous(float (*S)[BM], const float* __restrict__ X, int ld,
                                                  int rows, int K, int r0, int k0) {
    int t = threadIdx.x;
    int r = t >> 1, kk = (t & 1) * 4;
    int gr = r0 + r, gk = k0 + kk;
    float v0 = 0.0f, v1 = 0.0f, v2 = 0.0f, v3 = 0.0f;
    if (gr < rows) {
        const float* src = X + (size_t) gr * ld + gk;
        if (gk + 3 < K && aligned16(src)) {
            float4 q = *reinterpret_cast<const float4*>(src);
            v0 = q.x; v1 = q.y; v2 = q.z; v3 = q.w;
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

// Loads an 8 x 128 slab whose 128 m- (or n-) values are contiguous: X[(k0 + k) * ld + c0 + c] (A transposed, or
// B without transpose). Thread t takes k-row t/32 and the four columns (t%32)*4 .. +3; stored as S[k][c].
__device__ __forceinline__ void load_mn_contiguous(float (*S)[BM], const float* __restrict__ X, int ld,
                                                   int cols, int K, int c0, int k0) {
    int t = threadIdx.x;
    int kr = t >> 5, c = (t & 31) * 4;
    int gk = k0 + kr, gc = c0 + c;
    float4 q = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    if (gk < K) {
        const float* src = X + (size_t) gk * ld + gc;
        if (gc + 3 < cols && aligned16(src)) {
            q = *reinterpret_cast<const float4*>(src);
        } else {
            if (gc < cols) q.x = src[0];
            if (gc + 1 < cols) q.y = src[1];
            if (gc + 2 < cols) q.z = src[2];
            if (gc + 3 < cols) q.w = src[3];
        }
    }
    *reinterpret_cast<float4*>(&S[kr][c]) = q;
}

// One 128 x 128 tile of C per block of 256 threads; thread (ty, tx) = (t/16, t%16) owns the 8 x 8 register block
// of rows m0 + ty*8 .. +7 and columns n0 + tx*8 .. +7. K advances 8 at a time through shared memory.
// lda/ldb/ldc are the row lengths of A, B, C as stored (A is [M, K] or, transposed, [K, M]).
template <bool TA, bool TB>
__device__ __forceinline__ void gemm_tile(float* C, const float* __restrict__ A, const float* __restrict__ B,
                                          int M, int N, int K, int lda, int ldb, int ldc, float alpha, float beta) {
    __shared__ __align__(16) float As[BK][BM];
    __shared__ __align__(16) float Bs[BK][BN];
    int t = threadIdx.x, ty = t >> 4, tx = t & 15;
    int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += BK) {
        if (TA) load_mn_contiguous(As, A, lda, M, K, m0, k0);
        else load_k_contiguous(As, A, lda, M, K, m0, k0);
        if (TB) load_k_contiguous(Bs, B, ldb, N, K, n0, k0);
        else load_mn_contiguous(Bs, B, ldb, N, K, n0, k0);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float4 a0 = *reinterpret_cast<const float4*>(&As[kk][ty * TM]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[kk][ty * TM + 4]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[kk][tx * TN]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[kk][tx * TN + 4]);
            float a[TM] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float b[TN] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
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
// Grid (ceil(N/128), ceil(M/128)), block 256 threads; see gemm_tile for the per-thread mapping.
// With beta == 0 C is only written, never read (it may hold NaN on entry).
extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
gemm_nn(float* C, const float* __restrict__ A, const float* __restrict__ B, int M, int N, int K,
        int lda, int ldb, int ldc, float alpha, float beta) {
    gemm_tile<false, false>(C, A, B, M, N, K, lda, ldb, ldc, alpha, beta);
}

extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
gemm_nt(float* C, const float* __restrict__ A, const float* __restrict__ B, int M, int N, int K,
        int lda, int ldb, int ldc, float alpha, float beta) {
    gemm_tile<false, true>(C, A, B, M, N, K, lda, ldb, ldc, alpha, beta);
}

extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
gemm_tn(float* C, const float* __restrict__ A, const float* __restrict__ B, int M, int N, int K,
        int lda, int ldb, int ldc, float alpha, float beta) {
    gemm_tile<true, false>(C, A, B, M, N, K, lda, ldb, ldc, alpha, beta);
}

extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
gemm_tt(float* C, const float* __restrict__ A, const float* __restrict__ B, int M, int N, int K,
        int lda, int ldb, int ldc, float alpha, float beta) {
    gemm_tile<true, true>(C, A, B, M, N, K, lda, ldb, ldc, alpha, beta);
}

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
