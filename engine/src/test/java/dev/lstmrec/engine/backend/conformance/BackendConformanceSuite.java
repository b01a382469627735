package dev.lstmrec.engine.backend.conformance;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.Probe;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.lstmrec.engine.backend.conformance.Tolerances.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The backend conformance suite: every op of {@link Backend}, on every backend found by {@link Backends#discover()},
 * checked against a fresh {@link ScalarBackend} (the oracle) on seeded random non-zero inputs, with outputs poisoned
 * with NaN, sizes that hit every vector tail, and tensors placed both whole and as misaligned guarded views; and the
 * rules of the checked front every backend is created behind: wrong shapes, foreign tensors, use after free, double
 * free and a closed backend are rejected with a clear exception.
 *
 * <p>Use: {@code class MyBackendConformanceTest extends BackendConformanceSuite {}} in any module that has the
 * engine's test-jar; override {@link #onlyBackend()} to test one backend and {@link #options()} to configure it.
 * A backend whose probe says unusable is reported as skipped with its reason, never as a pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceSuite {
    /** Sizes that hit every tail of 4-, 8- and 16-lane loops and of 32-thread warps. */
    protected static final int[] SIZES = {1, 3, 7, 15, 16, 17, 31, 33, 127, 257};
    /** A long 1-D size, past a typical GPU block and not a multiple of anything useful. */
    protected static final int LONG = 1021;

    private final Map<String, Backend> open = new LinkedHashMap<>();

    /** One discovered (or requested) backend; {@code found} is null when the requested name is not registered. */
    public record Candidate(String name, Backends.Found found) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Restricts the suite to one backend by name; empty (the default) runs every discovered backend. */
    protected Optional<String> onlyBackend() {
        return Optional.empty();
    }

    /** Options the candidate backends are created with. */
    protected BackendOptions options() {
        return BackendOptions.defaults();
    }

    /** The backends under test: the argument source of every test in this suite. */
    protected final Stream<Candidate> candidates() {
        List<Backends.Found> all = Backends.discover();
        Optional<String> only = onlyBackend();
        if (only.isEmpty()) return all.stream().map(f -> new Candidate(f.provider().name(), f));
        Backends.Found match = all.stream().filter(f -> f.provider().name().equals(only.get())).findFirst().orElse(null);
        return Stream.of(new Candidate(only.get(), match));
    }

    /** The candidate backend, created once per test class; skips (with the probe's reason) when it cannot run. */
    protected final Backend backend(Candidate c) {
        if (c.found() == null) {
            fail("backend '" + c.name() + "' is not registered with ServiceLoader; found: "
                    + Backends.discover().stream().map(f -> f.provider().name()).collect(Collectors.joining(", ")));
        }
        Probe probe = c.found().probe();
        Assumptions.assumeTrue(probe.usable(), c.name() + " unavailable: " + probe.reason());
        return open.computeIfAbsent(c.name(), n -> c.found().create(options()));
    }

    /** A twin of the candidate and a fresh scalar oracle. */
    protected final Twin twin(Candidate c, boolean views) {
        return new Twin(backend(c), new ScalarBackend(), views);
    }

    @AfterAll
    protected final void closeBackends() {
        open.values().forEach(Backend::close);
        open.clear();
    }

    private static int size(int i) {
        return SIZES[Math.floorMod(i, SIZES.length)];
    }

    // ---- memory ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void allocateIsZeroFilled(Candidate c) {
        Backend b = backend(c);
        for (int n : SIZES) {
            assertArrayEquals(new float[n * 3], RandomTensors.download(b, b.allocate(n, 3)), "allocate(" + n + ", 3)");
            assertArrayEquals(new int[n], RandomTensors.downloadInt(b, b.allocateInt(n)), "allocateInt(" + n + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void uploadDownloadThroughViewsAndOffsets(Candidate c) {
        Backend b = backend(c);
        RandomTensors rnd = new RandomTensors(11);
        for (int cols : new int[] {1, 7, 16, 17, 33}) {
            Tensor base = b.allocate(9, cols);
            Tensor rows = base.rows(2, 5);
            float[] host = rnd.nonZero(3 + 5 * cols);
            b.upload(rows, host, 3);
            float[] out = new float[2 + 5 * cols];
            out[0] = 99f;
            out[1] = 98f;
            b.download(out, 2, rows);
            assertEquals(99f, out[0]);
            assertEquals(98f, out[1]);
            assertArrayEquals(Arrays.copyOfRange(host, 3, host.length), Arrays.copyOfRange(out, 2, out.length),
                    "rows view round trip, cols " + cols);
            float[] all = RandomTensors.download(b, base);
            float[] expected = new float[9 * cols];
            System.arraycopy(host, 3, expected, 2 * cols, 5 * cols);
            assertArrayEquals(expected, all, "upload into rows(2, 5) touched only those rows, cols " + cols);

            Tensor odd = base.view(3, 2, 3);
            float[] six = rnd.nonZero(6);
            b.upload(odd, six, 0);
            b.synchronize();
            assertArrayEquals(six, RandomTensors.download(b, odd), "view(3, [2, 3])");

            IntTensor ints = b.allocateInt(4 + cols);
            IntTensor iv = ints.rows(3, cols);
            int[] ih = rnd.ints(cols + 1, 1000);
            b.uploadInt(iv, ih, 1);
            int[] io = new int[cols + 2];
            b.downloadInt(io, 2, iv);
            assertArrayEquals(Arrays.copyOfRange(ih, 1, ih.length), Arrays.copyOfRange(io, 2, io.length), "int view round trip");
            int[] iall = RandomTensors.downloadInt(b, ints);
            assertEquals(0, iall[0] | iall[1] | iall[2], "int upload stayed inside its view");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void fillAndCopyOnViews(Candidate c) {
        Backend b = backend(c);
        RandomTensors rnd = new RandomTensors(12);
        for (int n : sizesAndLong()) {
            float[] host = rnd.nonZero(n + 8);
            Tensor base = RandomTensors.tensor(b, host, n + 8);
            b.fill(base.view(3, n), 0.375f);
            float[] expected = host.clone();
            Arrays.fill(expected, 3, 3 + n, 0.375f);
            assertArrayEquals(expected, RandomTensors.download(b, base), "fill view [3, " + (3 + n) + ")");

            float[] src = rnd.nonZero(n + 6);
            Tensor srcBase = RandomTensors.tensor(b, src, n + 6);
            b.copy(base.view(5, n), srcBase.view(5, 1, n));
            System.arraycopy(src, 5, expected, 5, n);
            assertArrayEquals(expected, RandomTensors.download(b, base), "copy view of [1, " + n + "] into view of [" + n + "]");
        }
    }

    private static int[] sizesAndLong() {
        int[] s = Arrays.copyOf(SIZES, SIZES.length + 1);
        s[SIZES.length] = LONG;
        return s;
    }

    // ---- embedding ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void embeddingForwardAndBackward(Candidate c) {
        RandomTensors rnd = new RandomTensors(21);
        for (int i = 0; i < SIZES.length; i++) {
            int e = size(i), rows = size(i + 4), p = size(i + 7);
            Twin t = twin(c, i % 2 == 1);
            int[] ids = rnd.ints(p, rows);
            if (p > 1) ids[p - 1] = ids[0];
            Twin.Pair table = t.in(rnd.nonZero(rows * e), rows, e);
            Twin.IntPair id = t.ints(ids, p);
            Twin.Pair out = t.out(p, e);
            t.run(s -> s.backend().embeddingForward(s.of(out), s.of(table), s.of(id)));
            String shape = " P=" + p + " R=" + rows + " E=" + e;
            t.check("embeddingForward" + shape, out, EXACT, EXACT);

            Twin.Pair dTable = t.in(rnd.nonZero(rows * e), rows, e);
            Twin.Pair dOut = t.in(rnd.nonZero(p * e), p, e);
            t.run(s -> s.backend().embeddingBackward(s.of(dTable), s.of(dOut), s.of(id)));
            t.check("embeddingBackward" + shape, dTable, reductionAtol(p + 1), REDUCTION_RTOL);
        }
    }

    // ---- dense -----------------------------------------------------------------------------------------------------

    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 1f}, {1f, 0.25f}};

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void gemmAllTransposesAndScalings(Candidate c) {
        RandomTensors rnd = new RandomTensors(31);
        for (int i = 0; i < SIZES.length; i++) {
            int m = size(i), n = size(i + 3), k = size(i + 7);
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                for (float[] ab : ALPHA_BETA) {
                    Twin t = twin(c, (i + tr) % 2 == 1);
                    Twin.Pair a = ta ? t.in(rnd.nonZero(k * m), k, m) : t.in(rnd.nonZero(m * k), m, k);
                    Twin.Pair b = tb ? t.in(rnd.nonZero(n * k), n, k) : t.in(rnd.nonZero(k * n), k, n);
                    // beta = 0 must not read C, so C stays NaN-poisoned there.
                    Twin.Pair cm = ab[1] == 0f ? t.out(m, n) : t.in(rnd.nonZero(m * n), m, n);
                    t.run(s -> s.backend().gemm(s.of(cm), ta, s.of(a), tb, s.of(b), ab[0], ab[1]));
                    t.check("gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " M=" + m + " N=" + n + " K=" + k
                            + " alpha=" + ab[0] + " beta=" + ab[1], cm, reductionAtol(k + 1), REDUCTION_RTOL);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void addBiasAndBiasBackward(Candidate c) {
        RandomTensors rnd = new RandomTensors(41);
        for (int i = 0; i <= SIZES.length; i++) {
            int rows = size(i), cols = i == SIZES.length ? LONG : size(i + 3);
            Twin t = twin(c, i % 2 == 0);
            Twin.Pair out = t.in(rnd.nonZero(rows * cols), rows, cols);
            Twin.Pair bias = t.in(rnd.nonZero(cols), cols);
            t.run(s -> s.backend().addBias(s.of(out), s.of(bias)));
            t.check("addBias R=" + rows + " C=" + cols, out, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);

            Twin.Pair dBias = t.in(rnd.nonZero(cols), cols);
            Twin.Pair dOut = t.in(rnd.nonZero(rows * cols), rows, cols);
            t.run(s -> s.backend().biasBackward(s.of(dBias), s.of(dOut)));
            t.check("biasBackward R=" + rows + " C=" + cols, dBias, reductionAtol(rows + 1), REDUCTION_RTOL);
        }
    }

    // ---- LSTM --------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void lstmCellForward(Candidate c) {
        RandomTensors rnd = new RandomTensors(51);
        for (int i = 0; i < SIZES.length; i++) {
            int n = size(i), hid = size(i + 5), g4 = 4 * hid;
            for (boolean withPrev : new boolean[] {false, true}) {
                Twin t = twin(c, i % 2 == 1);
                Twin.Pair h = t.out(n, hid), cell = t.out(n, hid);
                Twin.Pair gates = t.in(rnd.nonZero(n * g4, 2f), n, g4);
                Twin.Pair bias = t.in(rnd.nonZero(g4, 0.5f), g4);
                Twin.Pair cPrev = withPrev ? t.in(rnd.nonZero(n * hid), n, hid) : null;
                t.run(s -> s.backend().lstmCellForward(s.of(h), s.of(cell), s.of(gates), s.of(bias),
                        cPrev == null ? null : s.of(cPrev)));
                String what = " n=" + n + " H=" + hid + (withPrev ? " with cPrev" : " cPrev=null");
                t.check("lstmCellForward h" + what, h, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
                t.check("lstmCellForward c" + what, cell, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
                t.check("lstmCellForward gates" + what, gates, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            }
        }
    }

    private enum DcPrev { NONE, SEPARATE, ALIASES_DC }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void lstmCellBackward(Candidate c) {
        RandomTensors rnd = new RandomTensors(52);
        for (int i = 0; i < SIZES.length; i++) {
            int n = size(i), hid = size(i + 5), g4 = 4 * hid;
            for (boolean withDc : new boolean[] {false, true}) {
                for (boolean withPrev : new boolean[] {false, true}) {
                    for (DcPrev mode : DcPrev.values()) {
                        if (mode == DcPrev.ALIASES_DC && !withDc) continue;
                        Twin t = twin(c, (i + (withPrev ? 1 : 0)) % 2 == 1);
                        Twin.Pair gates = t.in(activations(rnd, n, hid), n, g4);
                        Twin.Pair cell = t.in(rnd.nonZero(n * hid), n, hid);
                        Twin.Pair cPrev = withPrev ? t.in(rnd.nonZero(n * hid), n, hid) : null;
                        Twin.Pair dh = t.in(rnd.nonZero(n * hid), n, hid);
                        Twin.Pair dc = withDc ? t.in(rnd.nonZero(n * hid), n, hid) : null;
                        Twin.Pair dGates = t.out(n, g4);
                        Twin.Pair dcPrev = switch (mode) {
                            case NONE -> null;
                            case SEPARATE -> t.out(n, hid);
                            case ALIASES_DC -> dc;
                        };
                        t.run(s -> s.backend().lstmCellBackward(s.of(dGates), dcPrev == null ? null : s.of(dcPrev),
                                s.of(dh), dc == null ? null : s.of(dc), s.of(gates), s.of(cell),
                                cPrev == null ? null : s.of(cPrev)));
                        String what = " n=" + n + " H=" + hid + " dc=" + (withDc ? "given" : "null")
                                + " cPrev=" + (withPrev ? "given" : "null") + " dcPrev=" + mode;
                        t.check("lstmCellBackward dGates" + what, dGates, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
                        if (dcPrev != null) {
                            t.check("lstmCellBackward dcPrev" + what, dcPrev, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
                        }
                    }
                }
            }
        }
    }

    /** Plausible saved activations [i f g o]: sigmoids in (0.05, 0.95), tanh of magnitude in [0.25, 0.95]. */
    private static float[] activations(RandomTensors rnd, int n, int hid) {
        float[] a = rnd.uniform(n * 4 * hid, 0.05f, 0.95f);
        float[] g = rnd.nonZero(n * hid, 0.95f);
        for (int r = 0; r < n; r++) System.arraycopy(g, r * hid, a, r * 4 * hid + 2 * hid, hid);
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void dropoutMatchesTheHashMask(Candidate c) {
        RandomTensors rnd = new RandomTensors(61);
        int[] sizes = sizesAndLong();
        for (int i = 0; i < sizes.length; i++) {
            for (float p : new float[] {0f, 0.1f, 0.5f}) {
                int n = sizes[i];
                long seed = rnd.random().nextLong();
                Twin t = twin(c, i % 2 == 0);
                float[] host = rnd.nonZero(3 * n);
                Twin.Pair x = t.in(host, 3, n);
                t.run(s -> s.backend().dropout(s.of(x), p, seed));
                String what = "dropout n=3x" + n + " p=" + p;
                float[] ref = t.check(what, x, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
                float[] got = t.candidateValues(x);
                int dropped = 0;
                for (int e = 0; e < host.length; e++) {
                    boolean keep = DropoutMask.keep(seed, e, p);
                    if (!keep) dropped++;
                    if (keep == (got[e] == 0f) || keep == (ref[e] == 0f)) {
                        fail(what + ": element " + e + " should be " + (keep ? "kept" : "dropped")
                                + " by DropoutMask; candidate " + got[e] + ", oracle " + ref[e]);
                    }
                }
                if (p == 0.5f && host.length >= 48) assertTrue(dropped > 0 && dropped < host.length, what + " dropped " + dropped);
            }
        }
    }

    // ---- loss ------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void softmaxCrossEntropy(Candidate c) {
        RandomTensors rnd = new RandomTensors(71);
        for (int i = 0; i < SIZES.length + 2; i++) {
            int rows = i < SIZES.length ? size(i) : (i == SIZES.length ? 3 : 16);
            int v = i < SIZES.length ? size(i + 2) : LONG;
            boolean large = i % 2 == 1, inPlace = i % 3 == 0;
            float gradScale = i % 4 < 2 ? 1f : 0.25f;
            Twin t = twin(c, i % 2 == 0);
            int[] targets = rnd.ints(rows, v);
            for (int r = 1; r < rows; r += 3) targets[r] = -1;
            Twin.Pair logits = t.in(rnd.nonZero(rows * v, large ? 50f : 3f), rows, v);
            Twin.IntPair tg = t.ints(targets, rows);
            Twin.Pair loss = t.in(new float[] {3.5f}, 1);
            Twin.Pair dLogits = inPlace ? logits : t.out(rows, v);
            t.run(s -> s.backend().softmaxCrossEntropy(s.of(dLogits), s.of(loss), s.of(logits), s.of(tg), gradScale));
            String what = "softmaxCrossEntropy P=" + rows + " V=" + v + (large ? " logits ~±50" : "")
                    + (inPlace ? " dLogits aliases logits" : "") + " gradScale=" + gradScale;
            t.check(what + " dLogits", dLogits, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            float[] l = t.check(what + " loss", loss, TRANSCENDENTAL_ATOL * (rows + 1), TRANSCENDENTAL_RTOL);
            // With V = 1 every row's loss is log 1 = 0; otherwise each unmasked row adds a positive amount.
            assertTrue(v == 1 ? l[0] == 3.5f : l[0] > 3.5f, what + ": loss accumulates onto the existing 3.5, got " + l[0]);
            float[] got = t.candidateValues(dLogits);
            for (int r = 0; r < rows; r++) {
                if (targets[r] >= 0) continue;
                for (int j = 0; j < v; j++) {
                    if (got[r * v + j] != 0f) fail(what + ": masked row " + r + " has gradient " + got[r * v + j] + " at " + j);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void biasedSoftmaxCrossEntropyMatchesAddBiasSoftmaxBiasBackward(Candidate c) {
        RandomTensors rnd = new RandomTensors(73);
        for (int i = 0; i < SIZES.length + 2; i++) {
            int rows = i < SIZES.length ? size(i) : (i == SIZES.length ? 3 : 16);
            int v = i < SIZES.length ? size(i + 2) : LONG;
            boolean inPlace = i % 2 == 0;
            float gradScale = i % 4 < 2 ? 1f : 0.25f;
            Twin t = twin(c, i % 3 == 0);
            int[] targets = rnd.ints(rows, v);
            for (int r = 1; r < rows; r += 3) targets[r] = -1;
            Twin.Pair logits = t.in(rnd.nonZero(rows * v, 3f), rows, v);
            Twin.Pair bias = t.in(rnd.nonZero(v, 2f), v);
            Twin.Pair dBias = t.in(rnd.nonZero(v), v);
            Twin.IntPair tg = t.ints(targets, rows);
            Twin.Pair loss = t.in(new float[] {1.5f}, 1);
            Twin.Pair dLogits = inPlace ? logits : t.out(rows, v);
            t.run(s -> s.backend().biasedSoftmaxCrossEntropy(s.of(dLogits), s.of(dBias), s.of(loss), s.of(logits),
                    s.of(bias), s.of(tg), gradScale));
            String what = "biasedSoftmaxCrossEntropy P=" + rows + " V=" + v + (inPlace ? " dLogits aliases logits" : "")
                    + " gradScale=" + gradScale;
            t.check(what + " dLogits", dLogits, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            t.check(what + " loss", loss, TRANSCENDENTAL_ATOL * (rows + 1), TRANSCENDENTAL_RTOL);
            t.check(what + " dBias", dBias, reductionAtol(rows + 1), REDUCTION_RTOL);
        }
    }

    /** Row lists for fillColumns over [n, v]: some rows empty, some with a column listed twice. */
    private static int[][] columnLists(RandomTensors rnd, int n, int v) {
        int[] offsets = new int[n + 1];
        List<Integer> list = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int count = r % 4 == 3 ? 0 : rnd.nextInt(Math.min(v, 9) + 1);
            for (int e = 0; e < count; e++) list.add(rnd.nextInt(v));
            if (count > 0 && r % 3 == 1) list.add(list.get(list.size() - 1));
            offsets[r + 1] = list.size();
        }
        return new int[][] {offsets, list.stream().mapToInt(Integer::intValue).toArray()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void fillColumnsWritesExactlyTheListedColumns(Candidate c) {
        RandomTensors rnd = new RandomTensors(75);
        for (int i = 0; i <= SIZES.length; i++) {
            int n = size(i), v = i == SIZES.length ? LONG : size(i + 4);
            float value = i % 2 == 0 ? Float.NEGATIVE_INFINITY : -3.25f;
            Twin t = twin(c, i % 2 == 1);
            float[] x = rnd.nonZero(n * v);
            int[][] lists = columnLists(rnd, n, v);
            Twin.Pair xs = t.in(x, n, v);
            Twin.IntPair off = t.ints(lists[0], n + 1), cols = t.ints(lists[1], lists[1].length);
            t.run(s -> s.backend().fillColumns(s.of(xs), s.of(off), s.of(cols), value));
            float[] expected = x.clone();
            for (int r = 0; r < n; r++) for (int k = lists[0][r]; k < lists[0][r + 1]; k++) expected[r * v + lists[1][k]] = value;
            String what = "fillColumns n=" + n + " V=" + v + " value " + value;
            assertArrayEquals(expected, t.oracleValues(xs), what + " (oracle)");
            assertArrayEquals(expected, t.candidateValues(xs), what + " [" + c.name() + "]");
            t.check(what, xs, 0, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void biasedSoftmaxCrossEntropyOverColumnsFilledWithMinusInfinity(Candidate c) {
        // The training softmax with seen items masked: -inf logits get probability 0 (within rounding) and the loss
        // stays finite as long as the target is not masked.
        RandomTensors rnd = new RandomTensors(76);
        for (int i = 0; i < SIZES.length; i++) {
            int rows = size(i), v = Math.max(2, size(i + 5));
            Twin t = twin(c, i % 2 == 0);
            int[] targets = rnd.ints(rows, v);
            for (int r = 2; r < rows; r += 5) targets[r] = -1;
            int[][] lists = columnLists(rnd, rows, v);
            int kept = 0;
            for (int k = 0; k < lists[1].length; k++) {
                int r = 0;
                while (lists[0][r + 1] <= k) r++;
                if (lists[1][k] != targets[r]) lists[1][kept++] = lists[1][k];
                else lists[1][kept++] = (targets[r] + 1) % v; // never the row's own target
            }
            Twin.Pair logits = t.in(rnd.nonZero(rows * v, 3f), rows, v);
            Twin.Pair bias = t.in(rnd.nonZero(v, 2f), v);
            Twin.Pair dBias = t.in(rnd.nonZero(v), v);
            Twin.IntPair tg = t.ints(targets, rows), off = t.ints(lists[0], rows + 1), cols = t.ints(lists[1], lists[1].length);
            Twin.Pair loss = t.in(new float[] {1.5f}, 1);
            t.run(s -> {
                s.backend().fillColumns(s.of(logits), s.of(off), s.of(cols), Float.NEGATIVE_INFINITY);
                s.backend().biasedSoftmaxCrossEntropy(s.of(logits), s.of(dBias), s.of(loss), s.of(logits), s.of(bias), s.of(tg), 0.5f);
            });
            String what = "fillColumns(-inf) + biasedSoftmaxCrossEntropy P=" + rows + " V=" + v;
            t.check(what + " dLogits", logits, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            float[] l = t.check(what + " loss", loss, TRANSCENDENTAL_ATOL * (rows + 1), TRANSCENDENTAL_RTOL);
            assertTrue(Float.isFinite(l[0]) && Float.isFinite(t.candidateValues(loss)[0]), what + ": finite loss, got " + l[0]);
            t.check(what + " dBias", dBias, reductionAtol(rows + 1), REDUCTION_RTOL);
            float[] ref = t.oracleValues(logits);
            for (int r = 0; r < rows; r++) {
                for (int k = lists[0][r]; k < lists[0][r + 1]; k++) {
                    assertEquals(0f, ref[r * v + lists[1][k]], what + ": the oracle's gradient at masked column " + lists[1][k] + " of row " + r);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void sumSquaresAccumulates(Candidate c) {
        RandomTensors rnd = new RandomTensors(81);
        int[] sizes = sizesAndLong();
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            Twin t = twin(c, i % 2 == 1);
            Twin.Pair x = i % 3 == 0 ? t.in(rnd.nonZero(2 * n), 2, n) : t.in(rnd.nonZero(n), n);
            Twin.Pair out = t.in(new float[] {1.25f}, 1);
            t.run(s -> s.backend().sumSquares(s.of(out), s.of(x)));
            float[] ref = t.check("sumSquares n=" + x.cand().size(), out, reductionAtol(2 * n + 1), REDUCTION_RTOL);
            assertTrue(ref[0] > 1.25f + x.cand().size() / 16f - 1e-3f, "sumSquares accumulates onto 1.25");
        }
    }

    // ---- optimizer ---------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void adamUpdateSeveralSteps(Candidate c) {
        RandomTensors rnd = new RandomTensors(91);
        int[] sizes = {1, 7, 16, 17, 33, 257, LONG};
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            float wd = i % 2 == 0 ? 0.01f : 0f, gradScale = i % 3 == 0 ? 1f : 0.5f;
            Twin t = twin(c, i % 2 == 1);
            Twin.Pair param = t.in(rnd.nonZero(n), n);
            Twin.Pair m = t.in(rnd.nonZero(n, 0.1f), n);
            Twin.Pair v = t.in(rnd.uniform(n, 0.01f, 0.1f), n);
            Twin.Pair grad = t.in(rnd.nonZero(n), n);
            for (int step = 1; step <= 3; step++) {
                t.upload(grad, rnd.nonZero(n));
                AdamStep as = new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, wd, step, gradScale);
                t.run(s -> s.backend().adamUpdate(s.of(param), s.of(grad), s.of(m), s.of(v), as));
                String what = "adamUpdate n=" + n + " step " + step + " wd=" + wd + " gradScale=" + gradScale;
                t.check(what + " param", param, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
                t.check(what + " m", m, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
                t.check(what + " v", v, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
            }
        }
    }

    // ---- sampled training -----------------------------------------------------------------------------------------------

    /** Candidate ids for n rows and C columns with accidental hits (repeats), padding columns and a masked row. */
    private static int[] sampledCandidates(RandomTensors rnd, int n, int c, int items) {
        int[] ids = rnd.ints(c, items);
        for (int j = 0; j < c; j += 5) ids[j] = ids[(j * 7 + 3) % c];       // repeats: in-batch and sampled hits
        if (c > 4) ids[c - 2] = -1;                                        // a padding column
        if (n > 3) ids[1] = -1;                                            // a masked row
        return ids;
    }

    /** (n, C) pairs: every tail, C = n (no negatives) and C well above n. */
    private static final int[][] SAMPLED_SHAPES = {{1, 1}, {1, 3}, {3, 7}, {7, 16}, {16, 17}, {17, 33}, {15, 127},
            {31, 257}, {33, 33}, {16, LONG}};

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void sampledSoftmaxCrossEntropyWithLogQAndMaskedHits(Candidate c) {
        RandomTensors rnd = new RandomTensors(75);
        for (int i = 0; i < SAMPLED_SHAPES.length; i++) {
            int n = SAMPLED_SHAPES[i][0], cols = SAMPLED_SHAPES[i][1];
            boolean inPlace = i % 2 == 0;
            float logq = i % 3 == 0 ? 0f : 0.75f, gradScale = i % 4 < 2 ? 1f : 0.25f;
            Twin t = twin(c, i % 3 == 1);
            Twin.Pair logits = t.in(rnd.nonZero(n * cols, i % 2 == 1 ? 30f : 3f), n, cols);
            Twin.Pair bias = t.in(rnd.nonZero(cols, 2f), cols);
            Twin.Pair logQ = t.in(rnd.uniform(cols, -9f, 0f), cols);
            Twin.Pair dBias = t.in(rnd.nonZero(cols), cols);
            Twin.IntPair ids = t.ints(sampledCandidates(rnd, n, cols, Math.max(2, cols / 2)), cols);
            Twin.Pair loss = t.in(new float[] {2.5f}, 1);
            Twin.Pair dLogits = inPlace ? logits : t.out(n, cols);
            t.run(s -> s.backend().sampledSoftmaxCrossEntropy(s.of(dLogits), s.of(dBias), s.of(loss), s.of(logits),
                    s.of(bias), s.of(logQ), s.of(ids), logq, gradScale));
            String what = "sampledSoftmaxCrossEntropy n=" + n + " C=" + cols + " logq=" + logq + (inPlace ? " in place" : "");
            t.check(what + " dLogits", dLogits, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            t.check(what + " loss", loss, TRANSCENDENTAL_ATOL * (n + 1), TRANSCENDENTAL_RTOL);
            t.check(what + " dBias", dBias, reductionAtol(n + 1), REDUCTION_RTOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void bprMaxLossWithMaskedHits(Candidate c) {
        RandomTensors rnd = new RandomTensors(77);
        for (int i = 0; i < SAMPLED_SHAPES.length; i++) {
            int n = SAMPLED_SHAPES[i][0], cols = SAMPLED_SHAPES[i][1];
            boolean inPlace = i % 2 == 1;
            float bpreg = i % 3 == 0 ? 0f : 1f, gradScale = i % 4 < 2 ? 1f : 0.25f;
            Twin t = twin(c, i % 3 == 2);
            Twin.Pair logits = t.in(rnd.nonZero(n * cols, i % 2 == 1 ? 4f : 1f), n, cols);
            Twin.Pair bias = t.in(rnd.nonZero(cols, 0.5f), cols);
            Twin.Pair dBias = t.in(rnd.nonZero(cols), cols);
            Twin.IntPair ids = t.ints(sampledCandidates(rnd, n, cols, Math.max(2, cols / 2)), cols);
            Twin.Pair loss = t.in(new float[] {0.5f}, 1);
            Twin.Pair dLogits = inPlace ? logits : t.out(n, cols);
            t.run(s -> s.backend().bprMaxLoss(s.of(dLogits), s.of(dBias), s.of(loss), s.of(logits), s.of(bias), s.of(ids),
                    bpreg, gradScale));
            String what = "bprMaxLoss n=" + n + " C=" + cols + " bpreg=" + bpreg + (inPlace ? " in place" : "");
            t.check(what + " dLogits", dLogits, TRANSCENDENTAL_ATOL, TRANSCENDENTAL_RTOL);
            t.check(what + " loss", loss, TRANSCENDENTAL_ATOL * (n + 1) * 10, TRANSCENDENTAL_RTOL);
            t.check(what + " dBias", dBias, reductionAtol(n + 1), REDUCTION_RTOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void adamUpdateRowsTouchesOnlyListedRows(Candidate c) {
        rowUpdateTouchesOnlyListedRows(c, 93, "adamUpdateRows", "m", "v", shape -> false, (side, p, g, m, v, ids, shape, step) -> {
            float wd = shape % 2 == 0 ? 0.01f : 0f, gradScale = shape % 3 == 0 ? 1f : 0.5f;
            side.backend().adamUpdateRows(p, g, m, v, ids, new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, wd, step, gradScale));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void adagradUpdateRowsTouchesOnlyListedRows(Candidate c) {
        // without momentum, mom is neither read nor written (a distributed round need not ship it)
        rowUpdateTouchesOnlyListedRows(c, 94, "adagradUpdateRows", "mom", "acc", shape -> shape % 2 != 0, (side, p, g, mom, acc, ids, shape, step) -> {
            float wd = shape % 2 == 0 ? 0.01f : 0f, gradScale = shape % 3 == 0 ? 1f : 0.5f, momentum = shape % 2 == 0 ? 0.3f : 0f;
            side.backend().adagradUpdateRows(p, g, mom, acc, ids, new AdagradStep(5e-2f, momentum, 1e-6f, wd, gradScale));
        });
    }

    /** One row-wise optimiser step on the given operands; {@code shape} indexes the sweep, {@code step} counts from 1. */
    private interface RowUpdate {
        void apply(Twin.Side side, Tensor param, Tensor grad, Tensor m, Tensor v, IntTensor rows, int shape, int step);
    }

    /**
     * A row-wise optimiser against the oracle: random distinct rows of tables with odd shapes (one taller than a SIMD
     * split), a compact gradient block with spare rows, two steps; param and both state tensors compared in full, so a
     * write to an unlisted row fails as surely as a wrong update.
     */
    private void rowUpdateTouchesOnlyListedRows(Candidate c, long seed, String op, String mName, String vName,
                                                java.util.function.IntPredicate keepsM, RowUpdate update) {
        RandomTensors rnd = new RandomTensors(seed);
        int[][] shapes = {{1, 1, 1}, {7, 3, 2}, {16, 17, 5}, {33, 16, 33}, {257, 7, 31}, {LONG, 15, 17}};
        for (int i = 0; i < shapes.length; i++) {
            int rows = shapes[i][0], cols = shapes[i][1], touched = shapes[i][2], shape = i;
            Twin t = twin(c, i % 2 == 1);
            Twin.Pair param = t.in(rnd.nonZero(rows * cols), rows, cols);
            float[] m0 = rnd.nonZero(rows * cols, 0.1f);
            Twin.Pair m = t.in(m0, rows, cols);
            Twin.Pair v = t.in(rnd.uniform(rows * cols, 0.01f, 0.1f), rows, cols);
            Twin.Pair grad = t.in(rnd.nonZero((touched + 2) * cols), touched + 2, cols);
            int[] perm = new int[rows];
            for (int r = 0; r < rows; r++) perm[r] = r;
            for (int r = rows - 1; r > 0; r--) {
                int j = rnd.nextInt(r + 1), x = perm[r];
                perm[r] = perm[j];
                perm[j] = x;
            }
            Twin.IntPair ids = t.ints(java.util.Arrays.copyOf(perm, touched), touched);
            for (int step = 1; step <= 2; step++) {
                t.upload(grad, rnd.nonZero((touched + 2) * cols));
                int st = step;
                t.run(s -> update.apply(s, s.of(param), s.of(grad), s.of(m), s.of(v), s.of(ids), shape, st));
                String what = op + " " + rows + "x" + cols + " rows " + touched + " step " + step;
                t.check(what + " param", param, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
                t.check(what + " " + mName, m, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
                if (keepsM.test(shape)) {
                    float[] ref = t.oracleValues(m), got = t.candidateValues(m);
                    for (int e = 0; e < m0.length; e++) {
                        assertEquals(Float.floatToRawIntBits(m0[e]), Float.floatToRawIntBits(ref[e]), what + ": oracle's " + mName + " untouched at " + e);
                        assertEquals(Float.floatToRawIntBits(m0[e]), Float.floatToRawIntBits(got[e]), what + ": " + mName + " untouched at " + e);
                    }
                }
                t.check(what + " " + vName, v, ELEMENTWISE_ATOL, ELEMENTWISE_RTOL);
            }
        }
    }

    // ---- inference -----------------------------------------------------------------------------------------------------

    /** (n, H, V, K) for the top-K sweeps: every tail in H and V, K above the candidate count in several, and K = 0. */
    private static final int[][] TOPK_SHAPES = {
            {1, 1, 1, 1}, {3, 7, 15, 3}, {7, 16, 33, 7}, {16, 17, 127, 16}, {17, 31, 257, 33},
            {15, 33, 3, 7}, {31, 3, 17, 15}, {3, 127, 1021, 17}, {1, 257, 16, 1}, {33, 15, 31, 31}, {2, 7, 15, 0}};

    /** Per-row exclusion lists in CSR form; row 0 of some shapes excludes everything, some lists repeat an index. */
    private static int[][] exclusions(RandomTensors rnd, int n, int v, int shapeIndex) {
        int[] offsets = new int[n + 1];
        List<Integer> list = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (shapeIndex % 4 == 0) {
                // no exclusions at all: a zero-length list
            } else if (r == 0 && shapeIndex % 3 == 0) {
                for (int j = v - 1; j >= 0; j--) list.add(j);
            } else {
                int count = rnd.nextInt(Math.min(v, 6) + 1);
                for (int e = 0; e < count; e++) list.add(rnd.nextInt(v));
            }
            offsets[r + 1] = list.size();
        }
        return new int[][] {offsets, list.stream().mapToInt(Integer::intValue).toArray()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void scoreTopKExactOnDyadicInputs(Candidate c) {
        RandomTensors rnd = new RandomTensors(101);
        for (int si = 0; si < TOPK_SHAPES.length; si++) {
            int n = TOPK_SHAPES[si][0], hid = TOPK_SHAPES[si][1], v = TOPK_SHAPES[si][2], k = TOPK_SHAPES[si][3];
            Twin t = twin(c, si % 2 == 1);
            int[][] ex = exclusions(rnd, n, v, si);
            Twin.Pair h = t.in(rnd.dyadic(n * hid), n, hid), w = t.in(rnd.dyadic(v * hid), v, hid);
            Twin.Pair bias = t.in(scaled(rnd.dyadic(v), 1f / 8), v);
            Twin.IntPair off = t.ints(ex[0], n + 1), list = t.ints(ex[1], ex[1].length);
            Twin.IntPair idx = t.intOut(n, k);
            Twin.Pair score = t.out(n, k);
            t.run(s -> s.backend().scoreTopK(s.of(idx), s.of(score), s.of(h), s.of(w), s.of(bias), s.of(off), s.of(list)));
            String what = "scoreTopK dyadic n=" + n + " H=" + hid + " V=" + v + " K=" + k;
            // Dyadic scores are exact on every backend, so indices (ties by lower index) and scores match exactly.
            t.checkExact(what + " indices", idx);
            t.check(what + " scores", score, EXACT, EXACT);
        }
    }

    private static float[] scaled(float[] x, float f) {
        for (int i = 0; i < x.length; i++) x[i] *= f;
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void scoreTopKOnRandomInputs(Candidate c) {
        RandomTensors rnd = new RandomTensors(102);
        int rowsCompared = 0, rowsTotal = 0;
        for (int si = 0; si < TOPK_SHAPES.length; si++) {
            int n = TOPK_SHAPES[si][0], hid = TOPK_SHAPES[si][1], v = TOPK_SHAPES[si][2], k = TOPK_SHAPES[si][3];
            Twin t = twin(c, si % 2 == 0);
            int[][] ex = exclusions(rnd, n, v, si);
            float[] hh = rnd.nonZero(n * hid), wh = rnd.nonZero(v * hid), bh = rnd.nonZero(v, 0.5f);
            Twin.Pair h = t.in(hh, n, hid), w = t.in(wh, v, hid), bias = t.in(bh, v);
            Twin.IntPair off = t.ints(ex[0], n + 1), list = t.ints(ex[1], ex[1].length);
            Twin.IntPair idx = t.intOut(n, k);
            Twin.Pair score = t.out(n, k);
            t.run(s -> s.backend().scoreTopK(s.of(idx), s.of(score), s.of(h), s.of(w), s.of(bias), s.of(off), s.of(list)));
            String what = "scoreTopK random n=" + n + " H=" + hid + " V=" + v + " K=" + k;
            double tol = reductionAtol(hid + 1);
            t.check(what + " scores", score, tol, REDUCTION_RTOL);
            t.checkGuards(what + " indices", idx);
            int[] got = t.candidateValues(idx), ref = t.oracleValues(idx);
            for (int r = 0; r < n; r++) {
                rowsTotal++;
                double[] all = hostScores(hh, wh, bh, hid, v, r, ex);
                double[] ranked = Arrays.stream(all).filter(x -> !Double.isNaN(x)).boxed()
                        .sorted((x, y) -> Double.compare(y, x)).mapToDouble(Double::doubleValue).toArray();
                if (nearTie(ranked, k, 4 * tol + 4 * REDUCTION_RTOL * Math.abs(ranked.length > 0 ? ranked[0] : 0))) continue;
                rowsCompared++;
                for (int q = 0; q < k; q++) {
                    int expected = q < ranked.length ? -2 : -1;
                    int j = ref[r * k + q];
                    if (expected == -2 && j >= 0 && all[j] == ranked[q]) expected = j;
                    assertEquals(expected, j, what + " row " + r + " position " + q + ": oracle index vs double-precision order");
                    assertEquals(j, got[r * k + q], what + " row " + r + " position " + q);
                }
            }
        }
        assertTrue(rowsCompared * 2 >= rowsTotal, "indices were compared on only " + rowsCompared + " of " + rowsTotal + " rows");
    }

    /** Double-precision scores of every output index for row r; NaN for the excluded ones. */
    private static double[] hostScores(float[] h, float[] w, float[] b, int hid, int v, int r, int[][] ex) {
        double[] s = new double[v];
        for (int j = 0; j < v; j++) {
            double d = b[j];
            for (int q = 0; q < hid; q++) d += (double) h[r * hid + q] * w[j * hid + q];
            s[j] = d;
        }
        for (int e = ex[0][r]; e < ex[0][r + 1]; e++) s[ex[1][e]] = Double.NaN;
        return s;
    }

    /** Whether any two neighbours among the best k + 1 scores are closer than {@code gap}. */
    private static boolean nearTie(double[] ranked, int k, double gap) {
        for (int i = 0; i + 1 < Math.min(ranked.length, k + 1); i++) {
            if (ranked[i] - ranked[i + 1] <= gap) return true;
        }
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void scoreTopKBreaksExactTiesByLowerIndex(Candidate c) {
        RandomTensors rnd = new RandomTensors(103);
        int hid = 17, v = 33, k = 3;
        float[] w = rnd.dyadic(v * hid);
        float[] bias = scaled(rnd.dyadic(v), 1f / 8);
        for (int dup : new int[] {5, 9, 20}) System.arraycopy(w, 2 * hid, w, dup * hid, hid);
        for (int top : new int[] {2, 5, 9, 20}) bias[top] = 100f;
        Twin t = twin(c, true);
        Twin.Pair h = t.in(rnd.dyadic(2 * hid), 2, hid), wt = t.in(w, v, hid), bt = t.in(bias, v);
        Twin.IntPair off = t.ints(new int[] {0, 0, 1}, 3), list = t.ints(new int[] {5}, 1);
        Twin.IntPair idx = t.intOut(2, k);
        Twin.Pair score = t.out(2, k);
        t.run(s -> s.backend().scoreTopK(s.of(idx), s.of(score), s.of(h), s.of(wt), s.of(bt), s.of(off), s.of(list)));
        assertArrayEquals(new int[] {2, 5, 9, 2, 9, 20}, t.checkExact("scoreTopK equal rows 2, 5, 9, 20", idx),
                "oracle: tied scores must come lower index first");
        float[] s = t.check("scoreTopK tied scores", score, EXACT, EXACT);
        assertTrue(s[0] == s[1] && s[1] == s[2], "the three scores are a real tie");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void scoreRankBothModes(Candidate c) {
        RandomTensors rnd = new RandomTensors(111);
        for (int i = 0; i <= SIZES.length; i++) {
            int n = size(i), hid = size(i + 3), v = i == SIZES.length ? LONG : size(i + 6);
            for (RankMode mode : RankMode.values()) {
                Twin t = twin(c, i % 2 == 0);
                float[] w = rnd.dyadic(v * hid);
                float[] bias = scaled(rnd.dyadic(v), 1f / 8);
                int[] targets = rnd.ints(n, v);
                int t0 = targets[0];
                // Rows identical to the target's: their scores tie it exactly and must count against it.
                for (int d = 0; d < Math.min(2, v - 1); d++) {
                    int j = (t0 + 1 + d * 5) % v;
                    if (j == t0) continue;
                    System.arraycopy(w, t0 * hid, w, j * hid, hid);
                    bias[j] = bias[t0];
                }
                for (int r = 2; r < n; r += 2) targets[r] = t0;
                int[] offsets = new int[n + 1];
                List<Integer> list = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    int count = mode == RankMode.EXCLUDE ? rnd.nextInt(Math.min(v, 6) + 1) : 1 + rnd.nextInt(Math.min(v, 50));
                    for (int e = 0; e < count; e++) list.add(rnd.nextInt(v));
                    if (r % 3 == 1) list.add(targets[r]);
                    offsets[r + 1] = list.size();
                }
                int[] flat = list.stream().mapToInt(Integer::intValue).toArray();
                Twin.Pair h = t.in(rnd.dyadic(n * hid), n, hid), wt = t.in(w, v, hid), bt = t.in(bias, v);
                Twin.IntPair tg = t.ints(targets, n), off = t.ints(offsets, n + 1), li = t.ints(flat, flat.length);
                Twin.IntPair rank = t.intOut(n);
                t.run(s -> s.backend().scoreRank(s.of(rank), s.of(h), s.of(wt), s.of(bt), s.of(tg), s.of(off), s.of(li), mode));
                t.checkExact("scoreRank " + mode + " n=" + n + " H=" + hid + " V=" + v, rank);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void scoreRankCountsTiesAgainstTheTarget(Candidate c) {
        RandomTensors rnd = new RandomTensors(112);
        int hid = 7, v = 16, n = 3;
        float[] w = rnd.dyadic(v * hid);
        float[] bias = scaled(rnd.dyadic(v), 1f / 8);
        for (int dup : new int[] {1, 7}) System.arraycopy(w, 4 * hid, w, dup * hid, hid);
        for (int top : new int[] {1, 4, 7}) bias[top] = 100f;
        Twin t = twin(c, true);
        Twin.Pair h = t.in(rnd.dyadic(n * hid), n, hid), wt = t.in(w, v, hid), bt = t.in(bias, v);
        Twin.IntPair tg = t.ints(new int[] {4, 4, 4}, n);
        // Row lists: {} / {7} / {4}: the target is scored even when listed.
        Twin.IntPair off = t.ints(new int[] {0, 0, 1, 2}, n + 1), li = t.ints(new int[] {7, 4}, 2);
        Twin.IntPair rank = t.intOut(n);
        t.run(s -> s.backend().scoreRank(s.of(rank), s.of(h), s.of(wt), s.of(bt), s.of(tg), s.of(off), s.of(li), RankMode.EXCLUDE));
        assertArrayEquals(new int[] {2, 1, 2}, t.checkExact("scoreRank EXCLUDE with tied rows 1, 7", rank), "oracle EXCLUDE ranks");
        // Candidate lists: {1, 3} / {3, 4} / {}: only listed items compete.
        Twin.IntPair off2 = t.ints(new int[] {0, 2, 4, 4}, n + 1), li2 = t.ints(new int[] {1, 3, 3, 4}, 4);
        Twin.IntPair rank2 = t.intOut(n);
        t.run(s -> s.backend().scoreRank(s.of(rank2), s.of(h), s.of(wt), s.of(bt), s.of(tg), s.of(off2), s.of(li2), RankMode.CANDIDATES));
        assertArrayEquals(new int[] {1, 0, 0}, t.checkExact("scoreRank CANDIDATES with tied row 1", rank2), "oracle CANDIDATES ranks");
    }

    // ---- errors --------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void wrongShapesThrowIllegalArgument(Candidate c) {
        Backend b = backend(c);
        RandomTensors rnd = new RandomTensors(121);
        Tensor a = rnd.nonZeroTensor(b, 3, 7), bm = rnd.nonZeroTensor(b, 8, 5), cm = b.allocate(3, 5);
        assertThrows(IllegalArgumentException.class, () -> b.gemm(cm, false, a, false, bm, 1f, 0f), "gemm with K 7 vs 8");
        Tensor h = b.allocate(2, 4), cell = b.allocate(2, 4), gates = rnd.nonZeroTensor(b, 2, 15), bias = rnd.nonZeroTensor(b, 16);
        assertThrows(IllegalArgumentException.class, () -> b.lstmCellForward(h, cell, gates, bias, null), "lstm gates [2, 15] for H 4");
        Tensor out = rnd.nonZeroTensor(b, 3, 5);
        assertThrows(IllegalArgumentException.class, () -> b.addBias(out, rnd.nonZeroTensor(b, 4)), "bias of 4 for 5 columns");
        IntTensor targets = RandomTensors.intTensor(b, new int[] {0, 1}, 2);
        assertThrows(IllegalArgumentException.class,
                () -> b.softmaxCrossEntropy(b.allocate(3, 5), b.allocate(1), out, targets, 1f), "2 targets for 3 rows");
        Tensor hs = rnd.nonZeroTensor(b, 2, 4), w = rnd.nonZeroTensor(b, 6, 5), wBias = rnd.nonZeroTensor(b, 6);
        IntTensor offsets = RandomTensors.intTensor(b, new int[] {0, 0, 0}, 3), none = b.allocateInt(0);
        assertThrows(IllegalArgumentException.class, () -> b.scoreTopK(b.allocateInt(2, 3), b.allocate(2, 3), hs, w, wBias,
                offsets, none), "scoreTopK with w [6, 5] for H 4");
        assertThrows(IllegalArgumentException.class, () -> b.scoreRank(b.allocateInt(2), hs, rnd.nonZeroTensor(b, 6, 4), wBias,
                targets, RandomTensors.intTensor(b, new int[] {0, 0}, 2), none, RankMode.EXCLUDE), "scoreRank with 2 list offsets for 2 rows");
        assertThrows(IllegalArgumentException.class, () -> b.copy(b.allocate(4), b.allocate(5)), "copy of 5 into 4");
        Tensor wide = b.allocate(10);
        assertThrows(IllegalArgumentException.class, () -> b.copy(wide.view(0, 6), wide.view(4, 6)), "copy between overlapping views");
        assertThrows(IllegalArgumentException.class, () -> b.dropout(out, 1f, 1L), "dropout p = 1");
        assertThrows(IllegalArgumentException.class, () -> b.fillColumns(out, RandomTensors.intTensor(b, new int[] {0, 0, 0}, 3),
                none, 0f), "fillColumns with 3 offsets for 3 rows");
        assertThrows(IllegalArgumentException.class, () -> {
            b.fillColumns(out, RandomTensors.intTensor(b, new int[] {0, 1, 1, 1}, 4), RandomTensors.intTensor(b, new int[] {5}, 1), 0f);
            b.synchronize(); // a GPU reports what its kernel met at the next synchronising call
        }, "fillColumns column 5 of 5");
    }

    // ---- lifetime --------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void useAfterFreeIsRejected(Candidate c) {
        Backend b = backend(c);
        RandomTensors rnd = new RandomTensors(131);
        Tensor t = rnd.nonZeroTensor(b, 5, 3);
        Tensor view = t.rows(1, 2);
        IntTensor ids = RandomTensors.intTensor(b, new int[] {1, 2, 3}, 3);
        b.free(t);
        b.free(ids);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.fill(t, 1f), "fill of a freed tensor");
        assertTrue(e.getMessage().contains("after free"), "the message says what happened: " + e.getMessage());
        assertThrows(IllegalStateException.class, () -> b.fill(view, 1f), "a view of a freed tensor");
        assertThrows(IllegalStateException.class, () -> b.download(new float[6], 0, view), "download of a freed tensor");
        assertThrows(IllegalStateException.class, () -> b.uploadInt(ids, new int[3], 0), "upload into a freed int tensor");
        Tensor live = b.allocate(2, 3), table = rnd.nonZeroTensor(b, 4, 3);
        assertThrows(IllegalStateException.class, () -> b.copy(live, view), "copy from a freed tensor");
        assertThrows(IllegalStateException.class, () -> b.embeddingForward(live.rows(0, 2), table, ids), "freed ids");
        Tensor a = rnd.nonZeroTensor(b, 3, 3), dead = b.allocate(3, 3);
        b.free(dead);
        assertThrows(IllegalStateException.class, () -> b.gemm(live.reshape(2, 3), false, live.rows(0, 2), false, dead, 1f, 0f),
                "gemm with a freed B");
        assertThrows(IllegalStateException.class, () -> b.free(t), "double free");
        assertThrows(IllegalStateException.class, () -> b.free(ids), "double free of an int tensor");
        b.free(live);
        b.free(table);
        b.free(a);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void freeTakesWholeAllocationsAndReleasesThem(Candidate c) {
        Backend b = backend(c);
        Tensor t = b.allocate(4, 4);
        assertThrows(IllegalArgumentException.class, () -> b.free(t.rows(1, 2)), "a view of part of an allocation");
        b.fill(t, 2f); // still alive after the refused free
        b.free(t.reshape(16));
        b.free(b.allocate(0));
        b.free(b.allocateInt(0, 3));
        b.free((Tensor) null);
        b.free((IntTensor) null);
        try (ScalarBackend other = new ScalarBackend()) {
            Tensor foreign = other.allocate(3);
            assertThrows(IllegalArgumentException.class, () -> b.free(foreign), "free of another backend's tensor");
        }
        // Allocate-use-free cycles: each fresh tensor is zero-filled and usable (on a GPU, 64 x 4 MB without growth).
        float[] ones = new float[1 << 20];
        Arrays.fill(ones, 1f);
        for (int i = 0; i < 64; i++) {
            Tensor x = b.allocate(1 << 20);
            float[] head = new float[16];
            b.download(head, 0, x.view(0, 16));
            assertArrayEquals(new float[16], head, "cycle " + i + ": allocate is zero-filled after earlier frees");
            b.upload(x, ones, 0);
            b.free(x);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void aClosedBackendRejectsEveryCall(Candidate c) {
        backend(c); // skips when the candidate cannot run
        Backend b = c.found().create(options());
        Tensor t = b.allocate(3);
        b.close();
        b.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> b.fill(t, 1f));
        assertThrows(IllegalStateException.class, () -> b.allocate(3));
        assertThrows(IllegalStateException.class, () -> b.free(t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidates")
    void foreignTensorsAreRejected(Candidate c) {
        Backend b = backend(c);
        try (ScalarBackend other = new ScalarBackend()) {
            Tensor foreign = other.allocate(4);
            assertThrows(IllegalArgumentException.class, () -> b.fill(foreign, 1f), "fill on another backend's tensor");
            Tensor mine = b.allocate(4);
            assertThrows(IllegalArgumentException.class, () -> b.copy(mine, foreign), "copy from another backend's tensor");
        }
    }
}
