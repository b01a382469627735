package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * The compute backend: the model's real kernels, coarse and fused, over tensors whose storage the backend owns.
 *
 * <h2>Contract (every implementation)</h2>
 * <ul>
 *   <li>Argument order: outputs, then inputs, then scalars.</li>
 *   <li>Checks: a backend holds kernels only. {@link Backends#create} and {@link Backends.Found#create} return it
 *       behind {@link CheckedBackend}, the one checked front, which rejects wrong shapes and bad scalar arguments
 *       ({@link IllegalArgumentException}), tensors of another backend ({@link IllegalArgumentException}) and freed
 *       tensors or a closed backend ({@link IllegalStateException}) before any kernel runs, so a kernel may assume
 *       well-formed arguments. Checks that need the data (an embedding id, a target) stay in the kernel: they
 *       read what only the kernel reads, and a GPU reports them at the next {@link #download}/{@link #synchronize}.</li>
 *   <li>Lifetime: a tensor lives from {@link #allocate}/{@link #allocateInt} until {@link #free} (or
 *       {@link #close}). {@code free} takes the tensor as allocated (not a view of part of it) and releases its memory
 *       at once (GPU memory included); every view of it is dead from then on, and any use is rejected with an
 *       {@link IllegalStateException}. Callers keep grow-only workspaces: allocate once per shape, reuse, free on
 *       close, so no allocation happens per batch once warm (counted by the tests' CountingBackend).</li>
 *   <li>Shape letters: P packed tokens (rows), E embedding width, H hidden width, G = 4H gate width,
 *       V output items (item {@code j} of the catalogue is output row {@code j - 1}; padding has no row),
 *       K top-K width.</li>
 *   <li>LSTM gate layout along G: {@code [i | f | g | o]}; i, f, o are sigmoids, g is tanh.</li>
 *   <li>Gradients: parameter gradients accumulate ({@code +=}), activation gradients overwrite ({@code =}).</li>
 *   <li>Outputs that are overwritten are never read first, so callers (and tests) may poison them with NaN.
 *       Element-wise ops document which outputs may alias which inputs.</li>
 *   <li>Work may be asynchronous (GPU); {@link #download} and {@link #synchronize} wait for it.</li>
 *   <li>Float results may differ from the scalar reference only by rounding (see the conformance suite's
 *       tolerances); integer results (top-K order, ranks) must be identical when scores are not tied.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Short name used by {@code --backend}, e.g. {@code scalar}. */
    String name();

    /** One line for {@code lstmrec info} and reports: threads, vector width, device. */
    String description();

    // ---- memory -------------------------------------------------------------------------------------------

    /** A new zero-filled float tensor. */
    Tensor allocate(int... shape);

    /** A new zero-filled int tensor. */
    IntTensor allocateInt(int... shape);

    /**
     * Releases the memory of {@code t}, a tensor this backend allocated, whole (its offset 0 and full length, as
     * {@link #allocate} returned it or a reshape of that). Views of it must not be used afterwards; a second free is
     * an error. Pending work that reads it completes first. Null is ignored.
     */
    void free(Tensor t);

    /** As {@link #free(Tensor)}, for an int tensor. */
    void free(IntTensor t);

    /**
     * The identity that {@link dev.lstmrec.engine.tensor.Storage#owner()} carries for tensors this backend
     * allocates: the backend itself, unless it delegates allocation to another backend (a wrapper such as
     * {@link CheckedBackend}, the tests' CountingBackend, or a backend built over another one), which returns that
     * backend's owner. The checked front rejects a tensor whose storage has a different owner.
     */
    default Object storageOwner() {
        return this;
    }

    /** {@code dst[i] = src[srcOffset + i]} for every element of dst. */
    void upload(Tensor dst, float[] src, int srcOffset);

    /** {@code dst[dstOffset + i] = src[i]} for every element of src; waits for pending work. */
    void download(float[] dst, int dstOffset, Tensor src);

    void uploadInt(IntTensor dst, int[] src, int srcOffset);

    void downloadInt(int[] dst, int dstOffset, IntTensor src);

    /** {@code dst[i] = value}. */
    void fill(Tensor dst, float value);

    /** {@code dst[i] = src[i]}; equal sizes, shapes may differ; dst and src may not overlap. */
    void copy(Tensor dst, Tensor src);

    /** Waits until all submitted work is done. */
    void synchronize();

    // ---- embedding ------------------------------------------------------------------------------------------

    /** Gather: {@code out[p, :] = table[ids[p], :]}. out [P, E], table [R, E], ids [P] with 0 ≤ id &lt; R. */
    void embeddingForward(Tensor out, Tensor table, IntTensor ids);

    /** Scatter-add: {@code dTable[ids[p], :] += dOut[p, :]} (repeated ids accumulate). */
    void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids);

    // ---- dense ------------------------------------------------------------------------------------------------

    /**
     * {@code C = alpha · op(A) · op(B) + beta · C}, op(X) = X or Xᵀ. C [M, N]; op(A) [M, K]; op(B) [K, N].
     * All 2-D row-major. With {@code beta == 0} C is not read. The model uses NN, NT and TN.
     */
    void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta);

    /** {@code out[r, :] += bias[:]}. out [R, C], bias [C]. */
    void addBias(Tensor out, Tensor bias);

    /** {@code dBias[:] += Σ_r dOut[r, :]}. dBias [C], dOut [R, C]. */
    void biasBackward(Tensor dBias, Tensor dOut);

    // ---- LSTM ------------------------------------------------------------------------------------------------

    /**
     * One fused LSTM time step for n rows. On entry {@code gates} [n, G] holds the pre-activations without
     * bias (input projection + recurrent term); on exit it holds the activations {@code [i f g o]} that
     * {@link #lstmCellBackward} needs. {@code c = f⊙cPrev + i⊙g}, {@code h = o⊙tanh(c)}.
     *
     * @param h     out [n, H]
     * @param c     out [n, H]
     * @param gates in/out [n, G]
     * @param bias  [G]
     * @param cPrev [n, H], or null for a zero initial state
     */
    void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev);

    /**
     * Backward of {@link #lstmCellForward} for n rows.
     *
     * @param dGates out [n, G]: gradient of the pre-activations ({@code =}); may alias nothing
     * @param dcPrev out [n, H]: gradient flowing into cPrev ({@code =}); may alias {@code dc}; ignored if null
     * @param dh     [n, H] gradient of h (from the layer above and the next step)
     * @param dc     [n, H] gradient of c from the next step, or null for zero
     * @param gates  [n, G] activations saved by the forward
     * @param c      [n, H] cell state saved by the forward
     * @param cPrev  [n, H] previous cell state, or null for zero
     */
    void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev);

    /**
     * Inverted dropout in place: {@code x[i] = keep(i) ? x[i] / (1 - p) : 0}. The mask is a pure function of
     * (seed, i) given by {@link DropoutMask}, so the backward applies the same call to the gradient and every
     * backend draws the same mask.
     */
    void dropout(Tensor x, float p, long seed);

    // ---- loss --------------------------------------------------------------------------------------------------

    /**
     * Fused masked softmax + cross-entropy + gradient over rows of logits.
     * For each row r with {@code targets[r] ≥ 0}: {@code loss[0] += -log softmax(logits[r])[targets[r]]} and
     * {@code dLogits[r] = gradScale · (softmax(logits[r]) - onehot(targets[r]))}; rows with a negative target
     * are masked: no loss, {@code dLogits[r] = 0}. dLogits [P, V] may alias logits [P, V]; loss [1]; targets [P].
     */
    void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale);

    /**
     * The scoring layer's loss on one chunk of logits that lack their bias: {@code logits += bias},
     * then {@link #softmaxCrossEntropy}, then {@code dBias += Σ_r dLogits[r, :]} ({@link #biasBackward}). A backend
     * may fuse the passes over the [P, V] logits; the default composes the three ops. dLogits may alias logits;
     * when it does not, the contents of logits afterwards are unspecified. bias, dBias [V].
     */
    default void biasedSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                           IntTensor targets, float gradScale) {
        addBias(logits, bias);
        softmaxCrossEntropy(dLogits, loss, logits, targets, gradScale);
        biasBackward(dBias, dLogits);
    }

    /**
     * Row-wise scatter of one value: {@code x[r, columns[k]] = value} for every row r of {@code x} [n, V] and k in
     * {@code [offsets[r], offsets[r + 1])}. A column may be listed more than once. The training softmax uses it to
     * take the items a user has already seen out of a row before {@link #biasedSoftmaxCrossEntropy} (value -inf:
     * probability 0, gradient 0). offsets [n + 1] (offsets[0] = 0), columns [offsets[n]] (may be zero-length).
     */
    void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value);

    /** {@code out[0] += Σ x[i]²} (for global-norm gradient clipping). */
    void sumSquares(Tensor out, Tensor x);

    // ---- optimizer -----------------------------------------------------------------------------------------------

    /**
     * One Adam step (decoupled weight decay, as AdamW) on every element:
     * {@code g = gradScale·grad; m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
     * param -= lr·(wd·param + (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps))}.
     */
    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step);

    // ---- inference -------------------------------------------------------------------------------------------------

    /**
     * Fused scoring + top-K: for each row r, scores {@code s_j = h[r]·w[j] + bias[j]} over j in [0, V), skipping the
     * indices {@code exclude[excludeOffsets[r] .. excludeOffsets[r+1])}; writes the K best in descending score,
     * ties broken by the lower index. Rows with fewer than K candidates pad with index -1 and score -inf.
     *
     * @param outIndex       out [n, K]
     * @param outScore       out [n, K]
     * @param h              [n, H]
     * @param w              [V, H]
     * @param bias           [V]
     * @param excludeOffsets [n + 1]
     * @param exclude        [excludeOffsets[n]] (may be a zero-length tensor)
     */
    void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                   IntTensor excludeOffsets, IntTensor exclude);

    /**
     * Fused scoring + rank of a target, conservative on ties: {@code rank[r] = #{j ≠ t : j considered, !(s_j < s_t)}}
     * with {@code t = targets[r]}, 0 = best. In {@link RankMode#EXCLUDE} every index except those listed for the row
     * is considered (full ranking with seen items removed); in {@link RankMode#CANDIDATES} only the listed
     * indices are (sampled protocol). The target is always scored, even when listed.
     */
    void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                   IntTensor listOffsets, IntTensor list, RankMode mode);

    // ---- sampled training (sampled softmax, BPR-max, sparse row updates) ----------------------------------------------

    /**
     * Sampled softmax cross-entropy with logQ correction over one scoring group (GRU4Rec's mini-batch: the rows of
     * one time step), fused with its gradient and the bias gradient. Columns are candidates: the group's own targets
     * first (row r's positive is column r), then the negatives shared by the training step. The logit of row r and
     * column j is {@code z = logits[r, j] + bias[j] - logqWeight · logQ[j]}; the columns j ≠ r whose candidate equals
     * row r's ({@code candidates[j] == candidates[r]}, accidental hits) are masked: they are left out of the softmax and
     * get no gradient. A row whose candidate is negative is masked whole (no loss, zero gradient), and a column whose
     * candidate is negative is masked for every row. For each unmasked row:
     * {@code loss[0] += -log softmax(z_r)[r]}, {@code dLogits[r, j] = gradScale · (softmax(z_r)[j] - [j == r])}
     * (0 where masked), and {@code dBias[j] += Σ_r dLogits[r, j]}.
     *
     * <p>What the trainer passes (SampledScoring): per step, n = the rows of one time step, C = n + K with K
     * negatives drawn from count^α over training targets; logQ as GRU4Rec's official PyTorch implementation
     * ({@code O - logq * log(cat[P0[Y[:M]], P0[Y[M:]]**sample_alpha])}): for an in-batch target column the log of the
     * item's support count (how often it is a training target), for a sampled column α times that log (the log of
     * its unnormalised sampling weight). Unlike GRU4Rec, accidental hits are masked.
     *
     * @param dLogits    out [n, C] (may alias logits)
     * @param dBias      [C], accumulated
     * @param loss       [1], accumulated
     * @param logits     [n, C], n ≤ C: h · w without bias
     * @param bias       [C] the candidates' output biases
     * @param logQ       [C] log of each candidate's sampling probability (up to a constant)
     * @param candidates [C] each column's output row (item - 1), or negative for a padding column
     */
    void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                    IntTensor candidates, float logqWeight, float gradScale);

    /**
     * GRU4Rec's BPR-max over the same candidates and masks as {@link #sampledSoftmaxCrossEntropy} (no logQ, no ELU):
     * with {@code z = logits + bias}, target score {@code s = z[r, r]}, and {@code q} the softmax of z over the row's
     * unmasked negatives (columns j ≠ r), {@code loss[0] += -log(Σ_j q_j σ(s - z_j) + 1e-24) + bpreg · Σ_j q_j z_j²};
     * dLogits is gradScale times its gradient, dBias accumulates the column sums. A row without negatives is masked.
     */
    void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                    float bpreg, float gradScale);

    /**
     * Lazy (row-wise) Adam: the {@link #adamUpdate} step applied only to the listed rows of an item table, with
     * their gradients in a compact block: row {@code rows[i]} of param, m and v is updated with
     * {@code gradRows[i, :]}. Rows must be distinct; rows not listed are not touched (their moments do not decay and
     * weight decay skips them). param, m, v [R, C]; gradRows [n, C] with n ≥ rows.size(); rows [count].
     */
    void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step);

    /**
     * Row-wise Adagrad with momentum (GRU4Rec's IndexedAdagradM), on the listed rows only, element by element with
     * g = gradScale · gradRows[i, e] for row r = rows[i]: {@code acc += g²; mom = momentum · mom + lr · g / sqrt(acc + eps);
     * param -= mom + lr · weightDecay · param}. With momentum 0 the step is {@code lr · g / sqrt(acc + eps)} and mom is
     * neither read nor written (it keeps its value, zero in a trainer, so a distributed round need not ship it). Rows
     * must be distinct; rows not listed are not touched.
     * param, mom, acc [R, C]; gradRows [n, C] with n ≥ rows.size(); rows [count].
     */
    void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step);

    /** Releases the backend's memory (every tensor not yet freed) and threads. Its tensors must not be used afterwards. */
    @Override
    void close();
}
