// The id maps written beside an exported ONNX model: item external ids in index order (TSV) and, when asked for,
// every stored user with their history as item indices (JSON lines). Formats are documented in docs/onnx.md and
// read back by OnnxExportTest and by the Python client there.
package dev.lstmrec.onnx;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writers of the id maps a client of an exported model needs to turn external ids into indices and back. */
public final class IdMaps {
    private IdMaps() {}

    /** {@code m.onnx} → {@code m.items.tsv}: the model's file name without {@code .onnx}, plus {@code suffix}. */
    public static Path beside(Path onnxFile, String suffix) {
        String name = onnxFile.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return onnxFile.resolveSibling(stem + suffix);
    }

    /**
     * Header line {@code index<TAB>item}, then one line per item: its index (1..N, the value the model's {@code items}
     * input takes and its outputs give) and its external id. Ids are written as stored; they contain no tab or line
     * break (the data readers split on those).
     */
    public static void writeItems(SavedModel model, Path file) throws IOException {
        AtomicFiles.write(file, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            w.write("index\titem\n");
            for (int i = 0; i < model.itemIds().size(); i++) {
                w.write(Integer.toString(i + 1));
                w.write('\t');
                w.write(model.itemIds().get(i));
                w.write('\n');
            }
            w.flush();
        });
    }

    /**
     * One JSON object per line and per stored user, in the model's order: {@code {"user": "196", "history": [3, 17, 42]}},
     * the history being the user's whole stored history as item indices in time order (what {@code recommend --user}
     * reads).
     */
    public static void writeUsers(SavedModel model, Path file) throws IOException {
        AtomicFiles.write(file, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            StringBuilder line = new StringBuilder();
            for (int u = 0; u < model.userIds().size(); u++) {
                line.setLength(0);
                line.append("{\"user\": ");
                Json.quote(model.userIds().get(u), line);
                line.append(", \"history\": [");
                int[] h = model.histories()[u];
                for (int i = 0; i < h.length; i++) {
                    if (i > 0) line.append(", ");
                    line.append(h[i]);
                }
                line.append("]}\n");
                w.write(line.toString());
            }
            w.flush();
        });
    }
}
