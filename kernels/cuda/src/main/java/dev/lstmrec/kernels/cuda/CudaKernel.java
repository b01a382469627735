package dev.lstmrec.kernels.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * The table of CUDA entry points the Java side launches: each kernel's PTX module (a file under
 * {@code dev/lstmrec/kernels/cuda/ptx/}), its {@code extern "C"} name and its parameter kinds. Pure Java, so tests can check it against the
 * {@code .entry} declarations of the committed PTX without a GPU (CudaPtxEntryPointsTest).
 */
public enum CudaKernel {
    EMBEDDING_FORWARD("embedding", "embedding_forward", "pppiiip"),
    EMBEDDING_BACKWARD("embedding", "embedding_backward", "pppiiip"),
    GEMM_NN("gemm", "gemm_nn", "pppiiiiiiff"),
    GEMM_NT("gemm", "gemm_nt", "pppiiiiiiff"),
    GEMM_TN("gemm", "gemm_tn", "pppiiiiiiff"),
    GEMM_TT("gemm", "gemm_tt", "pppiiiiiiff"),
    GEMM_NN_SMALL("gemm", "gemm_nn_small", "pppiiiiiiff"),
    GEMM_NT_SMALL("gemm", "gemm_nt_small", "pppiiiiiiff"),
    GEMM_TN_SMALL("gemm", "gemm_tn_small", "pppiiiiiiff"),
    GEMM_TT_SMALL("gemm", "gemm_tt_small", "pppiiiiiiff"),
    ADD_BIAS("gemm", "add_bias", "ppii"),
    BIAS_BACKWARD("gemm", "bias_backward", "ppii"),
    LSTM_CELL_FORWARD("lstm", "lstm_cell_forward", "pppppii"),
    LSTM_CELL_BACKWARD("lstm", "lstm_cell_backward", "pppppppii"),
    SOFTMAX_CROSS_ENTROPY("softmax", "softmax_cross_entropy", "ppppiifp"),
    FILL_COLUMNS("softmax", "fill_columns", "pppiifp"),
    ADAM_UPDATE("optim", "adam_update", "ppppiffffffff"),
    SUM_SQUARES("optim", "sum_squares", "ppi"),
    FILL("optim", "fill", "pif"),
    DROPOUT("optim", "dropout", "piifl"),
    SCORE_TOP_K("score", "score_top_k", "pppppppiii"),
    SCORE_RANK("score", "score_rank", "pppppppiiip"),
    SAMPLED_SOFTMAX_CROSS_ENTROPY("sampled", "sampled_softmax_cross_entropy", "pppppppiiff"),
    BPR_MAX_LOSS("sampled", "bpr_max_loss", "ppppppiiff"),
    ADAM_UPDATE_ROWS("sampled", "adam_update_rows", "pppppiiiffffffffp"),
    ADAGRAD_UPDATE_ROWS("sampled", "adagrad_update_rows", "pppppiiifffffp");

    /** Classpath folder of the generated PTX (see kernels/scripts/build-ptx.sh). */
    public static final String PTX_FOLDER = "/dev/lstmrec/kernels/cuda/ptx/";

    private final String module;
    private final String entry;
    private final String signature;

    CudaKernel(String module, String entry, String signature) {
        this.module = module;
        this.entry = entry;
        this.signature = signature;
    }

    /** Base name of the PTX module, e.g. {@code gemm} for {@code gemm.ptx}. */
    public String module() {
        return module;
    }

    /** The {@code extern "C"} entry point name. */
    public String entry() {
        return entry;
    }

    /**
     * The parameter kinds in order, one letter each: {@code p} device pointer, {@code i} int, {@code f} float,
     * {@code l} 64-bit integer. CudaBackend checks every launch against it; CudaPtxEntryPointsTest checks it against
     * the PTX parameter list ({@code p}, {@code l} = .u64, {@code i} = .u32, {@code f} = .f32).
     */
    public String signature() {
        return signature;
    }

    /** Every distinct module, in declaration order. */
    public static List<String> modules() {
        List<String> names = new ArrayList<>();
        for (CudaKernel k : values()) if (!names.contains(k.module)) names.add(k.module);
        return names;
    }
}
