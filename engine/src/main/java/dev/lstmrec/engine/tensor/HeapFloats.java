package dev.lstmrec.engine.tensor;

/** Float storage in a Java array, shared by the CPU backends (scalar and SIMD). */
public record HeapFloats(float[] data, Object owner) implements Storage {
    @Override
    public long length() {
        return data.length;
    }
}
