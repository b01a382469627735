package dev.lstmrec.engine.backend.conformance;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Shape;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The same logical tensors on a candidate backend and on the oracle, made from the same host data. In view layout
 * each tensor sits at an odd, misaligned offset inside a larger allocation whose surrounding cells hold a guard
 * value; {@link #check} compares the candidate with the oracle and also proves that nothing outside the view moved.
 */
public final class Twin {
    /** Guard cells around every view; a value no op under test produces from the suite's inputs. */
    public static final float GUARD = -7.75f;
    public static final int INT_GUARD = -777;
    private static final int LEAD = 5;
    private static final int TAIL = 3;

    private final Side candidate;
    private final Side oracle;
    private final boolean views;

    /** One side of the twin: a backend, and which member of each pair belongs to it. */
    public record Side(Backend backend, boolean isCandidate) {
        public Tensor of(Pair p) {
            return isCandidate ? p.cand() : p.ref();
        }

        public IntTensor of(IntPair p) {
            return isCandidate ? p.cand() : p.ref();
        }
    }

    /** A float tensor on both sides, with the base allocations it lives in. */
    public record Pair(Tensor cand, Tensor ref, Tensor candBase, Tensor refBase, int lead) {}

    /** An int tensor on both sides, with the base allocations it lives in. */
    public record IntPair(IntTensor cand, IntTensor ref, IntTensor candBase, IntTensor refBase, int lead) {}

    /**
     * @param views true to place every tensor at a non-zero offset inside a guarded allocation, false for
     *              whole tensors at offset 0
     */
    public Twin(Backend candidate, Backend oracle, boolean views) {
        this.candidate = new Side(candidate, true);
        this.oracle = new Side(oracle, false);
        this.views = views;
    }

    public boolean views() {
        return views;
    }

    /** Runs the same operation on the candidate, then on the oracle. */
    public void run(Consumer<Side> op) {
        op.accept(candidate);
        op.accept(oracle);
    }

    /** Runs {@code op} on the candidate only. */
    public void onCandidate(Consumer<Side> op) {
        op.accept(candidate);
    }

    /** An input (or in/out) tensor holding {@code host}. */
    public Pair in(float[] host, int... shape) {
        Pair p = allocate(shape);
        upload(p, host);
        return p;
    }

    /** An output tensor poisoned with NaN, so any element the op fails to write is caught. */
    public Pair out(int... shape) {
        Pair p = allocate(shape);
        poison(p);
        return p;
    }

    /** Overwrites the tensor (not its guards) on both sides. */
    public void upload(Pair p, float[] host) {
        if (host.length != p.cand().size()) throw new IllegalArgumentException("host data does not fit " + p.cand());
        candidate.backend().upload(p.cand(), host, 0);
        oracle.backend().upload(p.ref(), host, 0);
    }

    /** Fills the tensor with NaN on both sides (through upload, not the fill op under test). */
    public void poison(Pair p) {
        float[] nan = new float[p.cand().size()];
        Arrays.fill(nan, Float.NaN);
        upload(p, nan);
    }

    public IntPair ints(int[] host, int... shape) {
        int size = Shape.size(shape);
        if (host.length != size) throw new IllegalArgumentException("host ints do not fit " + Arrays.toString(shape));
        int lead = views ? LEAD : 0, total = views ? LEAD + size + TAIL : size;
        int[] base = new int[total];
        Arrays.fill(base, INT_GUARD);
        System.arraycopy(host, 0, base, lead, size);
        IntTensor cb = candidate.backend().allocateInt(total), rb = oracle.backend().allocateInt(total);
        candidate.backend().uploadInt(cb, base, 0);
        oracle.backend().uploadInt(rb, base, 0);
        return new IntPair(new IntTensor(cb.storage(), cb.offset() + lead, shape),
                new IntTensor(rb.storage(), rb.offset() + lead, shape), cb, rb, lead);
    }

    /** An int output poisoned with {@link #INT_GUARD}. */
    public IntPair intOut(int... shape) {
        int[] poison = new int[Shape.size(shape)];
        Arrays.fill(poison, INT_GUARD);
        return ints(poison, shape);
    }

    private Pair allocate(int... shape) {
        int size = Shape.size(shape);
        if (!views) {
            return new Pair(candidate.backend().allocate(shape), oracle.backend().allocate(shape), null, null, 0);
        }
        int total = LEAD + size + TAIL;
        float[] guard = new float[total];
        Arrays.fill(guard, GUARD);
        Tensor cb = candidate.backend().allocate(total), rb = oracle.backend().allocate(total);
        candidate.backend().upload(cb, guard, 0);
        oracle.backend().upload(rb, guard, 0);
        return new Pair(cb.view(LEAD, shape), rb.view(LEAD, shape), cb, rb, LEAD);
    }

    /**
     * Asserts the candidate's tensor matches the oracle's within the tolerance and that the guard cells of both are
     * intact; returns the oracle's values.
     */
    public float[] check(String what, Pair p, double atol, double rtol) {
        float[] ref = RandomTensors.download(oracle.backend(), p.ref());
        float[] got = RandomTensors.download(candidate.backend(), p.cand());
        Tolerances.assertClose(what + " [" + candidate.backend().name() + " vs scalar" + layout() + "]", ref, got, atol, rtol);
        if (p.candBase() != null) {
            checkGuards(what + " (candidate)", RandomTensors.download(candidate.backend(), p.candBase()), p.lead(), p.cand().size());
            checkGuards(what + " (oracle)", RandomTensors.download(oracle.backend(), p.refBase()), p.lead(), p.ref().size());
        }
        return ref;
    }

    /** Asserts the candidate's int tensor equals the oracle's exactly, guards included; returns the oracle's values. */
    public int[] checkExact(String what, IntPair p) {
        int[] ref = oracleValues(p);
        assertArrayEquals(ref, candidateValues(p), what + " [" + candidate.backend().name() + " vs scalar" + layout() + "]");
        checkGuards(what, p);
        return ref;
    }

    /** Asserts that neither side wrote outside the int tensor's view. */
    public void checkGuards(String what, IntPair p) {
        if (p.candBase() == null) return;
        checkGuards(what + " (candidate)", RandomTensors.downloadInt(candidate.backend(), p.candBase()), p.lead(), p.cand().size());
        checkGuards(what + " (oracle)", RandomTensors.downloadInt(oracle.backend(), p.refBase()), p.lead(), p.ref().size());
    }

    /** Downloads the candidate's values. */
    public float[] candidateValues(Pair p) {
        return RandomTensors.download(candidate.backend(), p.cand());
    }

    /** Downloads the oracle's values. */
    public float[] oracleValues(Pair p) {
        return RandomTensors.download(oracle.backend(), p.ref());
    }

    public int[] candidateValues(IntPair p) {
        return RandomTensors.downloadInt(candidate.backend(), p.cand());
    }

    public int[] oracleValues(IntPair p) {
        return RandomTensors.downloadInt(oracle.backend(), p.ref());
    }

    private String layout() {
        return views ? ", view at offset " + LEAD : ", whole tensor";
    }

    private static void checkGuards(String what, int[] base, int lead, int size) {
        for (int i = 0; i < base.length; i++) {
            boolean inside = i >= lead && i < lead + size;
            if (!inside && base[i] != INT_GUARD) fail(what + ": wrote outside its view at base index " + i + ", found " + base[i]);
        }
    }

    private static void checkGuards(String what, float[] base, int lead, int size) {
        for (int i = 0; i < base.length; i++) {
            boolean inside = i >= lead && i < lead + size;
            if (!inside && Float.floatToRawIntBits(base[i]) != Float.floatToRawIntBits(GUARD)) {
                fail(what + ": wrote outside its view at base index " + i + " (view is [" + lead + ", " + (lead + size)
                        + ")), found " + base[i]);
            }
        }
    }
}
