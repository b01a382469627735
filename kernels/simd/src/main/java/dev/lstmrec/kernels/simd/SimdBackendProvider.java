package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendProvider;
import dev.lstmrec.engine.backend.Probe;
import dev.lstmrec.engine.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers {@link SimdBackend}. This class loads on any JVM: it names no {@code jdk.incubator.*} type, checks the
 * module in {@link #probe()}, and reaches the implementation only reflectively. Width override:
 * {@code -Dlstmrec.simd.bits} (process default) or {@code BackendOptions.extra "simd.bits"} (per backend).
 */
public final class SimdBackendProvider implements BackendProvider {
    /** System property forcing the species width in bits (128, 256 or 512). */
    public static final String BITS_PROPERTY = "lstmrec.simd.bits";
    /** {@link BackendOptions#extra()} key forcing the species width of one backend. */
    public static final String BITS_OPTION = "simd.bits";
    private static final String MODULE = "jdk.incubator.vector";
    private static final String IMPLEMENTATION = "dev.lstmrec.kernels.simd.SimdBackend";
    private static final Map<Integer, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Probe probe() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return Probe.unavailable("the Vector API module is not enabled: run java with --add-modules " + MODULE);
        }
        try (Backend b = create(BackendOptions.withThreads(1))) {
            Tensor c = b.allocate(2, 2), a = b.allocate(2, 3), w = b.allocate(3, 2);
            b.upload(a, new float[] {1, 2, 3, 4, 5, 6}, 0);
            b.upload(w, new float[] {1, 0, 0, 1, 1, 1}, 0);
            b.gemm(c, false, a, false, w, 1f, 0f);
            float[] out = new float[4];
            b.download(out, 0, c);
            if (out[0] != 4f || out[1] != 5f || out[2] != 10f || out[3] != 11f) {
                return Probe.unavailable("smoke test gave wrong GEMM results " + java.util.Arrays.toString(out));
            }
            return Probe.ok(b.description());
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("Vector API present but unusable: " + e);
        }
    }

    @Override
    public Backend create(BackendOptions options) {
        String bits = options.extra().get(BITS_OPTION);
        try {
            ClassLoader loader = bits == null ? SimdBackendProvider.class.getClassLoader()
                    : LOADERS.computeIfAbsent(parseBits(bits),
                            w -> new SpeciesLoader(w, SimdBackendProvider.class.getClassLoader()));
            Class<?> impl = Class.forName(IMPLEMENTATION, true, loader);
            return (Backend) impl.getConstructor(BackendOptions.class).newInstance(options);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("cannot create the SIMD backend: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the SIMD backend: " + e, e);
        }
    }

    /** Parses a width setting; only 128, 256 and 512 are float species widths. Public: the private copies call it. */
    public static int parseBits(String text) {
        try {
            int bits = Integer.parseInt(text.trim());
            if (bits == 128 || bits == 256 || bits == 512) return bits;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("simd bits must be 128, 256 or 512, got '" + text + "'");
    }
}
