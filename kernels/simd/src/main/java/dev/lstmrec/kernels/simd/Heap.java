package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.tensor.HeapFloats;
import dev.lstmrec.engine.tensor.HeapInts;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * The array behind a SIMD backend tensor and the offset of its element 0, for kernels that take the {@code Tensor}
 * itself (as {@code HeapBackend}'s f/i/o do for the backend). Kernels read them once per call into locals, so the
 * loops index plain arrays exactly as before. A null tensor (an absent optional input or output) gives a null array
 * and offset 0.
 */
final class Heap {
    private Heap() {}

    static float[] f(Tensor t) {
        return t == null ? null : ((HeapFloats) t.storage()).data();
    }

    static int[] i(IntTensor t) {
        return t == null ? null : ((HeapInts) t.storage()).data();
    }

    static int o(Tensor t) {
        return t == null ? 0 : (int) t.offset();
    }

    static int o(IntTensor t) {
        return t == null ? 0 : (int) t.offset();
    }
}
