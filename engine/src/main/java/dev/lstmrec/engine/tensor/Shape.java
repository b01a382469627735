package dev.lstmrec.engine.tensor;

import java.util.Arrays;

/** Shape arithmetic and checks shared by {@link Tensor} and {@link IntTensor}. */
public final class Shape {
    private Shape() {}

    /** Number of elements of a shape; rejects negative extents and overflow past int. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative extent in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    /** Elements in one row: the product of every extent but the first (1 for a 1-D tensor). */
    public static int rowLength(int[] shape) {
        int n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
