package dev.lstmrec.engine.tensor;

/**
 * Int storage in a Java array, shared by the CPU backends (scalar and SIMD). {@link #release()} drops the array
 * (the garbage collector reclaims it once no view is reachable); {@link #data()} afterwards throws, so even a kernel
 * reached without the checked front cannot read freed memory.
 */
public final class HeapInts implements Storage {
    private final Object owner;
    private final int length;
    private int[] data;

    public HeapInts(int[] data, Object owner) {
        this.data = data;
        this.owner = owner;
        this.length = data.length;
    }

    /** The array; throws {@link IllegalStateException} once released. */
    public int[] data() {
        int[] d = data;
        if (d == null) throw new IllegalStateException("int storage of " + length + " elements used after free");
        return d;
    }

    /** Drops the array; a second release is an error. */
    public void release() {
        if (data == null) throw new IllegalStateException("int storage of " + length + " elements freed twice");
        data = null;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Object owner() {
        return owner;
    }

    @Override
    public boolean freed() {
        return data == null;
    }
}
