package dev.lstmrec.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector exp, sigmoid and tanh built from FMA and bit tricks, because the Vector API's lanewise EXP/TANH are
 * library calls on JDK 17. exp is Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial),
 * about 2 ulp; checked against Math.exp/Math.tanh through the LSTM and softmax tests (ScalarBackend oracle).
 */
final class VMath {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;

    private VMath() {}

    /** e^x; inputs are clamped to [-87.3, 88], so the result is finite and normal (never 0 or inf). */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87.3f).min(88f);
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND_MAGIC));
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500E-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector bits = (IntVector) t.reinterpretAsInts();
        IntVector scale = bits.sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(scale.reinterpretAsFloats());
    }

    /** 1 / (1 + e^-x). */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
    }

    /** tanh as 2·sigmoid(2x) - 1 (no masks, which JDK 17 does not always intrinsify); absolute error ~1e-7. */
    static FloatVector tanh(FloatVector x) {
        FloatVector sig = FloatVector.broadcast(S, 1f).div(exp(x.mul(-2f)).add(1f));
        return sig.mul(2f).sub(1f);
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    static float tanh(float x) {
        return (float) Math.tanh(x);
    }
}
