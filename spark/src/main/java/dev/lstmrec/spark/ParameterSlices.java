package dev.lstmrec.spark;

import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How the parameter slab is cut into the pieces a training round ships: the one place in this module that knows the
 * engine's parameter names (adapt it here when the layout changes, e.g. item tables moving out of the slab). Item
 * tables ({@code embedding}, {@code out.w}, {@code out.b}) are cut into single rows, so a task ships only the rows
 * its local steps changed; the LSTM weights are dense and cut into blocks of whole rows of about
 * {@link #DENSE_BLOCK} floats, so the averaging shuffle spreads them over reducers. The cut is computed from the
 * layout's few entries, never stored per slice: this object travels with every round's tasks, and a catalogue of
 * 10^6 items has 3·10^6 slices.
 */
public final class ParameterSlices implements Serializable {
    /** Entries whose rows belong to items: sparse under embedding lookups (and under sampled softmax for out.*). */
    public static final Set<String> ITEM_TABLES = Set.of("embedding", "out.w", "out.b");
    /** Floats per dense slice. */
    public static final int DENSE_BLOCK = 4096;

    private final String[] name;
    private final long[] offset;      // of the entry in the slab
    private final int[] rowSize, rows, rowsPerSlice, firstSlice;
    private final boolean[] item;
    private final int count, total;
    private final boolean constantItemMoment;

    /** The cut of a run's model: item rows ship no first moment when the run's row optimiser never changes it. */
    static ParameterSlices of(TrainSettings settings, int numItems) {
        return new ParameterSlices(settings.modelConfig(numItems), settings.constantItemMoment(numItems));
    }

    /**
     * @param constantItemMoment whether the item rows' first moment never changes in the run (Adagrad without
     *                           momentum neither reads nor writes it): then no round ships or averages it
     */
    public ParameterSlices(ModelConfig config, boolean constantItemMoment) {
        this.constantItemMoment = constantItemMoment;
        ParameterLayout layout = new ParameterLayout(config);
        List<ParameterLayout.Entry> entries = layout.entries();
        int n = entries.size();
        name = new String[n];
        offset = new long[n];
        rowSize = new int[n];
        rows = new int[n];
        rowsPerSlice = new int[n];
        firstSlice = new int[n];
        item = new boolean[n];
        int slices = 0;
        for (int e = 0; e < n; e++) {
            ParameterLayout.Entry en = entries.get(e);
            int[] shape = en.shape();
            name[e] = en.name();
            offset[e] = en.offset();
            rowSize[e] = shape.length == 1 ? 1 : en.size() / shape[0];
            rows[e] = en.size() / rowSize[e];
            item[e] = ITEM_TABLES.contains(en.name());
            rowsPerSlice[e] = item[e] ? 1 : Math.max(1, DENSE_BLOCK / rowSize[e]);
            firstSlice[e] = slices;
            slices += (rows[e] + rowsPerSlice[e] - 1) / rowsPerSlice[e];
        }
        count = slices;
        total = layout.total();
    }

    public int count() {
        return count;
    }

    private int entryOf(int slice) {
        if (slice < 0 || slice >= count) throw new IndexOutOfBoundsException("slice " + slice + " of " + count);
        int i = Arrays.binarySearch(firstSlice, slice);
        if (i >= 0) {
            while (i + 1 < firstSlice.length && firstSlice[i + 1] == slice) i++; // (no entry is empty, but be safe)
            return i;
        }
        return -i - 2;
    }

    public int offset(int slice) {
        int e = entryOf(slice);
        return (int) (offset[e] + (long) (slice - firstSlice[e]) * rowsPerSlice[e] * rowSize[e]);
    }

    public int length(int slice) {
        int e = entryOf(slice);
        int r = (slice - firstSlice[e]) * rowsPerSlice[e];
        return Math.min(rowsPerSlice[e], rows[e] - r) * rowSize[e];
    }

    /** Whether the slice is one row of an item table (averaged sparsely) rather than a block of LSTM weights. */
    public boolean itemRow(int slice) {
        return item[entryOf(slice)];
    }

    /** Whether rounds ship and average the slice's first moment (m); if not, m stays as every copy holds it. */
    public boolean shipsMoment(int slice) {
        return !(constantItemMoment && itemRow(slice));
    }

    /** The slice of row {@code row} of item table {@code table}; -1 when the model has no such table (out.w of a tied model). */
    public int rowSlice(String table, int row) {
        for (int e = 0; e < name.length; e++) {
            if (!name[e].equals(table)) continue;
            if (!item[e]) throw new IllegalArgumentException(table + " is not an item table");
            if (row < 0 || row >= rows[e]) throw new IndexOutOfBoundsException(table + " row " + row + " of " + rows[e]);
            return firstSlice[e] + row;
        }
        return -1;
    }

    /** The slices of the dense (LSTM) weights, in slab order: a few per layer, independent of the catalogue. */
    public int[] denseSlices() {
        int n = 0;
        for (int e = 0; e < name.length; e++) if (!item[e]) n += sliceCount(e);
        int[] out = new int[n];
        int k = 0;
        for (int e = 0; e < name.length; e++) {
            if (item[e]) continue;
            for (int s = 0; s < sliceCount(e); s++) out[k++] = firstSlice[e] + s;
        }
        return out;
    }

    private int sliceCount(int e) {
        return (e + 1 < firstSlice.length ? firstSlice[e + 1] : count) - firstSlice[e];
    }

    /** Total parameters covered (the slab size). */
    public int total() {
        return total;
    }

    /** Whether any of the three arrays differs from its reference inside the slice (bitwise). */
    public boolean changed(int slice, float[][] now, float[][] before) {
        int from = offset(slice), to = from + length(slice);
        for (int a = 0; a < now.length; a++) {
            float[] x = now[a], y = before[a];
            for (int i = from; i < to; i++) if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) return true;
        }
        return false;
    }
}
