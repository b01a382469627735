package dev.lstmrec.engine.tensor;

/** Int storage in a Java array, shared by the CPU backends (scalar and SIMD). */
public record HeapInts(int[] data, Object owner) implements Storage {
    @Override
    public long length() {
        return data.length;
    }
}
