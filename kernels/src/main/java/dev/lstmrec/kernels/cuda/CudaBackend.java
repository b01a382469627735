package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Checks;
import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Shape;
import dev.lstmrec.engine.tensor.Tensor;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The CUDA backend: every op is one launch of a hand-written kernel from src/main/cuda (PTX committed as resources,
 * JIT-compiled by the driver), through JCuda's driver API. Tensors live in device memory for the backend's life;
 * only upload/download move data, and download (or synchronize) is the only point that waits for the GPU.
 * Index errors the scalar backend throws at once (embedding ids, targets) are raised by kernels into a device error
 * flag and thrown at the next download/synchronize. Checked against ScalarBackend by CudaBackendGpuTest (GPU only).
 */
public final class CudaBackend implements Backend {
    /** Option key choosing the device ordinal (default 0). */
    public static final String DEVICE_OPTION = "cuda.device";
    /** Largest K of {@link #scoreTopK}: its list lives in 16·K bytes of shared memory beside 18 KB of tiles. */
    public static final int MAX_TOP_K = 1024;

    private static final int THREADS = 256;
    private static final int GEMM_TILE = 128;
    private static final int SCORE_THREADS = 128;
    private static final int SUM_SQUARES_MAX_BLOCKS = 1024;
    private static final int MAX_GRID_Y = 65535;
    /** All work goes to the context's default stream, so launches and copies run in submission order. */
    private static final CUstream STREAM = null;
    // Error codes of common.cuh.
    private static final int ERR_EMBEDDING_ID = 1, ERR_SOFTMAX_TARGET = 2, ERR_RANK_TARGET = 3;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final CUfunction[] functions = new CUfunction[CudaKernel.values().length];
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final int[] flagHost = new int[1];
    private CUdeviceptr errorFlag;
    private String description = "CUDA";
    private boolean contextRetained;
    private Thread boundThread;
    private boolean closed;

    /** Opens the device named by option {@value #DEVICE_OPTION} (default 0) and loads every kernel. */
    public CudaBackend(BackendOptions options) {
        int ordinal = deviceOrdinal(options.extra().get(DEVICE_OPTION));
        try {
            check(JCudaDriver.cuInit(0), "cuInit");
            int[] count = new int[1];
            check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
            Checks.require(ordinal < count[0], DEVICE_OPTION + "=" + ordinal + " but only " + count[0] + " CUDA device(s) exist");
            check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
            check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
            contextRetained = true;
            bind();
            for (String module : CudaKernel.modules()) {
                CUmodule m = new CUmodule();
                check(JCudaDriver.cuModuleLoadData(m, ptx(module)), "cuModuleLoadData(" + module + ".ptx)");
                modules.put(module, m);
            }
            for (CudaKernel k : CudaKernel.values()) {
                CUfunction f = new CUfunction();
                check(JCudaDriver.cuModuleGetFunction(f, modules.get(k.module()), k.entry()), "cuModuleGetFunction(" + k.entry() + ")");
                functions[k.ordinal()] = f;
            }
            errorFlag = deviceAlloc(1);
            description = describe(ordinal);
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static int deviceOrdinal(String option) {
        if (option == null || option.isBlank()) return 0;
        try {
            int d = Integer.parseInt(option.trim());
            if (d >= 0) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(DEVICE_OPTION + " must be a device ordinal >= 0, got '" + option + "'");
    }

    /** A PTX module as the NUL-terminated bytes cuModuleLoadData expects. */
    private static byte[] ptx(String module) {
        String resource = CudaKernel.PTX_FOLDER + module + ".ptx";
        try (InputStream in = CudaBackend.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("PTX resource " + resource + " missing from the classpath");
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private String describe(int ordinal) {
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int[] major = new int[1], minor = new int[1], driver = new int[1];
        long[] memory = new long[1];
        check(JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
        check(JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
        check(JCudaDriver.cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
        check(JCudaDriver.cuDriverGetVersion(driver), "cuDriverGetVersion");
        return String.format(Locale.ROOT, "CUDA device %d: %s, compute %d.%d, %.1f GiB, driver %d.%d, PTX compute_75 (JIT)",
                ordinal, CudaProbe.cString(name), major[0], minor[0], memory[0] / (double) (1L << 30),
                driver[0] / 1000, driver[0] % 1000 / 10);
    }

    /** Throws a {@link CudaDriverException} naming {@code call} unless {@code result} is CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result == CUresult.CUDA_SUCCESS) return;
        String[] text = new String[1];
        String detail = JCudaDriver.cuGetErrorString(result, text) == CUresult.CUDA_SUCCESS && text[0] != null ? " (" + text[0] + ")" : "";
        throw new CudaDriverException(call + " failed: " + CUresult.stringFor(result) + detail);
    }

    /** Makes the context current on the calling thread (the driver keeps one current context per thread). */
    private void bind() {
        if (closed) throw new IllegalStateException("the CUDA backend is closed");
        Thread me = Thread.currentThread();
        if (me != boundThread) {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            boundThread = me;
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return description;
    }

    // ---- memory ------------------------------------------------------------------------------------------------

    private CUdeviceptr deviceAlloc(long elements) {
        CUdeviceptr p = new CUdeviceptr();
        if (elements == 0) return p;
        check(JCudaDriver.cuMemAlloc(p, elements * 4), "cuMemAlloc(" + elements * 4 + " bytes)");
        allocations.add(p);
        check(JCudaDriver.cuMemsetD32(p, 0, elements), "cuMemsetD32");
        return p;
    }

    @Override
    public Tensor allocate(int... shape) {
        int n = Shape.size(shape);
        bind();
        return new Tensor(new DeviceFloats(deviceAlloc(n), n, this), 0, shape);
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        int n = Shape.size(shape);
        bind();
        return new IntTensor(new DeviceInts(deviceAlloc(n), n, this), 0, shape);
    }

    private CUdeviceptr ptr(Tensor t) {
        t.checkOwner(this);
        return ((DeviceFloats) t.storage()).pointer().withByteOffset(t.offset() * 4);
    }

    private CUdeviceptr ptr(IntTensor t) {
        t.checkOwner(this);
        return ((DeviceInts) t.storage()).pointer().withByteOffset(t.offset() * 4);
    }

    /** The device pointer of an optional tensor; the null pointer (which kernels test for) when absent. */
    private CUdeviceptr optional(Tensor t) {
        return t == null ? new CUdeviceptr() : ptr(t);
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        CUdeviceptr d = ptr(dst);
        Objects.checkFromIndexSize(srcOffset, dst.size(), src.length);
        bind();
        if (dst.size() > 0) {
            check(JCudaDriver.cuMemcpyHtoD(d, Pointer.to(src).withByteOffset(srcOffset * 4L), dst.size() * 4L), "cuMemcpyHtoD");
        }
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        CUdeviceptr s = ptr(src);
        Objects.checkFromIndexSize(dstOffset, src.size(), dst.length);
        bind();
        if (src.size() > 0) {
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(dstOffset * 4L), s, src.size() * 4L), "cuMemcpyDtoH");
        }
        checkErrorFlag();
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        CUdeviceptr d = ptr(dst);
        Objects.checkFromIndexSize(srcOffset, dst.size(), src.length);
        bind();
        if (dst.size() > 0) {
            check(JCudaDriver.cuMemcpyHtoD(d, Pointer.to(src).withByteOffset(srcOffset * 4L), dst.size() * 4L), "cuMemcpyHtoD");
        }
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        CUdeviceptr s = ptr(src);
        Objects.checkFromIndexSize(dstOffset, src.size(), dst.length);
        bind();
        if (src.size() > 0) {
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(dstOffset * 4L), s, src.size() * 4L), "cuMemcpyDtoH");
        }
        checkErrorFlag();
    }

    /** Reads (synchronously) and clears the kernels' error flag; throws what the scalar backend would have. */
    private void checkErrorFlag() {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(flagHost), errorFlag, 4), "cuMemcpyDtoH(error flag)");
        int code = flagHost[0];
        if (code == 0) return;
        check(JCudaDriver.cuMemsetD32(errorFlag, 0, 1), "cuMemsetD32(error flag)");
        String what = switch (code) {
            case ERR_EMBEDDING_ID -> "an embedding id outside [0, rows)";
            case ERR_SOFTMAX_TARGET -> "a softmaxCrossEntropy target >= V";
            case ERR_RANK_TARGET -> "a scoreRank target outside [0, V)";
            default -> "error code " + code;
        };
        throw new IllegalArgumentException("a CUDA kernel met " + what + " (detected on the GPU, reported at the next download/synchronize)");
    }

    @Override
    public void fill(Tensor dst, float value) {
        CUdeviceptr d = ptr(dst);
        bind();
        int n = dst.size();
        if (n > 0) launch(CudaKernel.FILL, blocks(n), 1, THREADS, 1, 0, d, n, value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Checks.require(dst.size() == src.size(), "copy: sizes differ " + dst + " <- " + src);
        Checks.require(dst.storage() != src.storage() || dst.offset() + dst.size() <= src.offset()
                || src.offset() + src.size() <= dst.offset(), "copy: overlapping views of one storage are not supported on CUDA");
        CUdeviceptr d = ptr(dst), s = ptr(src);
        bind();
        if (src.size() > 0) check(JCudaDriver.cuMemcpyDtoDAsync(d, s, src.size() * 4L, STREAM), "cuMemcpyDtoDAsync");
    }

    @Override
    public void synchronize() {
        bind();
        check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
        checkErrorFlag();
    }

    // ---- launching -----------------------------------------------------------------------------------------------

    private static int blocks(long n) {
        return (int) ((n + THREADS - 1) / THREADS);
    }

    /**
     * Launches {@code k} on the stream. Arguments are CUdeviceptr, Integer, Float or Long, checked against the
     * kernel's signature so a Java/CUDA mismatch fails here with a clear message instead of corrupting memory.
     */
    private void launch(CudaKernel k, int gridX, int gridY, int blockX, int blockY, int sharedBytes, Object... args) {
        String sig = k.signature();
        if (args.length != sig.length()) {
            throw new IllegalStateException(k.entry() + " takes " + sig.length() + " arguments, launched with " + args.length);
        }
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            char want = sig.charAt(i);
            if (a instanceof CUdeviceptr p && want == 'p') params[i] = Pointer.to(p);
            else if (a instanceof Integer v && want == 'i') params[i] = Pointer.to(new int[] {v});
            else if (a instanceof Float v && want == 'f') params[i] = Pointer.to(new float[] {v});
            else if (a instanceof Long v && want == 'l') params[i] = Pointer.to(new long[] {v});
            else throw new IllegalStateException(k.entry() + " argument " + i + " should be '" + want + "' but is " + a);
        }
        check(JCudaDriver.cuLaunchKernel(functions[k.ordinal()], gridX, gridY, 1, blockX, blockY, 1, sharedBytes, STREAM,
                Pointer.to(params), null), "cuLaunchKernel(" + k.entry() + ")");
    }

    // ---- embedding ----------------------------------------------------------------------------------------------

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        int p = ids.size(), e = table.cols(), rows = table.rows();
        out.expect("embedding out", p, e);
        CUdeviceptr o = ptr(out), t = ptr(table), i = ptr(ids);
        bind();
        if ((long) p * e > 0) launch(CudaKernel.EMBEDDING_FORWARD, blocks((long) p * e), 1, THREADS, 1, 0, o, t, i, p, e, rows, errorFlag);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        int p = ids.size(), e = dTable.cols(), rows = dTable.rows();
        dOut.expect("embedding dOut", p, e);
        CUdeviceptr t = ptr(dTable), g = ptr(dOut), i = ptr(ids);
        bind();
        if ((long) p * e > 0) launch(CudaKernel.EMBEDDING_BACKWARD, blocks((long) p * e), 1, THREADS, 1, 0, t, g, i, p, e, rows, errorFlag);
    }

    // ---- dense ------------------------------------------------------------------------------------------------------

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        int[] mnk = Checks.gemmShape(c, transA, a, transB, b);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        int gridY = (m + GEMM_TILE - 1) / GEMM_TILE;
        Checks.require(gridY <= MAX_GRID_Y, "gemm: M = " + m + " exceeds the CUDA grid (" + MAX_GRID_Y * GEMM_TILE + " rows)");
        CUdeviceptr cp = ptr(c), ap = ptr(a), bp = ptr(b);
        bind();
        if (m == 0 || n == 0) return;
        CudaKernel kernel = transA ? (transB ? CudaKernel.GEMM_TT : CudaKernel.GEMM_TN) : (transB ? CudaKernel.GEMM_NT : CudaKernel.GEMM_NN);
        launch(kernel, (n + GEMM_TILE - 1) / GEMM_TILE, gridY, THREADS, 1, 0,
                cp, ap, bp, m, n, k, a.dim(1), b.dim(1), n, alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        Checks.rank2("addBias out", out);
        int rows = out.dim(0), cols = out.dim(1);
        bias.expect("addBias bias", cols);
        CUdeviceptr o = ptr(out), b = ptr(bias);
        bind();
        if ((long) rows * cols > 0) launch(CudaKernel.ADD_BIAS, blocks((long) rows * cols), 1, THREADS, 1, 0, o, b, rows, cols);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        Checks.rank2("biasBackward dOut", dOut);
        int rows = dOut.dim(0), cols = dOut.dim(1);
        dBias.expect("biasBackward dBias", cols);
        CUdeviceptr d = ptr(dBias), g = ptr(dOut);
        bind();
        if (rows > 0 && cols > 0) launch(CudaKernel.BIAS_BACKWARD, (cols + 31) / 32, 1, 32, 8, 0, d, g, rows, cols);
    }

    // ---- LSTM ----------------------------------------------------------------------------------------------------------

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        int[] nh = Checks.lstmShape(h, c, gates, cPrev);
        int n = nh[0], hid = nh[1];
        bias.expect("lstm bias", 4 * hid);
        CUdeviceptr hp = ptr(h), cp = ptr(c), gp = ptr(gates), bp = ptr(bias), pp = optional(cPrev);
        bind();
        if ((long) n * hid > 0) launch(CudaKernel.LSTM_CELL_FORWARD, blocks((long) n * hid), 1, THREADS, 1, 0, hp, cp, gp, bp, pp, n, hid);
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        int[] nh = Checks.lstmShape(dh, c, gates, cPrev);
        int n = nh[0], hid = nh[1];
        dGates.expect("lstm dGates", n, 4 * hid);
        if (dc != null) dc.expect("lstm dc", n, hid);
        if (dcPrev != null) dcPrev.expect("lstm dcPrev", n, hid);
        CUdeviceptr dg = ptr(dGates), dp = optional(dcPrev), dhp = ptr(dh), dcp = optional(dc), gp = ptr(gates), cp = ptr(c), pp = optional(cPrev);
        bind();
        if ((long) n * hid > 0) {
            launch(CudaKernel.LSTM_CELL_BACKWARD, blocks((long) n * hid), 1, THREADS, 1, 0, dg, dp, dhp, dcp, gp, cp, pp, n, hid);
        }
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        Checks.require(p >= 0f && p < 1f, "dropout probability must be in [0, 1), got " + p);
        CUdeviceptr xp = ptr(x);
        bind();
        if (p == 0f || x.size() == 0) return;
        launch(CudaKernel.DROPOUT, blocks(x.size()), 1, THREADS, 1, 0, xp, x.size(), DropoutMask.threshold(p), 1f / (1f - p), seed);
    }

    // ---- loss -----------------------------------------------------------------------------------------------------------

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        Checks.rank2("softmaxCrossEntropy logits", logits);
        int rows = logits.dim(0), v = logits.dim(1);
        dLogits.expect("softmaxCrossEntropy dLogits", rows, v);
        targets.expect("softmaxCrossEntropy targets", rows);
        loss.expect("softmaxCrossEntropy loss", 1);
        CUdeviceptr d = ptr(dLogits), l = ptr(loss), x = ptr(logits), t = ptr(targets);
        bind();
        if (rows > 0) launch(CudaKernel.SOFTMAX_CROSS_ENTROPY, rows, 1, THREADS, 1, 0, d, l, x, t, rows, v, gradScale, errorFlag);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        out.expect("sumSquares out", 1);
        CUdeviceptr o = ptr(out), xp = ptr(x);
        bind();
        int n = x.size();
        if (n > 0) launch(CudaKernel.SUM_SQUARES, Math.min(blocks(n), SUM_SQUARES_MAX_BLOCKS), 1, THREADS, 1, 0, o, xp, n);
    }

    // ---- optimizer -------------------------------------------------------------------------------------------------------

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        int n = param.size();
        Checks.require(grad.size() == n && m.size() == n && v.size() == n, "adamUpdate: sizes differ");
        CUdeviceptr pp = ptr(param), gp = ptr(grad), mp = ptr(m), vp = ptr(v);
        bind();
        if (n == 0) return;
        launch(CudaKernel.ADAM_UPDATE, blocks(n), 1, THREADS, 1, 0, pp, gp, mp, vp, n,
                step.lr(), step.beta1(), step.beta2(), step.eps(), step.weightDecay(),
                step.biasCorrection1(), step.biasCorrection2(), step.gradScale());
    }

    // ---- inference ----------------------------------------------------------------------------------------------------------

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        Checks.rank2("scoreTopK h", h);
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0), k = outIndex.cols();
        w.expect("scoreTopK w", v, hid);
        bias.expect("scoreTopK bias", v);
        outIndex.expect("scoreTopK outIndex", n, k);
        outScore.expect("scoreTopK outScore", n, k);
        Checks.csr("scoreTopK exclude", excludeOffsets, exclude, n);
        Checks.require(k <= MAX_TOP_K, "scoreTopK: K = " + k + " exceeds the CUDA backend's limit of " + MAX_TOP_K);
        CUdeviceptr oi = ptr(outIndex), os = ptr(outScore), hp = ptr(h), wp = ptr(w), bp = ptr(bias),
                eo = ptr(excludeOffsets), ex = ptr(exclude);
        bind();
        if (n == 0 || k == 0) return;
        launch(CudaKernel.SCORE_TOP_K, n, 1, SCORE_THREADS, 1, 16 * k, oi, os, hp, wp, bp, eo, ex, hid, v, k);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        Checks.rank2("scoreRank h", h);
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0);
        w.expect("scoreRank w", v, hid);
        bias.expect("scoreRank bias", v);
        outRank.expect("scoreRank outRank", n);
        targets.expect("scoreRank targets", n);
        Checks.csr("scoreRank list", listOffsets, list, n);
        CUdeviceptr rp = ptr(outRank), hp = ptr(h), wp = ptr(w), bp = ptr(bias), tp = ptr(targets),
                lo = ptr(listOffsets), li = ptr(list);
        bind();
        if (n == 0) return;
        int modeCode = mode == RankMode.EXCLUDE ? 0 : 1; // RANK_EXCLUDE / RANK_CANDIDATES of score.cu
        launch(CudaKernel.SCORE_RANK, n, 1, SCORE_THREADS, 1, 0, rp, hp, wp, bp, tp, lo, li, hid, v, modeCode, errorFlag);
    }

    // ---- lifetime ---------------------------------------------------------------------------------------------------------

    /** Frees every allocation and module and releases the primary context; the first failure is thrown at the end. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        CudaDriverException first = null;
        if (contextRetained) {
            List<Runnable> steps = new ArrayList<>();
            steps.add(() -> check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent"));
            steps.add(() -> check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize"));
            for (CUdeviceptr p : allocations) steps.add(() -> check(JCudaDriver.cuMemFree(p), "cuMemFree"));
            for (CUmodule m : modules.values()) steps.add(() -> check(JCudaDriver.cuModuleUnload(m), "cuModuleUnload"));
            steps.add(() -> check(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease"));
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (CudaDriverException e) {
                    if (first == null) first = e;
                }
            }
        }
        allocations.clear();
        modules.clear();
        if (first != null) throw first;
    }
}
