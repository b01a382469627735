// The incremental mode of `lstmrec backtest`, alone and from a stored initial model: scores each chunk with the current
// model, then updates it on the chunk with the given settings, and prints HR@20 per chunk and the mean. It skips the
// initial training (minutes) that the backtest repeats for every setting, which is what made the update defaults of
// issue 23 measurable side by side (bench/RESULTS.md); its figures equal the backtest's incremental mode for the same
// initial model (checked: the 10-epoch, replay-0.5 defaults of 22ccf5f reproduced that backtest's chunks to the digit).
// It lives in the engine's package to call Backtest's package-private scoring. Build and run (repository root):
//   mvn -B -q -DskipTests package && mkdir -p /tmp/ul && javac --add-modules jdk.incubator.vector \
//     -cp cli/target/lstmrec.jar -d /tmp/ul bench/scripts/UpdateLoop.java
//   java --add-modules jdk.incubator.vector -cp cli/target/lstmrec.jar:/tmp/ul dev.lstmrec.engine.api.UpdateLoop \
//     LOG FORMAT|- INITIAL.lstmrec CHUNKS MAX_CHUNKS [replay=F] [quiet] [KEY=VALUE: any train option, e.g. epochs=20 lr=0.005]
// INITIAL.lstmrec is a backtest work directory's incremental-0.lstmrec (`backtest --work-dir DIR`).
package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.train.TrainingListener;
import java.nio.file.Path;
import java.util.*;


public class UpdateLoop {
    public static void main(String[] a) throws Exception {
        Path logFile = Path.of(a[0]);
        String format = a[1];
        SavedModel model = SavedModel.load(Path.of(a[2]));
        int chunks = Integer.parseInt(a[3]), maxChunks = Integer.parseInt(a[4]);
        Map<RunOption, String> opts = new EnumMap<>(RunOption.class);
        if (!format.equals("-")) opts.put(RunOption.byKey("format").get(), format);
        double replay = UpdateBuilder.DEFAULT_REPLAY;
        boolean quiet = false;
        for (int i = 5; i < a.length; i++) {
            String[] kv = a[i].split("=", 2);
            if (kv[0].equals("replay")) { replay = Double.parseDouble(kv[1]); continue; }
            if (kv[0].equals("quiet")) { quiet = true; continue; }
            opts.put(RunOption.byKey(kv[0]).orElseThrow(() -> new IllegalArgumentException(kv[0])), kv[1]);
        }
        RunConfig run = RunConfig.of(opts);
        Dataset log = DataReader.read(logFile, run.readOptions());
        Backtest.Plan plan = Backtest.plan(log, 0.5, chunks);
        Backend backend = Backends.choose(run.get(RunOption.BACKEND)).create(run.backendOptions());
        Protocol protocol = new Protocol(run.booleanValue(RunOption.EXCLUDE_SEEN), 0, run.longValue(RunOption.SEED));
        boolean[] initialItem = new boolean[log.numItems() + 1];
        for (int j = 0; j < plan.initialEvents(); j++) { int k = plan.order()[j]; initialItem[log.itemAt(plan.userOf()[k], plan.position()[k])] = true; }
        double sum = 0, sumNew = 0, secs = 0;
        int n = 0;
        final boolean q = quiet;
        TrainingListener listener = new TrainingListener() {
            @Override public void onMessage(String m) { if (!q) System.err.println("  " + m); }
            @Override public void onEpoch(dev.lstmrec.engine.train.EpochResult r) { if (!q) System.err.printf(java.util.Locale.ROOT, "  epoch %d loss %.4f val %s%n", r.epoch(), r.loss(), r.validation() == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", r.validation().get(dev.lstmrec.engine.eval.Metric.NDCG, 10))); }
        };
        for (int c = 0; c < Math.min(chunks, maxChunks); c++) {
            int from = plan.chunkStart()[c], to = plan.chunkStart()[c + 1];
            boolean[] newTarget = new boolean[to - from];
            for (int j = from; j < to; j++) { int k = plan.order()[j]; newTarget[j - from] = plan.position()[k] > 0 && !initialItem[log.itemAt(plan.userOf()[k], plan.position()[k])]; }
            Backtest.Scores s = Backtest.scores(Backtest.modelRanks(model, log, plan, from, to, protocol, backend), newTarget);
            System.out.printf(Locale.ROOT, "chunk %d HR@20 %.4f MRR@20 %.4f new HR@20 %.4f%n", c + 1, s.all().get(dev.lstmrec.engine.eval.Metric.HR,20), s.all().get(dev.lstmrec.engine.eval.Metric.MRR,20), s.newItems().get(dev.lstmrec.engine.eval.Metric.HR,20));
            sum += s.all().get(dev.lstmrec.engine.eval.Metric.HR,20); sumNew += s.newItems().get(dev.lstmrec.engine.eval.Metric.HR,20); n++;
            if (c + 1 == Math.min(chunks, maxChunks)) break;
            Dataset chunk = log.keepEvents(plan.marks(from, to), log.source() + " (chunk " + (c + 1) + ")");
            UpdateBuilder b = LstmRec.updater(model).dataset(chunk).backend(backend).listener(listener).replay(replay);
            opts.forEach((o, v) -> { if (Backtest.takenByUpdate(o)) b.set(o, v); }); // as the backtest passes them
            long t0 = System.nanoTime();
            UpdateBuilder.Result r = b.train();
            double sec = (System.nanoTime() - t0) / 1e9;
            secs += sec;
            model = r.model();
            System.out.printf(Locale.ROOT, "  update %d: %.1f s best epoch %d%n", c + 1, sec, r.training().bestEpoch());
        }
        System.out.printf(Locale.ROOT, "MEAN HR@20 %.4f new %.4f over %d chunks; update seconds %.1f%n", sum / n, sumNew / n, n, secs);
        backend.close();
    }
}
