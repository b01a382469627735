package dev.lstmrec.engine.tensor;

/**
 * Float storage in a Java array, shared by the CPU backends (scalar and SIMD). {@link #release()} drops the array
 * (the garbage collector reclaims it once no view is reachable); {@link #data()} afterwards throws, so even a kernel
 * reached without the checked front cannot read freed memory.
 */
public final class HeapFloats implements Storage {
    private final Object owner;
    private final int length;
    private float[] data;

    public HeapFloats(float[] data, Object owner) {
        this.data = data;
        this.owner = owner;
        this.length = data.length;
    }

    /** The array; throws {@link IllegalStateException} once released. */
    public float[] data() {
        float[] d = data;
        if (d == null) throw new IllegalStateException("float storage of " + length + " elements used after free");
        return d;
    }

    /** Drops the array; a second release is an error. */
    public void release() {
        if (data == null) throw new IllegalStateException("float storage of " + length + " elements freed twice");
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
