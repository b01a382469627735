package dev.lstmrec.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that picks the float species. It is a {@code static final} so C2 folds it into every kernel; a
 * different width in the same JVM comes from a fresh copy of this package in a {@link SpeciesLoader} whose name
 * carries the width. Otherwise {@code -Dlstmrec.simd.bits} or the platform's preferred width decides.
 */
final class Simd {
    /** Widest float vector this CPU/JVM offers. */
    static final int MAX_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    /** The width that was asked for (may exceed {@link #MAX_BITS}; the backend constructor rejects that). */
    static final int REQUESTED_BITS = requestedBits();
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.min(REQUESTED_BITS, MAX_BITS)));
    /** Float lanes per vector. */
    static final int L = F.length();

    private Simd() {}

    private static int requestedBits() {
        String loaderName = Simd.class.getClassLoader().getName();
        if (loaderName != null && loaderName.startsWith(SpeciesLoader.NAME_PREFIX)) {
            return Integer.parseInt(loaderName.substring(SpeciesLoader.NAME_PREFIX.length()));
        }
        String prop = System.getProperty(SimdBackendProvider.BITS_PROPERTY);
        if (prop == null || prop.isBlank()) return MAX_BITS;
        return SimdBackendProvider.parseBits(prop);
    }
}
