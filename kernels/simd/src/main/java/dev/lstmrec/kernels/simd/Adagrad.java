package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.AdagradStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adagrad-with-momentum element update of one row (GRU4Rec's IndexedAdagradM), vectorised with the operation order of
 * ScalarBackend.adagradUpdateRows (no FMA contraction). Memory-bound like Adam: 4 float reads, 3 writes, 1 sqrt and
 * 1 divide per element (3 reads and 2 writes without momentum, which leaves m untouched).
 */
final class Adagrad {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;

    private Adagrad() {}

    static void update(float[] pd, int po, float[] gd, int go, float[] md, int mo, float[] ad, int ao, AdagradStep step,
                       int c) {
        float gs = step.gradScale(), lr = step.lr(), mu = step.momentum(), eps = step.eps(), decay = lr * step.weightDecay();
        boolean momentum = mu != 0f; // without it m is neither read nor written (as the scalar oracle)
        int e = 0, bound = S.loopBound(c);
        for (; e < bound; e += L) {
            FloatVector g = FloatVector.fromArray(S, gd, go + e).mul(gs);
            FloatVector a = FloatVector.fromArray(S, ad, ao + e).add(g.mul(g));
            FloatVector mv = g.mul(lr).div(a.add(eps).sqrt());
            if (momentum) {
                mv = FloatVector.fromArray(S, md, mo + e).mul(mu).add(mv);
                mv.intoArray(md, mo + e);
            }
            a.intoArray(ad, ao + e);
            FloatVector p = FloatVector.fromArray(S, pd, po + e);
            p.sub(mv.add(p.mul(decay))).intoArray(pd, po + e);
        }
        for (; e < c; e++) {
            float g = gd[go + e] * gs;
            float a = ad[ao + e] + g * g;
            float mv = lr * g / (float) Math.sqrt(a + eps);
            if (momentum) {
                mv = mu * md[mo + e] + mv;
                md[mo + e] = mv;
            }
            ad[ao + e] = a;
            float p = pd[po + e];
            pd[po + e] = p - (mv + decay * p);
        }
    }
}
