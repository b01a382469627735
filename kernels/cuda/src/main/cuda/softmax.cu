// Fused masked softmax + cross-entropy + gradient, one block per row of logits.
// Checked against ScalarBackend.softmaxCrossEntropy by CudaKernelEmulationTest (CPU build)
// and CudaBackendGpuTest (GPU).
// Napkin math: three passes over a row (max, sum, gradient): 3 reads + 1 write of V floats per row; the re-reads
// hit L2 for the V we use (a row of 100k items is 400 KB).
#include "common.cuh"

#define SOFTMAX_THREADS 256

// dLogits out [P, V] (may alias logits), loss [1] (+=), logits [P, V], targets [P], gradScale.
// Block r (of P) owns row r; its 256 threads stride over the V columns; block reductions give max and sum.
// Row with target < 0: masked, dLogits row = 0, no loss. Target >= V: the error flag is set and the row is masked.
// The per-row loss is added to loss[0] with atomicAdd, so its last bits depend on the order rows finish.
// Aliasing: the target logit is read into a register before the gradient pass, and in that pass each thread reads
// logits[j] before it writes dLogits[j] for the same j only.
extern "C" __global__ void __launch_bounds__(SOFTMAX_THREADS)
softmax_cross_entropy(float* dLogits, float* loss, const float* logits, const int* __restrict__ targets,
                      int P, int V, float gradScale, int* err) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    const float* x = logits + (size_t) r * V;
    float* d = dLogits + (size_t) r * V;
    int t = targets[r];
    if (t >= V) {
        if (threadIdx.x == 0) report_error(err, ERR_SOFTMAX_TARGET);
        t = -1;
    }
    if (t < 0) {
        for (int j = threadIdx.x; j < V; j += blockDim.x) d[j] = 0.0f;
        return;
    }
    float xt = x[t];
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, x[j]);
    mx = block_max(mx, scratch);
    float s = 0.0f;
    for (int j = threadIdx.x; j < V; j += blockDim.x) s += expf(x[j] - mx);
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) atomicAdd(loss, logf(s) + mx - xt);
    float inv = 1.0f / s;
    for (int j = threadIdx.x; j < V; j += blockDim.x) {
        float p = gradScale * expf(x[j] - mx) * inv;
        d[j] = j == t ? p - gradScale : p;
    }
}

// x [n, V]: x[r, columns[k]] = value for k in [offsets[r], offsets[r + 1]) (the training softmax leaves a user's seen
// items out with value -inf). Offsets outside [0, total] or decreasing, or a column outside [0, V), set
// ERR_FILL_COLUMN; such a row or column is skipped. Block r (of n) owns row r; its threads stride over the row's list.
// Napkin math: a scatter of 4-byte writes, one per listed column, beside the 3 reads + 1 write of V floats per row
// the softmax costs.
extern "C" __global__ void fill_columns(float* x, const int* __restrict__ offsets, const int* __restrict__ columns,
                                        int total, int V, float value, int* err) {
    int r = blockIdx.x;
    int from = offsets[r], to = offsets[r + 1];
    if (from < 0 || to < from || to > total) {
        if (threadIdx.x == 0) report_error(err, ERR_FILL_COLUMN);
        return;
    }
    float* row = x + (size_t) r * V;
    for (int k = from + threadIdx.x; k < to; k += blockDim.x) {
        int c = columns[k];
        if (c < 0 || c >= V) {
            report_error(err, ERR_FILL_COLUMN);
            continue;
        }
        row[c] = value;
    }
}
