// Sampled training: sampled softmax with logQ correction and masked accidental hits, GRU4Rec's BPR-max over
// the same candidates, and the row-wise (lazy) Adam step of the item tables. Checked against ScalarBackend by
// CudaKernelEmulationTest (CPU build) and CudaBackendGpuTest (GPU).
// Napkin math: a scoring group is n rows x C = n + K columns; each kernel reads a row 3-4 times (L2-resident for
// C of a few thousand) and writes it once; the dBias atomics are n per column.
#include "common.cuh"

#define SAMPLED_THREADS 256

// Column j is out of row r's loss: a padding column, or another column carrying the row's own candidate.
__device__ __forceinline__ bool sampled_masked(const int* cand, int r, int j, int own) {
    int c = cand[j];
    return c < 0 || (j != r && c == own);
}

// dLogits [n, C] (may alias logits), dBias [C] (+=), loss [1] (+=), logits [n, C], bias/logQ [C], cand [C].
// Block r owns row r (grid n blocks of 256 threads); z = logits + bias - w * logQ; softmax over unmasked columns,
// row r's positive is column r. Aliasing: each thread reads logits[j] before writing dLogits[j] for the same j, and
// the positive's logit is read into a register by every thread before the gradient pass (after a block reduction,
// so no thread has written yet).
extern "C" __global__ void __launch_bounds__(SAMPLED_THREADS)
sampled_softmax_cross_entropy(float* dLogits, float* dBias, float* loss, const float* logits, const float* __restrict__ bias,
                              const float* __restrict__ logQ, const int* __restrict__ cand, int n, int C, float w,
                              float gradScale) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    const float* x = logits + (size_t) r * C;
    float* d = dLogits + (size_t) r * C;
    int own = cand[r];
    if (own < 0) {
        for (int j = threadIdx.x; j < C; j += blockDim.x) d[j] = 0.0f;
        return;
    }
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        if (!sampled_masked(cand, r, j, own)) mx = fmaxf(mx, x[j] + bias[j] - w * logQ[j]);
    }
    mx = block_max(mx, scratch);
    float s = 0.0f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        if (!sampled_masked(cand, r, j, own)) s += expf(x[j] + bias[j] - w * logQ[j] - mx);
    }
    float zr = x[r] + bias[r] - w * logQ[r];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) atomicAdd(loss, logf(s) + mx - zr);
    float inv = 1.0f / s;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float g = 0.0f;
        if (!sampled_masked(cand, r, j, own)) {
            g = gradScale * expf(x[j] + bias[j] - w * logQ[j] - mx) * inv;
            if (j == r) g -= gradScale;
        }
        d[j] = g;
        if (g != 0.0f) atomicAdd(&dBias[j], g);
    }
}

// BPR-max (GRU4Rec's, without ELU) over the same candidates and masks: q = softmax of z = logits + bias over the
// row's unmasked negatives (j != r), loss += -log(sum q * sigmoid(s - z) + 1e-24) + bpreg * sum q * z^2.
// Block r owns row r; four block reductions (max, softmax sum, then the three weighted sums at once in turn).
extern "C" __global__ void __launch_bounds__(SAMPLED_THREADS)
bpr_max_loss(float* dLogits, float* dBias, float* loss, const float* logits, const float* __restrict__ bias,
             const int* __restrict__ cand, int n, int C, float bpreg, float gradScale) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    const float* x = logits + (size_t) r * C;
    float* d = dLogits + (size_t) r * C;
    int own = cand[r];
    float mx = -INFINITY;
    if (own >= 0) {
        for (int j = threadIdx.x; j < C; j += blockDim.x) {
            if (j != r && !sampled_masked(cand, r, j, own)) mx = fmaxf(mx, x[j] + bias[j]);
        }
    }
    mx = block_max(mx, scratch);
    if (own < 0 || mx == -INFINITY) {
        for (int j = threadIdx.x; j < C; j += blockDim.x) d[j] = 0.0f;
        return;
    }
    float s = x[r] + bias[r];
    float e = 0.0f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        if (j != r && !sampled_masked(cand, r, j, own)) e += expf(x[j] + bias[j] - mx);
    }
    e = block_sum(e, scratch);
    float sig = 0.0f, reg = 0.0f, curv = 0.0f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        if (j == r || sampled_masked(cand, r, j, own)) continue;
        float z = x[j] + bias[j], q = expf(z - mx) / e, sg = 1.0f / (1.0f + expf(z - s));
        sig += q * sg;
        reg += q * z * z;
        curv += q * sg * (1.0f - sg);
    }
    sig = block_sum(sig, scratch);
    reg = block_sum(reg, scratch);
    curv = block_sum(curv, scratch);
    float a = sig + 1e-24f;
    if (threadIdx.x == 0) atomicAdd(loss, -logf(a) + bpreg * reg);
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float g = 0.0f;
        if (j == r) {
            g = gradScale * (-curv / a);
        } else if (!sampled_masked(cand, r, j, own)) {
            float z = x[j] + bias[j], q = expf(z - mx) / e, sg = 1.0f / (1.0f + expf(z - s));
            g = gradScale * (-q * (sg * sg - sig) / a + bpreg * q * (z * z - reg + 2.0f * z));
        }
        d[j] = g;
        if (g != 0.0f) atomicAdd(&dBias[j], g);
    }
}

// The row-wise optimisers: param and both state tensors [R, C], row rows[k] updated with grad [k, :], k < n. One
// thread per element of the n x C block; grid ceil(n * C / 256) blocks of 256. Thread i's element: i in grad, *e in
// the table; false past the end, or for a row outside [0, R), which raises ERR_ROW_INDEX (once per row) and is skipped.
__device__ __forceinline__ bool listed_row_element(const int* __restrict__ rows, int n, int C, int R, int* err, size_t i,
                                                   size_t* e) {
    if (i >= (size_t) n * C) return false;
    int k = (int) (i / C), col = (int) (i % C), row = rows[k];
    if (row < 0 || row >= R) {
        if (col == 0) report_error(err, ERR_ROW_INDEX);
        return false;
    }
    *e = (size_t) row * C + col;
    return true;
}

// Lazy Adam on listed rows.
extern "C" __global__ void adam_update_rows(float* __restrict__ param, const float* __restrict__ grad,
                                            float* __restrict__ m, float* __restrict__ v, const int* __restrict__ rows,
                                            int n, int C, int R, float lr, float beta1, float beta2, float eps,
                                            float weightDecay, float bc1, float bc2, float gradScale, int* err) {
    size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x, e;
    if (!listed_row_element(rows, n, C, R, err, i, &e)) return;
    float g = grad[i] * gradScale;
    float mv = beta1 * m[e] + (1.0f - beta1) * g;
    float vv = beta2 * v[e] + (1.0f - beta2) * g * g;
    m[e] = mv;
    v[e] = vv;
    float p = param[e];
    param[e] = p - lr * (weightDecay * p + (mv / bc1) / (sqrtf(vv / bc2) + eps));
}

// Row-wise Adagrad with momentum (GRU4Rec's IndexedAdagradM), one thread per element of a listed row; the same
// operation order as ScalarBackend.adagradUpdateRows.
extern "C" __global__ void adagrad_update_rows(float* __restrict__ param, const float* __restrict__ grad,
                                               float* __restrict__ mom, float* __restrict__ acc, const int* __restrict__ rows,
                                               int n, int C, int R, float lr, float momentum, float eps, float weightDecay,
                                               float gradScale, int* err) {
    size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x, e;
    if (!listed_row_element(rows, n, C, R, err, i, &e)) return;
    float g = grad[i] * gradScale;
    float a = acc[e] + g * g;
    float mv = lr * g / sqrtf(a + eps);
    if (momentum != 0.0f) { // without momentum m is neither read nor written (as the scalar oracle)
        mv = momentum * mom[e] + mv;
        mom[e] = mv;
    }
    acc[e] = a;
    float p = param[e];
    param[e] = p - (mv + lr * weightDecay * p);
}
