// Fused LSTM cell step, forward and backward, element-wise over [n, H] with gate layout [i | f | g | o] (G = 4H).
// Checked against ScalarBackend.lstmCellForward / lstmCellBackward by CudaKernelEmulationTest
// (CPU build) and CudaBackendGpuTest (GPU).
// Napkin math: forward moves (4 + 4 + 1 + 2) * 4 bytes per (row, unit) with ~5 transcendental calls; bandwidth bound.
#include "common.cuh"

__device__ __forceinline__ float sigmoidf_(float x) {
    return 1.0f / (1.0f + expf(-x));
}

// gates [n, G] in: pre-activations without bias; out: activations [i f g o]. bias [G]; cPrev [n, H] or null.
// h, c out [n, H]. One thread per (row r, unit j), i = r * H + j: the four gate reads of a warp are four coalesced
// segments. Grid ceil(n * H / 256) blocks of 256.
extern "C" __global__ void lstm_cell_forward(float* __restrict__ h, float* __restrict__ c, float* __restrict__ gates,
                                             const float* __restrict__ bias, const float* __restrict__ cPrev,
                                             int n, int H) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) n * (unsigned) H) return;
    unsigned r = i / (unsigned) H, j = i - r * (unsigned) H;
    float* g = gates + (size_t) r * 4 * H;
    float ig = sigmoidf_(g[j] + bias[j]);
    float fg = sigmoidf_(g[H + j] + bias[H + j]);
    float gg = tanhf(g[2 * H + j] + bias[2 * H + j]);
    float og = sigmoidf_(g[3 * H + j] + bias[3 * H + j]);
    float cp = cPrev == nullptr ? 0.0f : cPrev[i];
    float cv = fg * cp + ig * gg;
    g[j] = ig;
    g[H + j] = fg;
    g[2 * H + j] = gg;
    g[3 * H + j] = og;
    c[i] = cv;
    h[i] = og * tanhf(cv);
}

// dGates out [n, G] (=), dcPrev out [n, H] (=, may alias dc, may be null), dh [n, H], dc [n, H] or null,
// gates [n, G] (activations saved by the forward), c [n, H], cPrev [n, H] or null.
// Same mapping as the forward. dcPrev and dc carry no __restrict__: each thread reads dc[i] before it writes
// dcPrev[i], and no other thread touches element i, so the alias is safe.
extern "C" __global__ void lstm_cell_backward(float* __restrict__ dGates, float* dcPrev, const float* __restrict__ dh,
                                              const float* dc, const float* __restrict__ gates,
                                              const float* __restrict__ c, const float* __restrict__ cPrev,
                                              int n, int H) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (unsigned) n * (unsigned) H) return;
    unsigned r = i / (unsigned) H, j = i - r * (unsigned) H;
    const float* g = gates + (size_t) r * 4 * H;
    float* dg = dGates + (size_t) r * 4 * H;
    float ig = g[j], fg = g[H + j], gg = g[2 * H + j], og = g[3 * H + j];
    float tc = tanhf(c[i]);
    float dhv = dh[i];
    float dct = dhv * og * (1.0f - tc * tc) + (dc == nullptr ? 0.0f : dc[i]);
    float cp = cPrev == nullptr ? 0.0f : cPrev[i];
    dg[j] = dct * gg * ig * (1.0f - ig);
    dg[H + j] = dct * cp * fg * (1.0f - fg);
    dg[2 * H + j] = dct * ig * (1.0f - gg * gg);
    dg[3 * H + j] = dhv * tc * og * (1.0f - og);
    if (dcPrev != nullptr) dcPrev[i] = dct * fg;
}
