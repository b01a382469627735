package dev.lstmrec.engine.api;

// The default training settings, in one place: the library's TrainingBuilder and ModelSettings.defaults() use them,
// and they equal the option defaults of `lstmrec train` (TrainCommand; LstmRecTest checks both agree).

/** Default settings of a training run; the same as the {@code lstmrec train} option defaults. */
public final class Defaults {
    private Defaults() {}

    /** Embedding width d ({@code --dim}). */
    public static final int DIM = 64;
    /** LSTM hidden width h ({@code --hidden}). */
    public static final int HIDDEN = 64;
    /** Stacked LSTM layers ({@code --layers}). */
    public static final int LAYERS = 1;
    /** Longest history unrolled, the BPTT truncation ({@code --max-len}). */
    public static final int MAX_LEN = 200;
    /** Dropout on embeddings and LSTM outputs ({@code --dropout}). */
    public static final float DROPOUT = 0.2f;
    /** Sequences per mini-batch ({@code --batch}). */
    public static final int BATCH = 64;
    /** Adam learning rate ({@code --lr}). */
    public static final float LR = 0.003f;
    /** Maximum epochs ({@code --epochs}). */
    public static final int EPOCHS = 60;
    /** Epochs without a better validation NDCG@10 before stopping; 0 = never ({@code --patience}). */
    public static final int PATIENCE = 10;
    /** Decoupled (AdamW) weight decay ({@code --weight-decay}). */
    public static final float WEIGHT_DECAY = 0f;
    /** Learning-rate schedule ({@code --lr-schedule}, {@code --warmup}). */
    public static final dev.lstmrec.engine.train.LrSchedule LR_SCHEDULE = dev.lstmrec.engine.train.LrSchedule.constant();
    /** Global gradient-norm clipping threshold; 0 = off ({@code --clip-norm}). */
    public static final float CLIP_NORM = 5f;
    /** Seed of initialisation, shuffling, dropout and sampled negatives ({@code --seed}). */
    public static final long SEED = 42L;
    /** Backend name: the highest-priority usable one, or the one set by {@code -Dlstmrec.backend} / {@code LSTMREC_BACKEND}. */
    public static final String BACKEND = "auto";
    /** CPU worker threads; 0 = all cores ({@code --threads}). */
    public static final int THREADS = 0;
    /** Remove the user's history from the ranking ({@code --exclude-seen}). */
    public static final boolean EXCLUDE_SEEN = true;
    /** 0 = rank against all items; N = sampled protocol with N negatives ({@code --eval-negatives}). */
    public static final int EVAL_NEGATIVES = 0;
}
