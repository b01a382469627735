package dev.lstmrec.kernels.simd;

import java.io.IOException;
import java.io.InputStream;

/**
 * Loads a private copy of this package's implementation classes so that {@link Simd}'s {@code static final}
 * species (which C2 needs constant) can differ per backend instance: {@code simd.bits=256} in one backend and the
 * native 512 in another, in one JVM (tests sweep widths this way). The width travels in the loader's name.
 * Free of {@code jdk.incubator.*} references, like the provider.
 */
final class SpeciesLoader extends ClassLoader {
    static final String NAME_PREFIX = "lstmrec-simd-bits-";
    private static final String PACKAGE = "dev.lstmrec.kernels.simd.";

    SpeciesLoader(int bits, ClassLoader parent) {
        super(NAME_PREFIX + bits, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isPrivateCopy(name)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                String resource = name.replace('.', '/') + ".class";
                try (InputStream in = getParent().getResourceAsStream(resource)) {
                    if (in == null) throw new ClassNotFoundException(name);
                    byte[] bytes = in.readAllBytes();
                    c = defineClass(name, bytes, 0, bytes.length, SpeciesLoader.class.getProtectionDomain());
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    /** Implementation classes of this package; the provider and this loader stay shared with the parent. */
    private static boolean isPrivateCopy(String name) {
        return name.startsWith(PACKAGE) && name.indexOf('.', PACKAGE.length()) < 0
                && !name.equals(SimdBackendProvider.class.getName()) && !name.equals(SpeciesLoader.class.getName());
    }
}
