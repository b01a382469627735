package dev.lstmrec.spark;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The packed per-bucket records of the averaging shuffle sum exactly what one record per slice summed. */
class SliceUpdateTest {
    /** Random ascending slices of random lengths (1..6 floats) drawn from ids [0, 40); values keyed by slice id. */
    private static SliceUpdate task(Random rnd, TreeMap<Integer, float[][]> values) {
        int n = 0;
        int[] ids = new int[40], start = new int[41], mStart = new int[41];
        float[] w = new float[240], m = new float[240], v = new float[240];
        for (int s = 0; s < 40; s++) {
            if (rnd.nextInt(3) != 0) continue;
            int len = 1 + s % 6; // a slice's length is fixed by its id, as in the layout
            ids[n] = s;
            float[][] x = new float[3][len];
            for (int k = 0; k < 3; k++) for (int e = 0; e < len; e++) x[k][e] = rnd.nextFloat() - 0.5f;
            values.put(s, x);
            System.arraycopy(x[0], 0, w, start[n], len);
            boolean moment = s % 5 != 0; // some slices ship no m
            if (!moment) java.util.Arrays.fill(x[1], 0f);
            if (moment) System.arraycopy(x[1], 0, m, mStart[n], len);
            System.arraycopy(x[2], 0, v, start[n], len);
            start[n + 1] = start[n] + len;
            mStart[n + 1] = mStart[n] + (moment ? len : 0);
            n++;
        }
        return SliceUpdate.of(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(start, n + 1), w,
                java.util.Arrays.copyOf(mStart, n + 1), m, v);
    }

    @Test
    void mergingPackedRecordsSumsEverySliceAndCountsItsTasks() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int tasks = 1 + rnd.nextInt(4);
            TreeMap<Integer, double[][]> expected = new TreeMap<>();
            TreeMap<Integer, Integer> counts = new TreeMap<>();
            SliceUpdate merged = null;
            for (int t = 0; t < tasks; t++) {
                TreeMap<Integer, float[][]> values = new TreeMap<>();
                SliceUpdate u = task(rnd, values);
                u.addStats(1.5, 10, t + 1);
                values.forEach((s, x) -> {
                    double[][] sum = expected.computeIfAbsent(s, k -> new double[3][x[0].length]);
                    for (int k = 0; k < 3; k++) for (int e = 0; e < x[k].length; e++) sum[k][e] += x[k][e];
                    counts.merge(s, 1, Integer::sum);
                });
                merged = merged == null ? u : rnd.nextBoolean() ? SliceUpdate.merge(merged, u) : SliceUpdate.merge(u, merged);
                if (rnd.nextBoolean()) merged = SliceUpdate.merge(merged, SliceUpdate.empty()); // a statistics-only record
            }
            assertEquals(expected.size(), merged.size(), "trial " + trial);
            int j = 0;
            for (var e : expected.entrySet()) {
                assertEquals(e.getKey(), merged.slice(j), "slices stay ascending");
                assertEquals((int) counts.get(e.getKey()), merged.count(j));
                double[][] sum = e.getValue();
                assertEquals(sum[0].length, merged.length(j));
                assertEquals(e.getKey() % 5 != 0 ? sum[0].length : 0, merged.mLength(j), "m only where shipped");
                for (int k = 0; k < 3; k++) {
                    double[] got = new double[sum[k].length];
                    int from = k == 1 ? merged.mStart(j) : merged.start(j);
                    if (k != 1 || merged.mLength(j) > 0) for (int i = 0; i < got.length; i++) got[i] = merged.sum(k, from + i);
                    assertArrayEquals(sum[k], got, 0.0, "sums of floats are exact in double");
                }
                j++;
            }
            assertEquals(1.5 * tasks, merged.loss(), 1e-12);
            assertEquals(10L * tasks, merged.tokens());
            assertEquals(tasks, merged.maxSteps());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void recordsSurviveSerialisationBitForBit() throws Exception {
        Random rnd = new Random(3);
        SliceUpdate a = task(rnd, new TreeMap<>()), b = task(rnd, new TreeMap<>());
        a.addStats(2.25, 17, 3);
        a.addTraffic(1, 1, 99);
        SliceUpdate sum = SliceUpdate.merge(task(rnd, new TreeMap<>()), b);
        for (SliceUpdate u : new SliceUpdate[] {a, sum, SliceUpdate.empty()}) {
            SliceUpdate c = roundTrip(u);
            assertEquals(u.size(), c.size());
            for (int j = 0; j < u.size(); j++) {
                assertEquals(u.slice(j), c.slice(j));
                assertEquals(u.start(j), c.start(j));
                assertEquals(u.mStart(j), c.mStart(j));
                assertEquals(u.mLength(j), c.mLength(j));
                assertEquals(u.length(j), c.length(j));
                assertEquals(u.count(j), c.count(j));
                for (int k = 0; k < 3; k += 2) {
                    for (int i = 0; i < u.length(j); i++) assertEquals(u.sum(k, u.start(j) + i), c.sum(k, c.start(j) + i));
                }
                for (int i = 0; i < u.mLength(j); i++) assertEquals(u.sum(1, u.mStart(j) + i), c.sum(1, c.mStart(j) + i));
            }
            assertEquals(u.loss(), c.loss());
            assertEquals(u.tokens(), c.tokens());
            assertEquals(u.maxSteps(), c.maxSteps());
            assertEquals(u.builds(), c.builds());
            assertEquals(u.fullLoads(), c.fullLoads());
            assertEquals(u.stateFloats(), c.stateFloats());
        }
        float[] w = new float[70_000]; // more than one 64 KiB chunk
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextFloat();
        w[5] = Float.NaN;
        w[6] = -0f;
        int[] slices = new int[40_000];
        for (int i = 0; i < slices.length; i++) slices[i] = 3 * i;
        RoundDelta d = new RoundDelta(7, 2, 40, 123, slices, w, w.clone(), new float[0]);
        RoundDelta c = roundTrip(d);
        assertEquals(List.of(7, 2, 40, 123), List.of(c.round(), c.epoch(), c.firstBatch(), c.step()));
        assertArrayEquals(slices, c.slices());
        for (float[][] pair : new float[][][] {{w, c.w()}, {w, c.m()}}) {
            assertEquals(pair[0].length, pair[1].length);
            for (int i = 0; i < w.length; i++) assertEquals(Float.floatToRawIntBits(pair[0][i]), Float.floatToRawIntBits(pair[1][i]));
        }
        assertEquals(0, c.v().length);
    }

    @Test
    void slicesMustAscend() {
        assertThrows(IllegalArgumentException.class,
                () -> SliceUpdate.of(new int[] {3, 2}, new int[] {0, 1, 2}, new float[2], new int[] {0, 1, 2}, new float[2], new float[2]));
        assertThrows(IllegalArgumentException.class, // an m shorter than its slice
                () -> SliceUpdate.of(new int[] {2}, new int[] {0, 2}, new float[2], new int[] {0, 1}, new float[1], new float[2]));
    }
}
