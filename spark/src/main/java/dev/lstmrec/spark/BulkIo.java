package dev.lstmrec.spark;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Primitive arrays through Java serialisation in bulk. {@code ObjectOutputStream} writes a float[] or double[] element
 * by element (a bounds-checked {@code Bits.putFloat} each), which made (de)serialising a round's averaged rows the
 * driver's largest cost at 10^6 items; here they go through a byte buffer in 64 KiB chunks instead. Used by the
 * records a training round moves: {@link SliceUpdate} (shuffle, collect) and {@link RoundDelta} (broadcast).
 */
final class BulkIo {
    private static final int CHUNK = 1 << 16;

    private BulkIo() {}

    static void writeFloats(ObjectOutput out, float[] a) throws IOException {
        write(out, a.length, Float.BYTES, (buf, from, n) -> buf.asFloatBuffer().put(a, from, n));
    }

    static float[] readFloats(ObjectInput in) throws IOException {
        float[] a = new float[length(in)];
        read(in, a.length, Float.BYTES, (buf, from, n) -> buf.asFloatBuffer().get(a, from, n));
        return a;
    }

    static void writeDoubles(ObjectOutput out, double[] a) throws IOException {
        write(out, a.length, Double.BYTES, (buf, from, n) -> buf.asDoubleBuffer().put(a, from, n));
    }

    static double[] readDoubles(ObjectInput in) throws IOException {
        double[] a = new double[length(in)];
        read(in, a.length, Double.BYTES, (buf, from, n) -> buf.asDoubleBuffer().get(a, from, n));
        return a;
    }

    static void writeInts(ObjectOutput out, int[] a) throws IOException {
        write(out, a.length, Integer.BYTES, (buf, from, n) -> buf.asIntBuffer().put(a, from, n));
    }

    static int[] readInts(ObjectInput in) throws IOException {
        int[] a = new int[length(in)];
        read(in, a.length, Integer.BYTES, (buf, from, n) -> buf.asIntBuffer().get(a, from, n));
        return a;
    }

    /** Copies elements [from, from + n) of an array into (or out of) the buffer's start. */
    private interface Chunk {
        void copy(ByteBuffer buf, int from, int n);
    }

    private static void write(ObjectOutput out, int length, int bytes, Chunk put) throws IOException {
        out.writeInt(length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; ) {
            int n = Math.min(length - i, CHUNK / bytes);
            put.copy(buf, i, n);
            out.write(buf.array(), 0, bytes * n);
            i += n;
        }
    }

    private static void read(ObjectInput in, int length, int bytes, Chunk get) throws IOException {
        byte[] chunk = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; ) {
            int n = Math.min(length - i, CHUNK / bytes);
            in.readFully(chunk, 0, bytes * n);
            get.copy(buf, i, n);
            i += n;
        }
    }

    private static int length(ObjectInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) throw new java.io.StreamCorruptedException("negative array length " + n);
        return n;
    }
}
