package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.onnx.IdMaps;
import dev.lstmrec.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lstmrec export}: a model file as ONNX (the onnx module's {@link OnnxExport}) with the id maps beside it.
 * Checked by ExportCommandTest; the graph itself by the onnx module's tests in ONNX Runtime.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Exports a model to ONNX, with its item ids (and user histories) beside it, for other runtimes.",
                "Writes OUT (ONNX), OUT without .onnx + .items.tsv and, with --with-users, + .users.jsonl; see docs/onnx.md."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model written by train.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT", description = "Export format: onnx (the only one).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "ONNX file to write (e.g. model.onnx).")
    Path out;

    @Option(names = "--top-k", paramLabel = "K",
            description = "Output the top K item indices and scores (ONNX TopK) instead of the scores of all items.")
    Integer topK;

    @Option(names = "--opset", defaultValue = "" + OnnxExport.DEFAULT_OPSET, paramLabel = "N",
            description = "ONNX opset, " + OnnxExport.MIN_OPSET + ".." + OnnxExport.MAX_OPSET + " (default ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--with-users", description = "Also write every stored user with their history (item indices), JSON lines.")
    boolean withUsers;

    @Option(names = "--external-data", description = "Keep the weights in OUT.data beside the model (automatic above 1.8 GB).")
    boolean externalData;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!"onnx".equals(format)) throw Usage.error(spec, "--format must be onnx, got '" + format + "'");
        if (topK != null && topK <= 0) throw Usage.error(spec, "--top-k must be positive, got " + topK);
        OnnxExport.Options options = Usage.validated(spec, () -> new OnnxExport.Options(opset, topK == null ? 0 : topK, externalData));
        if (Files.isDirectory(out)) throw new CliException("cannot write " + out + ": it is a directory");
        SavedModel saved = SavedModel.load(model);
        int n = saved.config().numItems();
        if (topK != null && topK > n) System.err.println("lstmrec: --top-k " + topK + " is above the " + n + " items; exporting the top " + n);
        Path items = IdMaps.beside(out, ".items.tsv");
        Path users = IdMaps.beside(out, ".users.jsonl");
        OnnxExport.Written written;
        try {
            written = OnnxExport.write(saved, options, out);
            IdMaps.writeItems(saved, items);
            if (withUsers) IdMaps.writeUsers(saved, users);
        } catch (FileAlreadyExistsException e) { // creating the output's directory met a file of that name
            throw new CliException("cannot write " + out + ": " + e.getFile() + " is a file, not a directory");
        } catch (IOException e) {
            throw new CliException("cannot write " + out + ": " + ErrorHandler.message(e));
        }
        System.out.printf("wrote %s: ONNX opset %d, %,d items, %d layer(s), d = %d, h = %d, max-len %d%s; inputs items, lengths, exclude; outputs %s (%,.1f MB%s)%n",
                out, opset, n, saved.config().layers(), saved.config().embeddingDim(), saved.config().hiddenDim(),
                saved.config().maxLen(), saved.config().tied() ? ", tied" : "", String.join(", ", written.outputs()),
                written.bytes() / 1e6, written.externalData() == null ? "" : ", weights in " + written.externalData());
        System.out.printf("wrote %s: the %,d item ids in index order%n", items, n);
        if (withUsers) System.out.printf("wrote %s: %,d users with their histories%n", users, saved.userIds().size());
        return 0;
    }
}
