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
        out.writeInt(a.length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            buf.clear();
            buf.asFloatBuffer().put(a, i, n);
            out.write(buf.array(), 0, 4 * n);
            i += n;
        }
    }

    static float[] readFloats(ObjectInput in) throws IOException {
        float[] a = new float[length(in)];
        byte[] bytes = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            in.readFully(bytes, 0, 4 * n);
            buf.clear();
            buf.asFloatBuffer().get(a, i, n);
            i += n;
        }
        return a;
    }

    static void writeDoubles(ObjectOutput out, double[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 8);
            buf.clear();
            buf.asDoubleBuffer().put(a, i, n);
            out.write(buf.array(), 0, 8 * n);
            i += n;
        }
    }

    static double[] readDoubles(ObjectInput in) throws IOException {
        double[] a = new double[length(in)];
        byte[] bytes = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 8);
            in.readFully(bytes, 0, 8 * n);
            buf.clear();
            buf.asDoubleBuffer().get(a, i, n);
            i += n;
        }
        return a;
    }

    static void writeInts(ObjectOutput out, int[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            buf.clear();
            buf.asIntBuffer().put(a, i, n);
            out.write(buf.array(), 0, 4 * n);
            i += n;
        }
    }

    static int[] readInts(ObjectInput in) throws IOException {
        int[] a = new int[length(in)];
        byte[] bytes = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            in.readFully(bytes, 0, 4 * n);
            buf.clear();
            buf.asIntBuffer().get(a, i, n);
            i += n;
        }
        return a;
    }

    private static int length(ObjectInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) throw new java.io.StreamCorruptedException("negative array length " + n);
        return n;
    }
}
