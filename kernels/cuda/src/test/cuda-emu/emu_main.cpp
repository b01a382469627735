// Runs one kernel launch of the CUDA backend on the CPU (see cuda_emu.h). Protocol, little-endian, on stdin:
//   name (int length + bytes), gridX, gridY, blockX, blockY, sharedBytes (ints),
//   buffer count, then per buffer: length in 4-byte words and the words,
//   argument count, then per argument a tag: 0 pointer (int buffer, -1 = null; long element offset),
//   1 int, 2 float (bits), 3 long.
// After the launch every buffer is written back to stdout in the same order. Built by CudaKernelEmulationTest.
#include "cuda_emu.h"
#include "embedding.cu"
#include "gemm.cu"
#include "lstm.cu"
#include "optim.cu"
#include "score.cu"
#include "softmax.cu"
#include "sampled.cu"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>

namespace {
struct Arg {
    void* ptr = nullptr;
    long long i = 0;
    float f = 0;
};

void die(const std::string& m) {
    std::fprintf(stderr, "emu: %s\n", m.c_str());
    std::exit(2);
}

template <class T>
T read() {
    T v;
    if (std::fread(&v, sizeof(T), 1, stdin) != 1) die("short input");
    return v;
}

template <class T>
T conv(const Arg& a) {
    if constexpr (std::is_pointer_v<T>) return static_cast<T>(a.ptr);
    else if constexpr (std::is_same_v<T, float>) return a.f;
    else return static_cast<T>(a.i);
}

template <class... P, size_t... I>
void call(void (*fn)(P...), const std::vector<Arg>& a, std::index_sequence<I...>) {
    fn(conv<P>(a[I])...);
}

template <class... P>
void run(void (*fn)(P...), emu_dim3 g, emu_dim3 b, size_t shared, const std::vector<Arg>& a) {
    if (a.size() != sizeof...(P)) die("wrong argument count");
    emu_launch(g, b, shared, [&] { call(fn, a, std::index_sequence_for<P...>{}); });
}
}  // namespace

int main() {
    int len = read<int>();
    std::string name(len, '\0');
    if (std::fread(name.data(), 1, len, stdin) != (size_t) len) die("short name");
    int gx = read<int>(), gy = read<int>(), bx = read<int>(), by = read<int>(), shared = read<int>();
    int nb = read<int>();
    std::vector<std::vector<float>> buffers(nb);
    for (auto& buf : buffers) {
        int n = read<int>();
        buf.resize(n + 4);  // slack so a zero-length buffer still has an address
        if (n > 0 && std::fread(buf.data(), 4, n, stdin) != (size_t) n) die("short buffer");
        buf.resize(n);
    }
    int na = read<int>();
    std::vector<Arg> args(na);
    for (auto& a : args) {
        int tag = read<int>();
        if (tag == 0) {
            int b = read<int>();
            long long off = read<long long>();
            a.ptr = b < 0 ? nullptr : static_cast<void*>(buffers[b].data() + off);
        } else if (tag == 1) {
            a.i = read<int>();
        } else if (tag == 2) {
            a.f = read<float>();
        } else if (tag == 3) {
            a.i = read<long long>();
        } else {
            die("bad tag");
        }
    }
    emu_dim3 g{(unsigned) gx, (unsigned) gy, 1}, b{(unsigned) bx, (unsigned) by, 1};
#define KERNEL(k) \
    if (name == #k) run(k, g, b, shared, args); \
    else
    KERNEL(embedding_forward) KERNEL(embedding_backward) KERNEL(gemm_nn) KERNEL(gemm_nt) KERNEL(gemm_tn)
    KERNEL(gemm_tt) KERNEL(add_bias) KERNEL(bias_backward) KERNEL(lstm_cell_forward) KERNEL(lstm_cell_backward)
    KERNEL(softmax_cross_entropy) KERNEL(adam_update) KERNEL(sum_squares) KERNEL(fill) KERNEL(dropout)
    KERNEL(score_top_k) KERNEL(score_rank) KERNEL(gemm_nn_small) KERNEL(gemm_nt_small) KERNEL(gemm_tn_small)
    KERNEL(gemm_tt_small) KERNEL(sampled_softmax_cross_entropy) KERNEL(bpr_max_loss)
    KERNEL(adam_update_rows) KERNEL(adagrad_update_rows) KERNEL(fill_columns) die("unknown kernel " + name);
    for (auto& buf : buffers) std::fwrite(buf.data(), 4, buf.size(), stdout);
    return 0;
}
