// The ONNX graph of a saved lstmrec model: embedding Gather, one ONNX LSTM node per layer, Gemm scoring, optional
// exclusion mask and TopK, built as protobuf messages generated from ONNX's onnx.proto. Checked in ONNX Runtime
// against the scalar backend's Recommender (OnnxExportTest); the graph is drawn in docs/onnx.md.
package dev.lstmrec.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.onnx.proto.Onnx.AttributeProto;
import dev.lstmrec.onnx.proto.Onnx.GraphProto;
import dev.lstmrec.onnx.proto.Onnx.ModelProto;
import dev.lstmrec.onnx.proto.Onnx.NodeProto;
import dev.lstmrec.onnx.proto.Onnx.OperatorSetIdProto;
import dev.lstmrec.onnx.proto.Onnx.StringStringEntryProto;
import dev.lstmrec.onnx.proto.Onnx.TensorProto;
import dev.lstmrec.onnx.proto.Onnx.TensorShapeProto;
import dev.lstmrec.onnx.proto.Onnx.TypeProto;
import dev.lstmrec.onnx.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a {@link SavedModel} as a self-contained ONNX model that computes exactly what
 * {@link dev.lstmrec.engine.api.Recommender} computes (inference: no dropout).
 *
 * <p>Inputs: {@code items} int64 [batch, time], item indices 1..N in time order, right-padded (with 0); {@code lengths}
 * int64 [batch], each row's item count (at least 1); {@code exclude} int64 [batch, m], item indices whose scores
 * become -inf (0 and indices outside 1..N are ignored, so rows pad with 0; m = 0 excludes nothing). Only the
 * last {@code max_len} items of a row are read, as lstmrec's recommend does. Outputs: {@code scores} float
 * [batch, N + 1], column j for item j (column 0, the padding index, is always -inf); or, with a top-K, {@code top_items}
 * int64 [batch, K] and {@code top_scores} float [batch, K], best first, ties to the lower index.
 */
public final class OnnxExport {
    /** Oldest and newest ONNX opsets the graph is written for (Squeeze/Unsqueeze take their axes as an input from 13). */
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 23;
    public static final int DEFAULT_OPSET = 17;
    /** Above this many bytes of weights the tensors go to external data: one protobuf message cannot exceed 2 GiB. */
    public static final long EXTERNAL_DATA_THRESHOLD = 1_800_000_000L;
    /** Initializers smaller than this stay inside the .onnx file even with external data (ONNX's own default). */
    static final int EXTERNAL_MIN_BYTES = 1024;

    /**
     * What to export.
     *
     * @param opset        ONNX opset of the default domain, {@link #MIN_OPSET}..{@link #MAX_OPSET}
     * @param topK         0: output all scores; K > 0: output the top K (clamped to N)
     * @param externalData always write the weights as external data (otherwise only past {@link #EXTERNAL_DATA_THRESHOLD})
     */
    public record Options(int opset, int topK, boolean externalData) {
        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new IllegalArgumentException("opset must be in " + MIN_OPSET + ".." + MAX_OPSET + ", got " + opset);
            }
            if (topK < 0) throw new IllegalArgumentException("top-k must be positive, got " + topK);
        }

        public static Options defaults() {
            return new Options(DEFAULT_OPSET, 0, false);
        }
    }

    /** What {@link #write} wrote: the model file, the external data file (or null) and the output names. */
    public record Written(Path model, Path externalData, long bytes, List<String> outputs) {}

    private OnnxExport() {}

    /** The IR version that goes with an opset (ONNX's release table: opset 13 shipped with IR 7, 23 with IR 11). */
    static int irVersion(int opset) {
        if (opset <= 14) return 7;
        if (opset <= 18) return 8;
        if (opset <= 20) return 9;
        if (opset <= 22) return 10;
        return 11;
    }

    /** The graph with every weight inside the model. Fails for models whose weights exceed protobuf's 2 GiB. */
    public static ModelProto build(SavedModel model, Options options) {
        return new GraphBuilder(model, options, null).model();
    }

    /**
     * Writes the model to {@code out} atomically; the weights go to {@code out + ".data"} (also atomically, first) when
     * {@link Options#externalData()} or when they exceed {@link #EXTERNAL_DATA_THRESHOLD}. A stale {@code .data} file
     * beside an inline model is left alone: the model does not reference it.
     */
    public static Written write(SavedModel model, Options options, Path out) throws IOException {
        if (Files.isDirectory(out)) throw new IOException("cannot write " + out + ": it is a directory");
        long weightBytes = 4L * model.weights().length;
        boolean external = options.externalData() || weightBytes > EXTERNAL_DATA_THRESHOLD;
        Path dataFile = external ? out.resolveSibling(out.getFileName() + ".data") : null;
        ExternalData data = external ? new ExternalData(dataFile.getFileName().toString()) : null;
        GraphBuilder builder = new GraphBuilder(model, options, data);
        ModelProto proto = builder.model();
        if (external) AtomicFiles.write(dataFile, data::writeTo);
        AtomicFiles.write(out, os -> {
            CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
            proto.writeTo(cos);
            cos.flush();
        });
        return new Written(out, dataFile, Files.size(out) + (external ? Files.size(dataFile) : 0), builder.outputs);
    }

    /** Float tensors bound for the external data file, laid out back to back in the order they were added. */
    static final class ExternalData {
        private final String location;
        private final List<float[]> chunks = new ArrayList<>();
        private long size;

        ExternalData(String location) {
            this.location = location;
        }

        /** Records {@code values} and returns the tensor's external_data entries (location, offset, length). */
        List<StringStringEntryProto> add(float[] values) {
            long offset = size;
            chunks.add(values);
            size += 4L * values.length;
            return List.of(entry("location", location), entry("offset", Long.toString(offset)),
                    entry("length", Long.toString(4L * values.length)));
        }

        void writeTo(OutputStream os) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] c : chunks) {
                for (float v : c) {
                    if (!buf.hasRemaining()) {
                        os.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            os.write(buf.array(), 0, buf.position());
        }
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** Builds one model; node and tensor names are fixed so the graph reads the same in every export. */
    private static final class GraphBuilder {
        private final SavedModel model;
        private final ModelConfig config;
        private final Options options;
        private final ExternalData external;
        private final GraphProto.Builder graph = GraphProto.newBuilder().setName("lstmrec");
        final List<String> outputs = new ArrayList<>();
        private int nodeCount;

        GraphBuilder(SavedModel model, Options options, ExternalData external) {
            this.model = model;
            this.config = model.config();
            this.options = options;
            this.external = external;
        }

        ModelProto model() {
            int n = config.numItems(), h = config.hiddenDim(), layers = config.layers();
            ParameterLayout layout = new ParameterLayout(config);
            float[] w = model.weights();

            graph.addInput(tensorInfo("items", TensorProto.DataType.INT64_VALUE, "batch", "time"));
            graph.addInput(tensorInfo("lengths", TensorProto.DataType.INT64_VALUE, "batch"));
            // A plain input rather than one with a default initializer: ONNX Runtime's Java API (and Triton) feed only
            // declared inputs. Excluding nothing is a [batch, 0] tensor.
            graph.addInput(tensorInfo("exclude", TensorProto.DataType.INT64_VALUE, "batch", "exclude_items"));

            longConst("zero", 0);
            longConst("one", 1);
            longConst("max_len", config.maxLen());
            longConst("longest_window", 2L * config.maxLen() - 1);
            longConst("num_items", n);
            longsConst("axis0", new long[] {0}, 1);
            longsConst("axis1", new long[] {1}, 1);

            // Window (ModelScorer.windowStart, as Recommender reads it): row b reads items[b, start_b + t] for
            // t < min(time, 2·max_len - 1), start_b = max_len · floor(max(lengths_b - max_len, 0) / max_len) (integer
            // Div of non-negative values); positions past a row's length are clamped in range and never read by the
            // LSTM (sequence_lens).
            node("Shape", List.of("items"), List.of("items_shape"));
            node("Gather", List.of("items_shape", "one"), List.of("time"));
            node("Min", List.of("time", "longest_window"), List.of("window_time"));
            node("Range", List.of("zero", "window_time", "one"), List.of("steps"));
            node("Sub", List.of("lengths", "max_len"), List.of("lengths_over_signed"));
            node("Max", List.of("lengths_over_signed", "zero"), List.of("lengths_over"));
            node("Div", List.of("lengths_over", "max_len"), List.of("restarts"));
            node("Mul", List.of("restarts", "max_len"), List.of("start"));
            node("Sub", List.of("lengths", "start"), List.of("window_lengths"));
            node("Unsqueeze", List.of("start", "axis1"), List.of("start_col"));
            node("Unsqueeze", List.of("steps", "axis0"), List.of("steps_row"));
            node("Add", List.of("start_col", "steps_row"), List.of("positions"));
            node("Sub", List.of("time", "one"), List.of("last_position"));
            node("Min", List.of("positions", "last_position"), List.of("positions_in_range"));
            node("GatherElements", List.of("items", "positions_in_range"), List.of("window"), intAttr("axis", 1));
            node("Cast", List.of("window_lengths"), List.of("sequence_lens"), intAttr("to", TensorProto.DataType.INT32_VALUE));

            ParameterLayout.Entry emb = layout.entry("embedding");
            floatInit("embedding", slice(w, emb), n + 1, config.embeddingDim());
            node("Gather", List.of("embedding", "window"), List.of("embedded_bt"));
            node("Transpose", List.of("embedded_bt"), List.of("x0"), intsAttr("perm", 1, 0, 2));

            String x = "x0";
            for (int l = 0; l < layers; l++) {
                int in = config.inputDim(l);
                floatInit("lstm" + l + ".W", onnxGateOrder(slice(w, layout.entry(ParameterLayout.layerName(l, "w_ih"))), h, in), 1, 4 * h, in);
                floatInit("lstm" + l + ".R", onnxGateOrder(slice(w, layout.entry(ParameterLayout.layerName(l, "w_hh"))), h, h), 1, 4 * h, h);
                float[] bias = new float[8 * h]; // [Wb | Rb]: lstmrec has one bias; it goes in Wb, Rb stays zero
                System.arraycopy(onnxGateOrder(slice(w, layout.entry(ParameterLayout.layerName(l, "bias"))), h, 1), 0, bias, 0, 4 * h);
                floatInit("lstm" + l + ".B", bias, 1, 8 * h);
                boolean last = l == layers - 1;
                String y = last ? "" : "y" + l;
                node("LSTM", List.of(x, "lstm" + l + ".W", "lstm" + l + ".R", "lstm" + l + ".B", "sequence_lens"),
                        List.of(y, "h" + l), intAttr("hidden_size", h), stringAttr("direction", "forward"));
                if (!last) {
                    x = "x" + (l + 1);
                    node("Squeeze", List.of(y, "axis1"), List.of(x));
                }
            }
            node("Squeeze", List.of("h" + (layers - 1), "axis0"), List.of("final_hidden"));

            // Scores over indices 0..N: row 0 of the output table is zero and its bias -inf, so the padding index never
            // ranks; a tied model scores with the embedding table itself (its row j is item j's output row).
            String outW = "embedding";
            if (!config.tied()) {
                float[] table = new float[(n + 1) * h];
                System.arraycopy(slice(w, layout.entry("out.w")), 0, table, h, n * h);
                floatInit("out.w", table, n + 1, h);
                outW = "out.w";
            }
            float[] outB = new float[n + 1];
            outB[0] = Float.NEGATIVE_INFINITY;
            System.arraycopy(slice(w, layout.entry("out.b")), 0, outB, 1, n);
            floatInit("out.b", outB, n + 1);
            node("Gemm", List.of("final_hidden", outW, "out.b"), List.of("logits"), intAttr("transB", 1));

            node("GreaterOrEqual", List.of("exclude", "zero"), List.of("exclude_above"));
            node("LessOrEqual", List.of("exclude", "num_items"), List.of("exclude_below"));
            node("And", List.of("exclude_above", "exclude_below"), List.of("exclude_valid"));
            node("Where", List.of("exclude_valid", "exclude", "zero"), List.of("exclude_indices"));
            node("Shape", List.of("exclude_indices"), List.of("exclude_shape"));
            node("ConstantOfShape", List.of("exclude_shape"), List.of("minus_inf"), AttributeProto.newBuilder().setName("value")
                    .setType(AttributeProto.AttributeType.TENSOR)
                    .setT(floatTensor("minus_inf_value", new float[] {Float.NEGATIVE_INFINITY}, 1)).build());
            int k = Math.min(options.topK(), n);
            String scores = k > 0 ? "masked_scores" : "scores";
            node("ScatterElements", List.of("logits", "exclude_indices", "minus_inf"), List.of(scores), intAttr("axis", 1));

            if (k > 0) {
                longsConst("k", new long[] {k}, 1);
                node("TopK", List.of(scores, "k"), List.of("top_scores", "top_indices"), intAttr("axis", 1),
                        intAttr("largest", 1), intAttr("sorted", 1));
                node("Identity", List.of("top_indices"), List.of("top_items"));
                graph.addOutput(tensorInfo("top_items", TensorProto.DataType.INT64_VALUE, "batch", Integer.toString(k)));
                graph.addOutput(tensorInfo("top_scores", TensorProto.DataType.FLOAT_VALUE, "batch", Integer.toString(k)));
                outputs.add("top_items");
                outputs.add("top_scores");
            } else {
                graph.addOutput(tensorInfo("scores", TensorProto.DataType.FLOAT_VALUE, "batch", Integer.toString(n + 1)));
                outputs.add("scores");
            }

            ModelProto.Builder m = ModelProto.newBuilder()
                    .setIrVersion(irVersion(options.opset()))
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                    .setProducerName("lstmrec")
                    .setProducerVersion(producerVersion())
                    .setDocString("lstmrec next-item recommender: items [batch, time] + lengths [batch] (+ exclude) -> "
                            + String.join(", ", outputs) + "; see docs/onnx.md")
                    .setGraph(graph);
            m.addMetadataProps(entry("lstmrec.items", Integer.toString(n)));
            m.addMetadataProps(entry("lstmrec.dim", Integer.toString(config.embeddingDim())));
            m.addMetadataProps(entry("lstmrec.hidden", Integer.toString(h)));
            m.addMetadataProps(entry("lstmrec.layers", Integer.toString(layers)));
            m.addMetadataProps(entry("lstmrec.max_len", Integer.toString(config.maxLen())));
            m.addMetadataProps(entry("lstmrec.tied", Boolean.toString(config.tied())));
            if (k > 0) m.addMetadataProps(entry("lstmrec.top_k", Integer.toString(k)));
            return m.build();
        }

        private static String producerVersion() {
            String v = OnnxExport.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        private void node(String op, List<String> inputs, List<String> outs, AttributeProto... attrs) {
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_" + nodeCount++)
                    .addAllInput(inputs).addAllOutput(outs);
            for (AttributeProto a : attrs) b.addAttribute(a);
            graph.addNode(b);
        }

        private void longConst(String name, long value) {
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                    .addInt64Data(value).build());
        }

        private void longsConst(String name, long[] values, int... dims) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
            for (int d : dims) t.addDims(d);
            for (long v : values) t.addInt64Data(v);
            graph.addInitializer(t);
        }

        private void floatInit(String name, float[] values, int... dims) {
            if (external != null && 4L * values.length >= EXTERNAL_MIN_BYTES) {
                TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL).addAllExternalData(external.add(values));
                for (int d : dims) t.addDims(d);
                graph.addInitializer(t);
            } else {
                graph.addInitializer(floatTensor(name, values, dims));
            }
        }
    }

    static TensorProto floatTensor(String name, float[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) t.addDims(d);
        return t.build();
    }

    /**
     * lstmrec's gate blocks {@code [i f g o]} (each {@code h} rows of {@code cols}) in ONNX LSTM's order {@code [i o f c]},
     * where ONNX's cell candidate c is lstmrec's g.
     */
    static float[] onnxGateOrder(float[] gates, int h, int cols) {
        float[] out = new float[gates.length];
        int block = h * cols;
        int[] from = {0, 3, 1, 2}; // ONNX block k takes lstmrec block from[k]
        for (int k = 0; k < 4; k++) System.arraycopy(gates, from[k] * block, out, k * block, block);
        return out;
    }

    private static float[] slice(float[] w, ParameterLayout.Entry e) {
        float[] out = new float[e.size()];
        System.arraycopy(w, (int) e.offset(), out, 0, e.size());
        return out;
    }

    private static ValueInfoProto tensorInfo(String name, int elemType, String... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.chars().allMatch(Character::isDigit)) dim.setDimValue(Long.parseLong(d));
            else dim.setDimParam(d);
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    private static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
