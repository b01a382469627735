package dev.lstmrec.engine.io;

// The in-memory content of a checkpoint file: metadata, named string lists and named f32/i32 tensors, all in
// insertion order. CheckpointFile writes and reads it; CheckpointFileTest checks that a round trip is exact.

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a checkpoint holds. Build one with {@link #builder()}; read one with {@link CheckpointFile#read}.
 *
 * <p>The maps are unmodifiable and keep insertion order. Tensor arrays are shared, not copied (models can be
 * hundreds of megabytes): do not modify an array after handing it to the builder. Tensor names are unique
 * across float and int tensors; {@link #shapes()} holds the dimensions of every tensor.
 */
public final class Checkpoint {
    /** The most dimensions a tensor may have; the file format rejects more. */
    public static final int MAX_RANK = 8;

    private final String source;
    private final Map<String, String> meta;
    private final Map<String, List<String>> strings;
    private final Map<String, float[]> floats;
    private final Map<String, int[]> ints;
    private final Map<String, int[]> shapes;

    private Checkpoint(Builder b) {
        this.source = b.source;
        this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(b.meta));
        this.strings = Collections.unmodifiableMap(new LinkedHashMap<>(b.strings));
        this.floats = Collections.unmodifiableMap(new LinkedHashMap<>(b.floats));
        this.ints = Collections.unmodifiableMap(new LinkedHashMap<>(b.ints));
        this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(b.shapes));
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The file this was read from, or {@code "<memory>"}; used in error messages. */
    public String source() {
        return source;
    }

    /** Metadata key/value pairs (model configuration etc.). */
    public Map<String, String> meta() {
        return meta;
    }

    /** Named lists of strings, e.g. {@code "items"}: external item ids in index order. */
    public Map<String, List<String>> strings() {
        return strings;
    }

    /** Float tensors by name, row-major data. */
    public Map<String, float[]> floats() {
        return floats;
    }

    /** Int tensors by name, row-major data. */
    public Map<String, int[]> ints() {
        return ints;
    }

    /** Dimensions of every tensor, float and int, in insertion order. Do not modify the arrays. */
    public Map<String, int[]> shapes() {
        return shapes;
    }

    /** The metadata value for {@code key}; an error naming the file when it is absent. */
    public String requireMeta(String key) throws CheckpointFormatException {
        String v = meta.get(key);
        if (v == null) throw new CheckpointFormatException(source, "missing metadata key '" + key + "'");
        return v;
    }

    /** The string list {@code name}; an error naming the file when it is absent. */
    public List<String> requireStrings(String name) throws CheckpointFormatException {
        List<String> v = strings.get(name);
        if (v == null) throw new CheckpointFormatException(source, "missing string list '" + name + "'");
        return v;
    }

    /**
     * The float tensor {@code name}. When {@code expectedShape} is given (non-empty), the tensor must have
     * exactly that shape. Errors name the file: a missing tensor, an int tensor, or a shape mismatch.
     */
    public float[] requireFloats(String name, int... expectedShape) throws CheckpointFormatException {
        float[] v = floats.get(name);
        if (v == null) throw missingTensor(name, "float", ints.containsKey(name) ? "int" : null);
        checkShape(name, expectedShape);
        return v;
    }

    /** The int tensor {@code name}, optionally of exactly {@code expectedShape}; see {@link #requireFloats}. */
    public int[] requireInts(String name, int... expectedShape) throws CheckpointFormatException {
        int[] v = ints.get(name);
        if (v == null) throw missingTensor(name, "int", floats.containsKey(name) ? "float" : null);
        checkShape(name, expectedShape);
        return v;
    }

    private CheckpointFormatException missingTensor(String name, String wanted, String actual) {
        if (actual == null) return new CheckpointFormatException(source, "missing tensor '" + name + "'");
        return new CheckpointFormatException(source,
                "tensor '" + name + "' holds " + actual + "s, expected " + wanted + "s");
    }

    private void checkShape(String name, int[] expected) throws CheckpointFormatException {
        int[] actual = shapes.get(name);
        if (expected.length > 0 && !Arrays.equals(actual, expected)) {
            throw new CheckpointFormatException(source, "tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(expected));
        }
    }

    /** Collects the content of a checkpoint; later entries with the same name are rejected. */
    public static final class Builder {
        private String source = "<memory>";
        private final Map<String, String> meta = new LinkedHashMap<>();
        private final Map<String, List<String>> strings = new LinkedHashMap<>();
        private final Map<String, float[]> floats = new LinkedHashMap<>();
        private final Map<String, int[]> ints = new LinkedHashMap<>();
        private final Map<String, int[]> shapes = new LinkedHashMap<>();

        private Builder() {}

        /** Where the content came from, for error messages. */
        public Builder source(String source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Adds a metadata entry. */
        public Builder meta(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, () -> "value of metadata key '" + key + "'");
            if (meta.putIfAbsent(key, value) != null) throw duplicate("metadata key", key);
            return this;
        }

        /** Adds a named string list (copied; null elements are rejected). */
        public Builder strings(String name, List<String> values) {
            Objects.requireNonNull(name, "name");
            List<String> copy = List.copyOf(values); // rejects nulls
            if (strings.putIfAbsent(name, copy) != null) throw duplicate("string list", name);
            return this;
        }

        /** Adds a float tensor; {@code shape} defaults to {@code [data.length]}. The array is not copied. */
        public Builder floats(String name, float[] data, int... shape) {
            int[] dims = tensorShape(name, data.length, shape);
            floats.put(name, data);
            shapes.put(name, dims);
            return this;
        }

        /** Adds an int tensor; {@code shape} defaults to {@code [data.length]}. The array is not copied. */
        public Builder ints(String name, int[] data, int... shape) {
            int[] dims = tensorShape(name, data.length, shape);
            ints.put(name, data);
            shapes.put(name, dims);
            return this;
        }

        /** The checkpoint; the builder may be reused but later changes do not affect it. */
        public Checkpoint build() {
            return new Checkpoint(this);
        }

        private int[] tensorShape(String name, int length, int[] shape) {
            Objects.requireNonNull(name, "name");
            if (shapes.containsKey(name)) throw duplicate("tensor", name);
            int[] dims = shape.length == 0 ? new int[] {length} : shape.clone();
            if (dims.length > MAX_RANK) {
                throw new IllegalArgumentException("tensor '" + name + "' has rank " + dims.length
                        + ", at most " + MAX_RANK + " supported");
            }
            long n = 1;
            for (int d : dims) {
                if (d < 0) throw new IllegalArgumentException("tensor '" + name + "' has a negative extent "
                        + Arrays.toString(dims));
                n *= d; // both factors fit in an int, so the product cannot overflow a long
                if (n > Integer.MAX_VALUE) break;
            }
            if (n != length) {
                throw new IllegalArgumentException("tensor '" + name + "' has " + length
                        + " elements but shape " + Arrays.toString(dims));
            }
            return dims;
        }

        private static IllegalArgumentException duplicate(String what, String name) {
            return new IllegalArgumentException("duplicate " + what + " '" + name + "'");
        }
    }
}
