package dev.lstmrec.engine.train;

/**
 * Which training loss scores the network's outputs, and the settings of the sampled losses (GRU4Rec's): see
 * {@link dev.lstmrec.engine.backend.Backend#sampledSoftmaxCrossEntropy} for the exact definition of the sampled
 * softmax with logQ correction, {@link dev.lstmrec.engine.backend.Backend#bprMaxLoss} for BPR-max.
 *
 * @param loss        full softmax, sampled softmax, BPR-max, or auto (chosen from the catalogue size)
 * @param negatives   K extra negatives shared by every row of a training step
 * @param sampleAlpha negatives are drawn from (count as a training target)^alpha; 0 = uniform
 * @param logq        weight of the logQ correction (0 = off)
 * @param bpreg       BPR-max score regulariser
 * @param rows        how the sampled losses update the item-table rows they touch
 * @param maskSeen    the full softmax leaves out, at each position, the items the user has consumed before it (its
 *                    own target excepted): the training counterpart of ranking with the history excluded
 *                    ({@code --exclude-seen}); the sampled losses do not use it
 */
public record LossConfig(Loss loss, int negatives, float sampleAlpha, float logq, float bpreg, RowOptimizer rows,
                         boolean maskSeen) {
    /** Above this many items {@link Loss#AUTO} trains with the sampled softmax (measured, see README "Large catalogues"). */
    public static final int AUTO_SAMPLED_ABOVE = 16_384;

    public enum Loss implements dev.lstmrec.engine.io.CliName {
        FULL("full"), SAMPLED("sampled"), BPR_MAX("bpr-max"), AUTO("auto");

        private final String cliName;

        Loss(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String cliName() {
            return cliName;
        }

        public static Loss parse(String s) {
            return dev.lstmrec.engine.io.CliName.parse(values(), "loss", s);
        }
    }

    public LossConfig {
        if (loss == null) throw new IllegalArgumentException("loss must be given");
        if (negatives < 0) throw new IllegalArgumentException("--negatives must be >= 0, got " + negatives);
        if (!(sampleAlpha >= 0) || Float.isInfinite(sampleAlpha)) {
            throw new IllegalArgumentException("--sample-alpha must be >= 0, got " + sampleAlpha);
        }
        if (!(logq >= 0) || Float.isInfinite(logq)) throw new IllegalArgumentException("--logq must be >= 0, got " + logq);
        if (!(bpreg >= 0) || Float.isInfinite(bpreg)) throw new IllegalArgumentException("--bpreg must be >= 0, got " + bpreg);
        if (rows == null) throw new IllegalArgumentException("row optimizer must be given");
    }

    /** Sampled-loss rows updated by lazy Adam (the default); no seen-item masking. */
    public LossConfig(Loss loss, int negatives, float sampleAlpha, float logq, float bpreg, RowOptimizer rows) {
        this(loss, negatives, sampleAlpha, logq, bpreg, rows, false);
    }

    /** Sampled-loss rows updated by lazy Adam (the default); no seen-item masking. */
    public LossConfig(Loss loss, int negatives, float sampleAlpha, float logq, float bpreg) {
        this(loss, negatives, sampleAlpha, logq, bpreg, RowOptimizer.adam());
    }

    /**
     * The plain full softmax: no seen-item masking, and no sampling settings (the full softmax reads none; {@code
     * lstmrec train}'s defaults are {@code RunConfig.defaults().lossConfig()}).
     */
    public static LossConfig full() {
        return new LossConfig(Loss.FULL, 0, 0f, 0f, 0f);
    }

    public LossConfig withLoss(Loss l) {
        return new LossConfig(l, negatives, sampleAlpha, logq, bpreg, rows, maskSeen);
    }

    public LossConfig withMaskSeen(boolean mask) {
        return new LossConfig(loss, negatives, sampleAlpha, logq, bpreg, rows, mask);
    }

    /** The loss actually trained for a catalogue of {@code numItems}: {@link Loss#AUTO} resolved. */
    public Loss resolve(int numItems) {
        if (loss != Loss.AUTO) return loss;
        return numItems > AUTO_SAMPLED_ABOVE ? Loss.SAMPLED : Loss.FULL;
    }

    /** Whether training on a catalogue of {@code numItems} masks seen items: asked for, and the loss is the full softmax. */
    public boolean masksSeen(int numItems) {
        return maskSeen && resolve(numItems) == Loss.FULL;
    }

    /** One line saying which loss trains a catalogue of {@code numItems} and why (printed by {@code train}). */
    public String describe(int numItems) {
        Loss l = resolve(numItems);
        String what = switch (l) {
            case FULL -> "full softmax over all " + numItems + " items" + (maskSeen ? ", the user's seen items left out" : "")
                    + (rows.kind() == RowOptimizer.Kind.ADAM ? ""
                    : ", Adam on every row (--row-optimizer is for the sampled losses)");
            case SAMPLED -> "sampled softmax: in-batch targets + " + negatives + " shared negatives ~ popularity^" + sampleAlpha
                    + ", logQ weight " + logq + ", accidental hits masked, " + rows.describe();
            case BPR_MAX -> "BPR-max: in-batch targets + " + negatives + " shared negatives ~ popularity^" + sampleAlpha
                    + ", score regulariser " + bpreg + ", " + rows.describe();
            case AUTO -> throw new AssertionError();
        };
        if (loss != Loss.AUTO) return what + " (--loss " + loss.cliName + ")";
        return what + " (--loss auto: " + numItems + (l == Loss.FULL ? " <= " : " > ") + AUTO_SAMPLED_ABOVE
                + " items; the full softmax costs 6·N·h FLOPs per token, the sampled one 6·(B+K)·h)";
    }
}
