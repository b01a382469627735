// Writes a model file of any size with random (initial) weights through the engine's own checkpoint writer, so
// recommend / serve / evaluate can be measured on catalogues of millions of items without training one first.
package dev.lstmrec.bench;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -cp bench/target/benchmarks.jar dev.lstmrec.bench.RandomModel --items 1000000 --dim 64 --hidden 64
 * --out big.lstmrec}. Item ids are 1..N (as strings), one stored user "u1" with history 1, 2, 3.
 */
public final class RandomModel {
    private RandomModel() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> m = new java.util.HashMap<>(Map.of("--items", "1000000", "--dim", "64", "--hidden", "64",
                "--layers", "1", "--max-len", "200", "--seed", "1"));
        String out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--out")) out = args[i + 1];
            else if (m.containsKey(args[i])) m.put(args[i], args[i + 1]);
            else throw new IllegalArgumentException("unknown option " + args[i] + "; known: --out " + m.keySet());
        }
        if (out == null) throw new IllegalArgumentException("--out FILE is required");
        int n = Integer.parseInt(m.get("--items"));
        ModelConfig config = new ModelConfig(n, Integer.parseInt(m.get("--dim")), Integer.parseInt(m.get("--hidden")),
                Integer.parseInt(m.get("--layers")), Integer.parseInt(m.get("--max-len")), 0f, 0f);
        ParameterLayout layout = new ParameterLayout(config);
        float[] weights = Initializer.initialWeights(config, layout, Long.parseLong(m.get("--seed")));
        List<String> ids = new AbstractList<>() { // no list of N strings held here; SavedModel copies what it needs
            @Override
            public String get(int i) {
                return Integer.toString(i + 1);
            }

            @Override
            public int size() {
                return n;
            }
        };
        SavedModel model = new SavedModel(config, ids, List.of("u1"), new int[][] {{1, 2, 3}}, weights,
                Map.of("dataset", "random weights (RandomModel)"));
        long t0 = System.nanoTime();
        model.save(Path.of(out));
        System.out.printf("wrote %s: N = %,d, d = %d, h = %d, %,d parameters, %.1fs%n", out, n, config.embeddingDim(),
                config.hiddenDim(), layout.total(), (System.nanoTime() - t0) / 1e9);
    }
}
