package dev.lstmrec.engine.tensor;

import java.util.Arrays;

/** A dense, contiguous, row-major int32 tensor (item ids, targets, CSR lists) over a backend's storage. */
public final class IntTensor {
    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final int size;

    public IntTensor(Storage storage, long offset, int... shape) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.size = Shape.size(shape);
        if (offset < 0 || offset + size > storage.length()) {
            throw new IllegalArgumentException("view " + Shape.str(shape) + " at offset " + offset
                    + " exceeds storage of " + storage.length() + " elements");
        }
    }

    public Storage storage() {
        return storage;
    }

    public long offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return size;
    }

    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public int cols() {
        return Shape.rowLength(shape);
    }

    /** The first {@code count} elements (or rows), as a view. */
    public IntTensor rows(int start, int count) {
        if (start < 0 || count < 0 || start + count > rows()) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + count) + ") of " + Shape.str(shape));
        }
        int[] s = shape.clone();
        s[0] = count;
        return new IntTensor(storage, offset + (long) start * cols(), s);
    }

    /** A view of {@code newShape} starting {@code elementOffset} elements into this tensor. */
    public IntTensor view(long elementOffset, int... newShape) {
        if (elementOffset < 0 || elementOffset + Shape.size(newShape) > size) {
            throw new IndexOutOfBoundsException("view " + Shape.str(newShape) + " at " + elementOffset
                    + " outside " + Shape.str(shape));
        }
        return new IntTensor(storage, offset + elementOffset, newShape);
    }

    /** True when this tensor covers its whole storage (as {@code allocateInt} returned it): what {@code free} takes. */
    public boolean isWhole() {
        return offset == 0 && size == storage.length();
    }

    public IntTensor expect(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Shape.str(expected) + " but got " + Shape.str(shape));
        }
        return this;
    }

    /** Throws unless this tensor's storage was allocated by {@code owner} and is not freed. */
    public IntTensor checkOwner(Object owner) {
        if (storage.freed()) throw new IllegalStateException("int tensor " + Shape.str(shape) + " used after free");
        if (storage.owner() != owner) {
            throw new IllegalArgumentException("int tensor " + Shape.str(shape) + " belongs to another backend");
        }
        return this;
    }

    @Override
    public String toString() {
        return "IntTensor" + Shape.str(shape) + "@" + offset;
    }
}
