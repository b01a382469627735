package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.HeapFloats;
import dev.lstmrec.engine.tensor.HeapInts;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Shape;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * The memory half of a CPU backend: tensors in Java arrays ({@link HeapFloats}, {@link HeapInts}) owned by this
 * instance, their release, the transfers and fills over them, and the embedding gather (a row copy). The scalar and SIMD
 * backends share it, and the conformance suite checks it through both (views at odd offsets, use after free). Like
 * every backend it holds kernels only: shapes and ownership are checked once by {@link CheckedBackend}; a freed
 * tensor still fails here ({@link HeapFloats#data()} throws) because its array is gone.
 */
public abstract class HeapBackend implements Backend {

    @Override
    public Tensor allocate(int... shape) {
        return new Tensor(new HeapFloats(new float[Shape.size(shape)], this), 0, shape);
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        return new IntTensor(new HeapInts(new int[Shape.size(shape)], this), 0, shape);
    }

    @Override
    public void free(Tensor t) {
        if (t != null) ((HeapFloats) t.storage()).release();
    }

    @Override
    public void free(IntTensor t) {
        if (t != null) ((HeapInts) t.storage()).release();
    }

    /** The array behind a tensor this backend allocated (index it from {@link #o(Tensor)}). */
    protected static float[] f(Tensor t) {
        return ((HeapFloats) t.storage()).data();
    }

    protected static int[] i(IntTensor t) {
        return ((HeapInts) t.storage()).data();
    }

    /** Offset of a tensor's element 0 in its array. */
    protected static int o(Tensor t) {
        return (int) t.offset();
    }

    protected static int o(IntTensor t) {
        return (int) t.offset();
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        System.arraycopy(src, srcOffset, f(dst), o(dst), dst.size());
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        System.arraycopy(f(src), o(src), dst, dstOffset, src.size());
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        System.arraycopy(src, srcOffset, i(dst), o(dst), dst.size());
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        System.arraycopy(i(src), o(src), dst, dstOffset, src.size());
    }

    @Override
    public void fill(Tensor dst, float value) {
        Arrays.fill(f(dst), o(dst), o(dst) + dst.size(), value);
    }

    @Override
    public void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        float[] xd = f(x);
        int[] od = i(offsets), cd = i(columns);
        int n = x.rows(), v = x.cols(), oo = o(offsets), co = o(columns), xo = o(x);
        for (int r = 0; r < n; r++) {
            int from = od[oo + r], to = od[oo + r + 1];
            if (from < 0 || from > to || to > columns.size()) throw new IllegalArgumentException("fillColumns offsets of row " + r
                    + ": [" + from + ", " + to + ") is not inside [0, " + columns.size() + "]");
            for (int k = from; k < to; k++) {
                int c = cd[co + k];
                Checks.index("fillColumns column", c, v);
                xd[xo + r * v + c] = value;
            }
        }
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        System.arraycopy(f(src), o(src), f(dst), o(dst), src.size());
    }

    /** A row gather is a memory copy: one {@code arraycopy} per row serves every CPU backend. */
    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        int p = ids.size(), e = table.cols(), rows = table.rows();
        float[] od = f(out), td = f(table);
        int[] id = i(ids);
        for (int r = 0; r < p; r++) {
            int item = id[o(ids) + r];
            Checks.index("embedding id", item, rows);
            System.arraycopy(td, o(table) + item * e, od, o(out) + r * e, e);
        }
    }

    /** Work runs on the calling thread (or is joined before an op returns): nothing to wait for. */
    @Override
    public void synchronize() {}
}
