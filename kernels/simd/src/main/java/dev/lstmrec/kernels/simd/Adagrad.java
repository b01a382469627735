package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.AdagradStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adagrad-with-momentum element update of one row (GRU4Rec's IndexedAdagradM), vectorised with the operation order of
 * ScalarBackend.adagradUpdateRows (no FMA contraction). Memory-bound like Adam: 4 float reads, 3 writes, 1 sqrt and
 * 1 divide per element.
 */
final class Adagrad {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;

    private Adagrad() {}

    static void update(float[] pd, int po, float[] gd, int go, float[] md, int mo, float[] ad, int ao, AdagradStep step,
                       int c) {
        float gs = step.gradScale(), lr = step.lr(), mu = step.momentum(), eps = step.eps(), decay = lr * step.weightDecay();
        int e = 0, bound = S.loopBound(c);
        for (; e < bound; e += L) {
            FloatVector g = FloatVector.fromArray(S, gd, go + e).mul(gs);
            FloatVector a = FloatVector.fromArray(S, ad, ao + e).add(g.mul(g));
            FloatVector mv = FloatVector.fromArray(S, md, mo + e).mul(mu).add(g.mul(lr).div(a.add(eps).sqrt()));
            a.intoArray(ad, ao + e);
            mv.intoArray(md, mo + e);
            FloatVector p = FloatVector.fromArray(S, pd, po + e);
            p.sub(mv.add(p.mul(decay))).intoArray(pd, po + e);
        }
        for (; e < c; e++) {
            float g = gd[go + e] * gs;
            float a = ad[ao + e] + g * g;
            float mv = mu * md[mo + e] + lr * g / (float) Math.sqrt(a + eps);
            ad[ao + e] = a;
            md[mo + e] = mv;
            float p = pd[po + e];
            pd[po + e] = p - (mv + decay * p);
        }
    }
}
