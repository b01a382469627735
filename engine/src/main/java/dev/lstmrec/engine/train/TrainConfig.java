package dev.lstmrec.engine.train;

/**
 * Optimisation settings.
 *
 * @param batchSize   sequences (training windows) per mini-batch
 * @param lr          Adam learning rate
 * @param epochs      maximum epochs (early stopping may end sooner)
 * @param patience    stop after this many epochs without a better validation NDCG@10; 0 disables early stopping
 * @param seed        seeds initialisation, shuffling and dropout
 * @param weightDecay decoupled (AdamW) weight decay; 0 = off
 * @param clipNorm    global gradient-norm clipping threshold; 0 = off
 */
public record TrainConfig(int batchSize, float lr, int epochs, int patience, long seed, float weightDecay, float clipNorm) {
    public static final float BETA1 = 0.9f;
    public static final float BETA2 = 0.999f;
    public static final float EPS = 1e-8f;

    public TrainConfig {
        if (batchSize <= 0) throw new IllegalArgumentException("batch must be positive, got " + batchSize);
        if (!(lr > 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("lr must be a positive number, got " + lr);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight-decay must be >= 0, got " + weightDecay);
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip-norm must be >= 0, got " + clipNorm);
    }
}
