package dev.lstmrec.spark;

import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How the parameter slab is cut into the pieces a training round ships: the one place in this module that knows the
 * engine's parameter names (adapt it here when the layout changes, e.g. item tables moving out of the slab). Item
 * tables ({@code embedding}, {@code out.w}, {@code out.b}) are cut into single rows, so a task ships only the rows
 * its local steps changed; the LSTM weights are dense and cut into blocks of whole rows of about
 * {@link #DENSE_BLOCK} floats, so the averaging shuffle spreads them over reducers.
 */
public final class ParameterSlices implements Serializable {
    /** Entries whose rows belong to items: sparse under embedding lookups (and under sampled softmax for out.*). */
    public static final Set<String> ITEM_TABLES = Set.of("embedding", "out.w", "out.b");
    /** Floats per dense slice. */
    public static final int DENSE_BLOCK = 4096;

    private final long[] offset;
    private final int[] length;
    private final boolean[] itemRow;
    private final int total;

    public ParameterSlices(ModelConfig config) {
        ParameterLayout layout = new ParameterLayout(config);
        List<long[]> cuts = new ArrayList<>(); // {offset, length, itemRow}
        for (ParameterLayout.Entry e : layout.entries()) {
            int[] shape = e.shape();
            int rowSize = shape.length == 1 ? 1 : e.size() / shape[0];
            int rows = e.size() / rowSize;
            boolean item = ITEM_TABLES.contains(e.name());
            int rowsPerSlice = item ? 1 : Math.max(1, DENSE_BLOCK / rowSize);
            for (int r = 0; r < rows; r += rowsPerSlice) {
                int n = Math.min(rowsPerSlice, rows - r);
                cuts.add(new long[] {e.offset() + (long) r * rowSize, (long) n * rowSize, item ? 1 : 0});
            }
        }
        offset = new long[cuts.size()];
        length = new int[cuts.size()];
        itemRow = new boolean[cuts.size()];
        for (int i = 0; i < cuts.size(); i++) {
            offset[i] = cuts.get(i)[0];
            length[i] = (int) cuts.get(i)[1];
            itemRow[i] = cuts.get(i)[2] == 1;
        }
        this.total = layout.total();
    }

    public int count() {
        return offset.length;
    }

    public int offset(int slice) {
        return (int) offset[slice];
    }

    public int length(int slice) {
        return length[slice];
    }

    /** Whether the slice is one row of an item table (averaged sparsely) rather than a block of LSTM weights. */
    public boolean itemRow(int slice) {
        return itemRow[slice];
    }

    /** Total parameters covered (the slab size). */
    public int total() {
        return total;
    }

    /** Whether any of the three arrays differs from its reference inside the slice (bitwise). */
    public boolean changed(int slice, float[][] now, float[][] before) {
        int from = offset(slice), to = from + length[slice];
        for (int a = 0; a < now.length; a++) {
            float[] x = now[a], y = before[a];
            for (int i = from; i < to; i++) if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) return true;
        }
        return false;
    }
}
