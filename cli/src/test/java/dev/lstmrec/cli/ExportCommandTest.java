package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.onnx.proto.Onnx.ModelProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lstmrec export} end to end in-process: the files it writes, its options, and its errors (not a model, an
 * unwritable output, bad options) with their exit codes. The graph's numbers are checked in the onnx module.
 */
class ExportCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void saveSmallModel() throws Exception {
        ModelConfig config = new ModelConfig(5, 4, 6, 2, 10, 0.2f, 0.2f);
        float[] w = new float[new ParameterLayout(config).total()];
        Random r = new Random(1);
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        model = dir.resolve("m.lstmrec");
        new SavedModel(config, List.of("a", "b", "c", "d", "e"), List.of("196", "7"), new int[][] {{1, 2}, {5}}, w, Map.of())
                .save(model);
    }

    @Test
    void writesTheModelAndTheIdMaps() throws Exception {
        Path out = dir.resolve("out/m.onnx");
        CliTest.Result r = CliTest.run("export", "--model", model.toString(), "--format", "onnx", "--out", out.toString(), "--with-users");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("outputs scores"), r.out());
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(17, proto.getOpsetImport(0).getVersion());
        assertEquals(List.of("items", "lengths", "exclude"), proto.getGraph().getInputList().stream().map(i -> i.getName()).toList());
        assertEquals(2, proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("LSTM")).count());
        assertEquals(List.of("index\titem", "1\ta", "2\tb", "3\tc", "4\td", "5\te"), Files.readAllLines(dir.resolve("out/m.items.tsv")));
        assertEquals(List.of("{\"user\": \"196\", \"history\": [1, 2]}", "{\"user\": \"7\", \"history\": [5]}"),
                Files.readAllLines(dir.resolve("out/m.users.jsonl")));
    }

    @Test
    void topKAndOpsetShapeTheGraph() throws Exception {
        Path out = dir.resolve("top.onnx");
        CliTest.Result r = CliTest.run("export", "--model", model.toString(), "--out", out.toString(), "--top-k", "3", "--opset", "13");
        assertEquals(0, r.code(), r.err());
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(13, proto.getOpsetImport(0).getVersion());
        assertEquals(List.of("top_items", "top_scores"), proto.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
        assertFalse(Files.exists(dir.resolve("top.users.jsonl")), "users only with --with-users");
        assertEquals(0, CliTest.run("export", "--model", model.toString(), "--out", dir.resolve("big-k.onnx").toString(), "--top-k", "9").code());
    }

    @Test
    void aFileThatIsNotAModelIsAClearErrorAndWritesNothing() throws Exception {
        Path bogus = dir.resolve("notes.txt");
        Files.writeString(bogus, "not a model\n");
        Path out = dir.resolve("bogus.onnx");
        CliTest.Result r = CliTest.run("export", "--model", bogus.toString(), "--format", "onnx", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("lstmrec: error: ") && r.err().contains("not an lstmrec checkpoint"), r.err());
        assertFalse(r.err().contains("bug"), r.err());
        assertFalse(Files.exists(out));
        CliTest.Result missing = CliTest.run("export", "--model", dir.resolve("absent.lstmrec").toString(), "--out", out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("file not found"), missing.err());
    }

    @Test
    void anUnwritableOutputIsAClearErrorAndKeepsNoPartialFile() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "x");
        CliTest.Result r = CliTest.run("export", "--model", model.toString(), "--out", file.resolve("m.onnx").toString());
        assertEquals(1, r.code());
        assertEquals("lstmrec: error: cannot write " + file.resolve("m.onnx") + ": " + file + " is a file, not a directory",
                r.err().strip());
        CliTest.Result d = CliTest.run("export", "--model", model.toString(), "--out", dir.toString());
        assertEquals(1, d.code());
        assertTrue(d.err().contains("it is a directory"), d.err());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temp file is left");
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(2, CliTest.run("export", "--model", model.toString(), "--out", "x.onnx", "--format", "tflite").code());
        assertEquals(2, CliTest.run("export", "--model", model.toString(), "--out", "x.onnx", "--opset", "9").code());
        assertEquals(2, CliTest.run("export", "--model", model.toString(), "--out", "x.onnx", "--top-k", "0").code());
        assertEquals(2, CliTest.run("export", "--model", model.toString()).code(), "--out is required");
    }
}
