package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Map;
import java.util.TreeMap;

/**
 * Wraps any backend and counts, per op, its calls and the bytes it allocates, frees and moves between host and device
 * (4 bytes per element). Runs wherever the wrapped backend runs, so the memory behaviour of a GPU training step can be
 * checked on the CPU: TransferCountTest asserts that a warm training step allocates nothing and moves only ids and
 * targets up and the loss (and the gradient-norm scalar) down, and that a validation pass allocates nothing per batch.
 * Every op of {@link Backend} is forwarded (WrappersTest checks that none is inherited).
 */
public final class CountingBackend implements Backend {
    /** Op names of the memory and transfer calls, as they appear in {@link Counts}. */
    public static final String ALLOCATE = "allocate", ALLOCATE_INT = "allocateInt", FREE = "free", FREE_INT = "freeInt",
            UPLOAD = "upload", UPLOAD_INT = "uploadInt", DOWNLOAD = "download", DOWNLOAD_INT = "downloadInt";

    private final Backend inner;
    /** op -> {calls, bytes} */
    private final Map<String, long[]> counts = new TreeMap<>();

    public CountingBackend(Backend inner) {
        this.inner = inner;
    }

    /**
     * What was counted, per op: calls, and bytes allocated, freed or transferred (0 for compute ops).
     */
    public record Counts(Map<String, Long> calls, Map<String, Long> bytes) {
        public Counts {
            calls = Map.copyOf(calls);
            bytes = Map.copyOf(bytes);
        }

        public long calls(String op) {
            return calls.getOrDefault(op, 0L);
        }

        public long bytes(String op) {
            return bytes.getOrDefault(op, 0L);
        }

        /** allocate + allocateInt calls. */
        public long allocations() {
            return calls(ALLOCATE) + calls(ALLOCATE_INT);
        }

        public long allocatedBytes() {
            return bytes(ALLOCATE) + bytes(ALLOCATE_INT);
        }

        /** free calls (float and int). */
        public long frees() {
            return calls(FREE) + calls(FREE_INT);
        }

        public long freedBytes() {
            return bytes(FREE) + bytes(FREE_INT);
        }

        /** Bytes allocated and not freed. */
        public long liveBytes() {
            return allocatedBytes() - freedBytes();
        }

        /** Host-to-device copies (upload + uploadInt). */
        public long uploads() {
            return calls(UPLOAD) + calls(UPLOAD_INT);
        }

        public long uploadedBytes() {
            return bytes(UPLOAD) + bytes(UPLOAD_INT);
        }

        /** Device-to-host copies (download + downloadInt). */
        public long downloads() {
            return calls(DOWNLOAD) + calls(DOWNLOAD_INT);
        }

        public long downloadedBytes() {
            return bytes(DOWNLOAD) + bytes(DOWNLOAD_INT);
        }

        /** What happened since {@code before} (a snapshot of the same backend taken earlier). */
        public Counts minus(Counts before) {
            Map<String, Long> c = new TreeMap<>(calls), b = new TreeMap<>(bytes);
            before.calls.forEach((op, n) -> c.merge(op, -n, Long::sum));
            before.bytes.forEach((op, n) -> b.merge(op, -n, Long::sum));
            c.values().removeIf(n -> n == 0);
            b.values().removeIf(n -> n == 0);
            return new Counts(c, b);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            new TreeMap<>(calls).forEach((op, n) -> {
                if (sb.length() > 0) sb.append(", ");
                sb.append(op).append(' ').append(n);
                long by = bytes(op);
                if (by != 0) sb.append(" (").append(by).append(" B)");
            });
            return "{" + sb + "}";
        }
    }

    /** The counts so far. */
    public synchronized Counts snapshot() {
        Map<String, Long> c = new TreeMap<>(), b = new TreeMap<>();
        counts.forEach((op, v) -> {
            c.put(op, v[0]);
            if (v[1] != 0) b.put(op, v[1]);
        });
        return new Counts(c, b);
    }

    /** Forgets everything counted so far. */
    public synchronized void reset() {
        counts.clear();
    }

    private synchronized void count(String op, long elements) {
        long[] v = counts.computeIfAbsent(op, k -> new long[2]);
        v[0]++;
        v[1] += 4 * elements;
    }

    private void count(String op) {
        count(op, 0);
    }

    private static long size(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    // ---- identity --------------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return inner.description() + " (counted)";
    }

    @Override
    public Object storageOwner() {
        return inner.storageOwner();
    }

    // ---- memory ------------------------------------------------------------------------------------------------------

    @Override
    public Tensor allocate(int... shape) {
        Tensor t = inner.allocate(shape);
        count(ALLOCATE, size(shape));
        return t;
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        IntTensor t = inner.allocateInt(shape);
        count(ALLOCATE_INT, size(shape));
        return t;
    }

    @Override
    public void free(Tensor t) {
        if (t == null) return;
        inner.free(t);
        count(FREE, t.size());
    }

    @Override
    public void free(IntTensor t) {
        if (t == null) return;
        inner.free(t);
        count(FREE_INT, t.size());
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        count(UPLOAD, dst.size());
        inner.upload(dst, src, srcOffset);
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        count(DOWNLOAD, src.size());
        inner.download(dst, dstOffset, src);
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        count(UPLOAD_INT, dst.size());
        inner.uploadInt(dst, src, srcOffset);
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        count(DOWNLOAD_INT, src.size());
        inner.downloadInt(dst, dstOffset, src);
    }

    @Override
    public void fill(Tensor dst, float value) {
        count("fill");
        inner.fill(dst, value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        count("copy");
        inner.copy(dst, src);
    }

    @Override
    public void synchronize() {
        count("synchronize");
        inner.synchronize();
    }

    // ---- compute -------------------------------------------------------------------------------------------------------

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        count("embeddingForward");
        inner.embeddingForward(out, table, ids);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        count("embeddingBackward");
        inner.embeddingBackward(dTable, dOut, ids);
    }

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        count("gemm");
        inner.gemm(c, transA, a, transB, b, alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        count("addBias");
        inner.addBias(out, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        count("biasBackward");
        inner.biasBackward(dBias, dOut);
    }

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        count("lstmCellForward");
        inner.lstmCellForward(h, c, gates, bias, cPrev);
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        count("lstmCellBackward");
        inner.lstmCellBackward(dGates, dcPrev, dh, dc, gates, c, cPrev);
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        count("dropout");
        inner.dropout(x, p, seed);
    }

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        count("softmaxCrossEntropy");
        inner.softmaxCrossEntropy(dLogits, loss, logits, targets, gradScale);
    }

    @Override
    public void biasedSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                          IntTensor targets, float gradScale) {
        count("biasedSoftmaxCrossEntropy");
        inner.biasedSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, targets, gradScale);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        count("sumSquares");
        inner.sumSquares(out, x);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        count("adamUpdate");
        inner.adamUpdate(param, grad, m, v, step);
    }

    // ---- sampled training -------------------------------------------------------------------------------------------

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        count("sampledSoftmaxCrossEntropy");
        inner.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, logQ, candidates, logqWeight, gradScale);
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        count("bprMaxLoss");
        inner.bprMaxLoss(dLogits, dBias, loss, logits, bias, candidates, bpreg, gradScale);
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        count("adamUpdateRows");
        inner.adamUpdateRows(param, gradRows, m, v, rows, step);
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        count("adagradUpdateRows");
        inner.adagradUpdateRows(param, gradRows, mom, acc, rows, step);
    }

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        count("scoreTopK");
        inner.scoreTopK(outIndex, outScore, h, w, bias, excludeOffsets, exclude);
    }

    @Override
    public void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        count("fillColumns");
        inner.fillColumns(x, offsets, columns, value);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        count("scoreRank");
        inner.scoreRank(outRank, h, w, bias, targets, listOffsets, list, mode);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "CountingBackend[" + inner.name() + "]";
    }
}
