// Fused inference scoring: s_j = h[r] . w[j] + bias[j] over all items j, reduced on the fly to a top-K list or to the
// rank of a target, so the [n, V] score matrix never exists. Checked against ScalarBackend.scoreTopK / scoreRank by
// CudaKernelEmulationTest (CPU build) and CudaBackendGpuTest (GPU).
// Napkin math: 2*n*V*H FLOPs; w is re-read once per row (from L2 when it fits).
#include "common.cuh"

#define SCORE_THREADS 128
#define HCHUNK 32
#define RANK_EXCLUDE 0
#define RANK_CANDIDATES 1
// Index of the padding entries of a top-K list: loses every tie, written out as -1.
#define PAD_INDEX 0x7fffffff

// Total order of (score, index) pairs used by the top-K: higher score first, equal scores by lower index.
__device__ __forceinline__ bool better(float sa, int ia, float sb, int ib) {
    return sa > sb || (sa == sb && ia < ib);
}

// Scores items j0 + t (t = threadIdx.x < 128) against row hr [H]. The [128 items x 32] chunk of w is staged in
// shared memory with coalesced loads (each warp reads 32 consecutive floats of one item row), padded to 33 columns
// so thread t's reads of row t hit distinct banks. The dot product runs q = 0 .. H-1 in order with fmaf, exactly as
// dot_global does, so a score computed either way is the same float. Returns -inf past V.
__device__ __forceinline__ float score_tile(const float* __restrict__ hr, const float* __restrict__ w,
                                            const float* __restrict__ bias, int H, int V, int j0,
                                            float (*Ws)[HCHUNK + 1], float* hs) {
    int t = threadIdx.x;
    float acc = 0.0f;
    for (int hc = 0; hc < H; hc += HCHUNK) {
        __syncthreads();
        for (int e = t; e < SCORE_THREADS * HCHUNK; e += SCORE_THREADS) {
            int item = e >> 5, q = e & 31;
            int j = j0 + item, hq = hc + q;
            Ws[item][q] = (j < V && hq < H) ? w[(size_t) j * H + hq] : 0.0f;
        }
        if (t < HCHUNK) hs[t] = hc + t < H ? hr[hc + t] : 0.0f;
        __syncthreads();
        int qn = min(HCHUNK, H - hc);
        if (qn == HCHUNK) {
#pragma unroll
            for (int q = 0; q < HCHUNK; q++) acc = fmaf(hs[q], Ws[t][q], acc);
        } else {
            for (int q = 0; q < qn; q++) acc = fmaf(hs[q], Ws[t][q], acc);
        }
    }
    int j = j0 + t;
    return j < V ? acc + bias[j] : -INFINITY;
}

// One item's score straight from global memory, in score_tile's order of operations.
__device__ __forceinline__ float dot_global(const float* __restrict__ hr, const float* __restrict__ w,
                                            const float* __restrict__ bias, int H, int j) {
    const float* wj = w + (size_t) j * H;
    float acc = 0.0f;
    for (int q = 0; q < H; q++) acc = fmaf(hr[q], wj[q], acc);
    return acc + bias[j];
}

__device__ __forceinline__ bool is_listed(const int* __restrict__ list, int from, int to, int j) {
    for (int e = from; e < to; e++)
        if (list[e] == j) return true;
    return false;
}

// Merges c candidates (unsorted, distinct items not in the list) into the sorted list oS/oI [K], writing the best K
// of the union to nS/nI. Each element's new position is its merge rank: for a candidate, the list entries better
// than it (binary search: the list is sorted by `better`) plus the candidates better than it; for list entry a,
// a plus the candidates better than it. The ranks are a permutation, so every slot of the new list is written once.
__device__ void merge_candidates(const float* oS, const int* oI, float* nS, int* nI,
                                 const float* cS, const int* cI, int c, int K) {
    for (int x = threadIdx.x; x < c; x += blockDim.x) {
        float s = cS[x];
        int i = cI[x];
        int lo = 0, hi = K;
        while (lo < hi) {
            int mid = (lo + hi) >> 1;
            if (better(oS[mid], oI[mid], s, i)) lo = mid + 1;
            else hi = mid;
        }
        int rank = lo;
        for (int y = 0; y < c; y++) rank += better(cS[y], cI[y], s, i);
        if (rank < K) {
            nS[rank] = s;
            nI[rank] = i;
        }
    }
    for (int a = threadIdx.x; a < K; a += blockDim.x) {
        float s = oS[a];
        int i = oI[a];
        int rank = a;
        for (int y = 0; y < c; y++) rank += better(cS[y], cI[y], s, i);
        if (rank < K) {
            nS[rank] = s;
            nI[rank] = i;
        }
    }
}

// outIndex [n, K], outScore [n, K]; h [n, H], w [V, H], bias [V]; exclude CSR: excludeOffsets [n + 1], exclude [...].
// One block of 128 threads per row r. The block walks the items 128 at a time (score_tile, thread t scores item
// j0 + t). A block-wide sorted top-K list (two ping-pong buffers, 2 * K floats + 2 * K ints of dynamic shared
// memory) holds the best so far; a score that beats the current K-th entry, and only then, is checked against the
// row's exclude list and appended to a shared candidate buffer; the candidates are merged in after each tile.
// Once the list is warm almost no score passes, so the cost is the scoring. Output: best first, ties by lower
// index, padding (fewer than K candidates) as index -1 and score -inf. Requires 1 <= K <= 1024 (host-checked).
extern "C" __global__ void __launch_bounds__(SCORE_THREADS)
score_top_k(int* __restrict__ outIndex, float* __restrict__ outScore, const float* __restrict__ h,
            const float* __restrict__ w, const float* __restrict__ bias, const int* __restrict__ excludeOffsets,
            const int* __restrict__ exclude, int H, int V, int K) {
    __shared__ float Ws[SCORE_THREADS][HCHUNK + 1];
    __shared__ float hs[HCHUNK];
    __shared__ float candS[SCORE_THREADS];
    __shared__ int candI[SCORE_THREADS];
    __shared__ int candCount;
    DYNAMIC_SHARED(float, lists);
    float* listS = lists;                                  // [2][K]
    int* listI = reinterpret_cast<int*>(lists + 2 * K);   // [2][K]

    int t = threadIdx.x, r = blockIdx.x;
    const float* hr = h + (size_t) r * H;
    int from = excludeOffsets[r], to = excludeOffsets[r + 1];
    for (int a = t; a < K; a += blockDim.x) {
        listS[a] = -INFINITY;
        listI[a] = PAD_INDEX;
    }
    if (t == 0) candCount = 0;
    int cur = 0;
    for (int j0 = 0; j0 < V; j0 += SCORE_THREADS) {
        __syncthreads();  // the list and the reset candCount of the previous tile are visible
        float s = score_tile(hr, w, bias, H, V, j0, Ws, hs);
        int j = j0 + t;
        const float* curS = listS + cur * K;
        const int* curI = listI + cur * K;
        if (j < V && better(s, j, curS[K - 1], curI[K - 1]) && !is_listed(exclude, from, to, j)) {
            int pos = atomicAdd(&candCount, 1);
            candS[pos] = s;
            candI[pos] = j;
        }
        __syncthreads();
        int c = candCount;
        if (c > 0) {
            merge_candidates(curS, curI, listS + (1 - cur) * K, listI + (1 - cur) * K, candS, candI, c, K);
            cur = 1 - cur;
        }
        __syncthreads();  // every thread has read candCount and finished the merge
        if (t == 0) candCount = 0;
    }
    __syncthreads();
    for (int a = t; a < K; a += blockDim.x) {
        int i = listI[cur * K + a];
        outIndex[(size_t) r * K + a] = i == PAD_INDEX ? -1 : i;
        outScore[(size_t) r * K + a] = listS[cur * K + a];
    }
}

// outRank [n]; h [n, H], w [V, H], bias [V], targets [n]; list CSR listOffsets [n + 1], list [...]; mode 0 = EXCLUDE
// (rank among all items but the listed), 1 = CANDIDATES (rank among the listed only). rank = #{j != t considered :
// !(s_j < s_t)}. One block of 128 threads per row. The target's score is computed once (thread 0, dot_global, same
// order of operations as score_tile). EXCLUDE: the block counts over all items with score_tile, then subtracts the
// listed items that were counted (distinct, in range, not the target): the list is only touched L times, not V.
// CANDIDATES: only the listed items are scored. Duplicated list entries count once (first occurrence), as in the
// scalar backend. A target outside [0, V) sets the error flag and writes rank -1.
extern "C" __global__ void __launch_bounds__(SCORE_THREADS)
score_rank(int* __restrict__ outRank, const float* __restrict__ h, const float* __restrict__ w,
           const float* __restrict__ bias, const int* __restrict__ targets, const int* __restrict__ listOffsets,
           const int* __restrict__ list, int H, int V, int mode, int* err) {
    __shared__ float Ws[SCORE_THREADS][HCHUNK + 1];
    __shared__ float hs[HCHUNK];
    __shared__ float targetScore;
    __shared__ int scratch[32];
    int t = threadIdx.x, r = blockIdx.x;
    int tgt = targets[r];
    if (tgt < 0 || tgt >= V) {
        if (t == 0) {
            report_error(err, ERR_RANK_TARGET);
            outRank[r] = -1;
        }
        return;
    }
    const float* hr = h + (size_t) r * H;
    if (t == 0) targetScore = dot_global(hr, w, bias, H, tgt);
    __syncthreads();
    float st = targetScore;

    int counted = 0;
    if (mode == RANK_EXCLUDE) {
        for (int j0 = 0; j0 < V; j0 += SCORE_THREADS) {
            float s = score_tile(hr, w, bias, H, V, j0, Ws, hs);
            int j = j0 + t;
            if (j < V && j != tgt && !(s < st)) counted++;
        }
    }
    int from = listOffsets[r], to = listOffsets[r + 1];
    int listedAtLeast = 0;
    for (int e = from + t; e < to; e += blockDim.x) {
        int j = list[e];
        if (j < 0 || j >= V || j == tgt || is_listed(list, from, e, j)) continue;
        if (!(dot_global(hr, w, bias, H, j) < st)) listedAtLeast++;
    }
    int mine = mode == RANK_EXCLUDE ? counted - listedAtLeast : listedAtLeast;
    int total = block_sum_int(mine, scratch);
    if (t == 0) outRank[r] = total;
}
