package dev.lstmrec.engine.train;

// Which parts of the parameter slab get weight decay: the weight matrices (LSTM input and recurrent weights, the
// output projection), not the biases and not the input item embeddings, whose rows are touched only when an item
// occurs and would otherwise shrink towards zero for rare items. The one place that decides it.

import dev.lstmrec.engine.model.ParameterLayout;

import java.util.ArrayList;
import java.util.List;

/** The slab cut into maximal contiguous runs that are either all decayed or all not. */
public final class DecayRanges {
    /** Elements [offset, offset + size) of the slab; {@code decayed} says whether weight decay applies to them. */
    public record Range(long offset, int size, boolean decayed) {}

    private DecayRanges() {}

    /** Whether weight decay applies to the parameter named {@code name}. */
    public static boolean decayed(String name) {
        return name.endsWith(".w_ih") || name.endsWith(".w_hh") || name.equals("out.w");
    }

    /** The runs of {@code layout}, in slab order, covering it exactly. */
    public static List<Range> of(ParameterLayout layout) {
        List<Range> out = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean d = decayed(e.name());
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.decayed() == d && last.offset() + last.size() == e.offset()) {
                out.set(out.size() - 1, new Range(last.offset(), Math.addExact(last.size(), e.size()), d));
            } else {
                out.add(new Range(e.offset(), e.size(), d));
            }
        }
        return out;
    }
}
