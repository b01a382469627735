package dev.lstmrec.engine.tensor;

import java.util.Arrays;

/**
 * A dense, contiguous, row-major float32 tensor: a shape over a window of a backend's {@link Storage}.
 * Views ({@link #rows}, {@link #view}, {@link #reshape}) share storage and never copy, which is how the
 * model addresses one time step of a packed batch or one parameter inside the parameter slab.
 */
public final class Tensor {
    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final int size;

    public Tensor(Storage storage, long offset, int... shape) {
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

    /** Offset of element 0 inside the storage, in elements. */
    public long offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return size;
    }

    /** First extent (1 for a scalar). */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row: product of every extent but the first. */
    public int cols() {
        return Shape.rowLength(shape);
    }

    /** Rows [start, start + count) of this tensor, as a view. */
    public Tensor rows(int start, int count) {
        if (start < 0 || count < 0 || start + count > rows()) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + count) + ") of " + Shape.str(shape));
        }
        int[] s = shape.clone();
        s[0] = count;
        return new Tensor(storage, offset + (long) start * cols(), s);
    }

    /** A view of {@code shape} starting {@code elementOffset} elements into this tensor. */
    public Tensor view(long elementOffset, int... newShape) {
        if (elementOffset < 0 || elementOffset + Shape.size(newShape) > size) {
            throw new IndexOutOfBoundsException("view " + Shape.str(newShape) + " at " + elementOffset
                    + " outside " + Shape.str(shape));
        }
        return new Tensor(storage, offset + elementOffset, newShape);
    }

    /** The same elements under another shape of equal size. */
    public Tensor reshape(int... newShape) {
        if (Shape.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + Shape.str(shape) + " to " + Shape.str(newShape));
        }
        return new Tensor(storage, offset, newShape);
    }

    /** True when this tensor covers its whole storage (as {@code allocate} returned it): what {@code free} takes. */
    public boolean isWhole() {
        return offset == 0 && size == storage.length();
    }

    /** Throws unless this tensor has exactly the given shape; {@code what} names it in the message. */
    public Tensor expect(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Shape.str(expected) + " but got " + Shape.str(shape));
        }
        return this;
    }

    /** Throws unless this tensor's storage was allocated by {@code owner} and is not freed. */
    public Tensor checkOwner(Object owner) {
        if (storage.freed()) throw new IllegalStateException("tensor " + Shape.str(shape) + " used after free");
        if (storage.owner() != owner) {
            throw new IllegalArgumentException("tensor " + Shape.str(shape) + " belongs to another backend");
        }
        return this;
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape) + "@" + offset;
    }
}
