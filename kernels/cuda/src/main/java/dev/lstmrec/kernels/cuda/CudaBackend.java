package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Checks;
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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The CUDA backend: every op is one launch of a hand-written kernel from src/main/cuda (PTX committed as resources,
 * JIT-compiled by the driver), through JCuda's driver API. Tensors live in device memory from allocate until free
 * (cuMemFree) or close; only upload/download move data, and download (or synchronize) is the only point that waits for the GPU.
 * Index errors the scalar backend throws at once (embedding ids, targets) are raised by kernels into a device error
 * flag and thrown at the next download/synchronize. Checked against ScalarBackend by CudaBackendGpuTest (GPU only).
 */
public final class CudaBackend implements Backend {
    /** Option key choosing the device ordinal (default 0). */
    public static final String DEVICE_OPTION = "cuda.device";

    /** All work goes to the context's default stream, so launches and copies run in submission order. */
    private static final CUstream STREAM = null;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final CUfunction[] functions = new CUfunction[CudaKernel.values().length];
    private CudaLaunches ops;
    /** Live device allocations (freed by {@link #free} or {@link #close}). */
    private final Set<CUdeviceptr> allocations = Collections.newSetFromMap(new IdentityHashMap<>());
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
            int[] sms = new int[1];
            check(JCudaDriver.cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
                    "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
            ops = new CudaLaunches(this::launch, sms[0]);
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
        return new Tensor(new DeviceMemory(deviceAlloc(n), n, this), 0, shape);
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        int n = Shape.size(shape);
        bind();
        return new IntTensor(new DeviceMemory(deviceAlloc(n), n, this), 0, shape);
    }

    @Override
    public void free(Tensor t) {
        if (t != null) freeDevice((DeviceMemory) t.storage());
    }

    @Override
    public void free(IntTensor t) {
        if (t != null) freeDevice((DeviceMemory) t.storage());
    }

    /** cuMemFree waits for pending work on the memory; a zero-length storage has nothing to free. */
    private void freeDevice(DeviceMemory memory) {
        bind();
        CUdeviceptr p = memory.release();
        if (allocations.remove(p)) check(JCudaDriver.cuMemFree(p), "cuMemFree");
    }

    private CUdeviceptr ptr(Tensor t) {
        return ((DeviceMemory) t.storage()).pointer().withByteOffset(t.offset() * 4);
    }

    private CUdeviceptr ptr(IntTensor t) {
        return ((DeviceMemory) t.storage()).pointer().withByteOffset(t.offset() * 4);
    }

    /** The device pointer of an optional tensor; the null pointer (which kernels test for) when absent. */
    private CUdeviceptr optional(Tensor t) {
        return t == null ? new CUdeviceptr() : ptr(t);
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        toDevice(ptr(dst), Pointer.to(src), srcOffset, dst.size(), src.length);
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        toHost(Pointer.to(dst), dstOffset, dst.length, ptr(src), src.size());
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        toDevice(ptr(dst), Pointer.to(src), srcOffset, dst.size(), src.length);
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        toHost(Pointer.to(dst), dstOffset, dst.length, ptr(src), src.size());
    }

    /** Copies {@code n} 4-byte elements from host array {@code src} (length {@code srcLength}) at {@code srcOffset}. */
    private void toDevice(CUdeviceptr d, Pointer src, int srcOffset, int n, int srcLength) {
        Objects.checkFromIndexSize(srcOffset, n, srcLength);
        bind();
        if (n > 0) check(JCudaDriver.cuMemcpyHtoD(d, src.withByteOffset(srcOffset * 4L), n * 4L), "cuMemcpyHtoD");
    }

    /** Copies {@code n} 4-byte elements to a host array; synchronous, and reports a kernel's error flag. */
    private void toHost(Pointer dst, int dstOffset, int dstLength, CUdeviceptr s, int n) {
        Objects.checkFromIndexSize(dstOffset, n, dstLength);
        bind();
        if (n > 0) check(JCudaDriver.cuMemcpyDtoH(dst.withByteOffset(dstOffset * 4L), s, n * 4L), "cuMemcpyDtoH");
        checkErrorFlag();
    }

    /** Reads (synchronously) and clears the kernels' error flag; throws what the scalar backend would have. */
    private void checkErrorFlag() {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(flagHost), errorFlag, 4), "cuMemcpyDtoH(error flag)");
        int code = flagHost[0];
        if (code == 0) return;
        check(JCudaDriver.cuMemsetD32(errorFlag, 0, 1), "cuMemsetD32(error flag)");
        String what = switch (code) {
            case CudaLaunches.ERR_EMBEDDING_ID -> "an embedding id outside [0, rows)";
            case CudaLaunches.ERR_SOFTMAX_TARGET -> "a softmaxCrossEntropy target >= V";
            case CudaLaunches.ERR_RANK_TARGET -> "a scoreRank target outside [0, V)";
            case CudaLaunches.ERR_ROW_INDEX -> "an adamUpdateRows or adagradUpdateRows row outside [0, rows)";
            case CudaLaunches.ERR_FILL_COLUMN -> "a fillColumns offset outside [0, columns] or column outside [0, V)";
            default -> "error code " + code;
        };
        throw new IllegalArgumentException("a CUDA kernel met " + what + " (detected on the GPU, reported at the next download/synchronize)");
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
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

    // ---- launching ------------------------------------------------------------------------------------------------

    /** The launcher behind {@link #ops}: tensors become device pointers (checking ownership), then cuLaunchKernel. */
    private void launch(CudaKernel k, int gridX, int gridY, int blockX, int blockY, int sharedBytes, Object[] args) {
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) params[i] = Pointer.to(new CUdeviceptr());
            else if (a == CudaLaunches.ERROR_FLAG) params[i] = Pointer.to(errorFlag);
            else if (a instanceof Tensor t) params[i] = Pointer.to(ptr(t));
            else if (a instanceof IntTensor t) params[i] = Pointer.to(ptr(t));
            else if (a instanceof Integer v) params[i] = Pointer.to(new int[] {v});
            else if (a instanceof Float v) params[i] = Pointer.to(new float[] {v});
            else if (a instanceof Long v) params[i] = Pointer.to(new long[] {v});
            else throw new IllegalStateException(k.entry() + " argument " + i + " has unsupported type: " + a);
        }
        bind();
        check(JCudaDriver.cuLaunchKernel(functions[k.ordinal()], gridX, gridY, 1, blockX, blockY, 1, sharedBytes, STREAM,
                Pointer.to(params), null), "cuLaunchKernel(" + k.entry() + ")");
    }

    @Override
    public void fill(Tensor dst, float value) {
        ops.fill(dst, value);
    }

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        ops.embeddingForward(out, table, ids);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        ops.embeddingBackward(dTable, dOut, ids);
    }

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        ops.gemm(c, transA, a, transB, b, alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        ops.addBias(out, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        ops.biasBackward(dBias, dOut);
    }

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        ops.lstmCellForward(h, c, gates, bias, cPrev);
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        ops.lstmCellBackward(dGates, dcPrev, dh, dc, gates, c, cPrev);
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        ops.dropout(x, p, seed);
    }

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        ops.softmaxCrossEntropy(dLogits, loss, logits, targets, gradScale);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        ops.sumSquares(out, x);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        ops.adamUpdate(param, grad, m, v, step);
    }

    // ---- sampled training ----------------------------------------------------------------------------------------

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        ops.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, logQ, candidates, logqWeight, gradScale);
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        ops.bprMaxLoss(dLogits, dBias, loss, logits, bias, candidates, bpreg, gradScale);
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        ops.adamUpdateRows(param, gradRows, m, v, rows, step);
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        ops.adagradUpdateRows(param, gradRows, mom, acc, rows, step);
    }

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        ops.scoreTopK(outIndex, outScore, h, w, bias, excludeOffsets, exclude);
    }

    @Override
    public void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        ops.fillColumns(x, offsets, columns, value);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        ops.scoreRank(outRank, h, w, bias, targets, listOffsets, list, mode);
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
