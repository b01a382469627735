package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.EpochResult;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.RowOptimizer;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The human-readable summary and the JSON report of a run (key names are relied on by scripts: keep them). */
final class Reports {
    private Reports() {}

    static String describe(Dataset d) {
        return String.format("dataset %s: %,d users, %,d items, %,d interactions", d.source(), d.numUsers(), d.numItems(), d.numInteractions());
    }

    static void printSummary(PrintStream out, Experiment.Result r, Protocol protocol, int k) {
        var t = r.training();
        out.printf("best epoch %d of %d%s; training %,.0f tokens/s; total %.1fs%n", t.bestEpoch(), t.epochs().size(),
                t.stoppedEarly() ? " (early stopping)" : "", t.tokensPerSecond(), r.seconds());
        out.println("protocol: " + protocol.describe());
        printTable(out, r.split().numEvaluated(), new String[] {"model", "popularity"}, new Metrics[] {r.test(), r.popularity()});
        out.printf("test HR@%d: model %.4f vs popularity %.4f (%.2fx)%n", k, r.test().get(Metric.HR, k), r.popularity().get(Metric.HR, k),
                r.test().get(Metric.HR, k) / Math.max(1e-12, r.popularity().get(Metric.HR, k)));
    }

    static void printTable(PrintStream out, int users, String[] names, Metrics[] metrics) {
        StringBuilder head = new StringBuilder(String.format("%-12s", "test (" + users + ")"));
        for (String key : metrics[0].asMap().keySet()) head.append(String.format("%9s", key));
        out.println(head);
        for (int i = 0; i < names.length; i++) {
            StringBuilder row = new StringBuilder(String.format("%-12s", names[i]));
            for (double v : metrics[i].asMap().values()) row.append(String.format("%9.4f", v));
            out.println(row);
        }
    }

    static Map<String, Object> dataset(Dataset d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", d.source());
        m.put("users", d.numUsers());
        m.put("items", d.numItems());
        m.put("interactions", d.numInteractions());
        return m;
    }

    static Map<String, Object> trainReport(Dataset data, Experiment.Result r, ModelConfig s, TrainConfig t, Protocol p, Backend backend) {
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, Object> ds = dataset(data);
        ds.put("evaluated_users", r.split().numEvaluated());
        json.put("dataset", ds);
        json.put("config", config(s, t));
        json.put("backend", backend.name());
        json.put("backend_description", backend.description());
        json.put("epochs", epochs(r.training()));
        json.put("best_epoch", r.training().bestEpoch());
        json.put("stopped_early", r.training().stoppedEarly());
        json.put("test", new LinkedHashMap<>(r.test().asMap()));
        json.put("popularity", new LinkedHashMap<>(r.popularity().asMap()));
        json.put("train_tokens_per_s", r.training().tokensPerSecond());
        json.put("seconds", r.seconds());
        json.put("protocol", protocol(p));
        return json;
    }

    /** The report's record of the loss: what was asked, what trained, why, and the sampling settings. */
    static Map<String, Object> loss(LossConfig l, int items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", l.loss().cliName());
        m.put("trained", l.resolve(items).cliName());
        m.put("why", l.describe(items));
        m.put("negatives", l.negatives());
        m.put("sample_alpha", (double) l.sampleAlpha());
        m.put("logq", (double) l.logq());
        m.put("bpreg", (double) l.bpreg());
        m.put("mask_seen", l.masksSeen(items));
        m.put("row_optimizer", l.rows().kind().cliName());
        if (l.rows().kind() == RowOptimizer.Kind.ADAGRAD) {
            m.put("adagrad_lr", Double.parseDouble(Float.toString(l.rows().lr()))); // 0.1, not 0.10000000149
            m.put("adagrad_momentum", Double.parseDouble(Float.toString(l.rows().momentum())));
        }
        return m;
    }

    static Map<String, Object> config(ModelConfig s, TrainConfig t) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dim", s.embeddingDim());
        config.put("hidden", s.hiddenDim());
        config.put("layers", s.layers());
        config.put("max_len", s.maxLen());
        config.put("dropout", s.embeddingDropout());
        config.put("embedding_dropout", s.embeddingDropout());
        config.put("hidden_dropout", s.hiddenDropout());
        config.put("batch", t.batchSize());
        config.put("lr", t.lr());
        config.put("epochs", t.epochs());
        config.put("patience", t.patience());
        config.put("weight_decay", t.weightDecay());
        config.put("lr_schedule", t.schedule().kind().cliName());
        config.put("warmup", t.schedule().warmup());
        config.put("clip_norm", t.clipNorm());
        config.put("seed", t.seed());
        config.put("optimizer", "Adam(beta1=" + TrainConfig.BETA1 + ", beta2=" + TrainConfig.BETA2 + ", eps=" + TrainConfig.EPS + ")");
        return config;
    }

    static List<Object> epochs(TrainingResult training) {
        return epochs(training, List.of());
    }

    /** Each epoch's figures; the last {@code testCurve.size()} epochs (those this call trained) also carry "test". */
    static List<Object> epochs(TrainingResult training, List<Metrics> testCurve) {
        List<Object> epochs = new ArrayList<>();
        int first = training.epochs().size() - testCurve.size();
        for (EpochResult e : training.epochs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("loss", e.loss());
            m.put("seconds", e.seconds());
            m.put("valid_seconds", e.validSeconds());
            m.put("tokens_per_s", e.tokensPerSecond());
            m.put("validation", new LinkedHashMap<>(e.validation().asMap()));
            if (epochs.size() >= first) m.put("test", new LinkedHashMap<>(testCurve.get(epochs.size() - first).asMap()));
            epochs.add(m);
        }
        return epochs;
    }

    static Map<String, Object> protocol(Protocol p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("split", "leave-one-out: last item = test, second-to-last = validation");
        m.put("ranking", p.sampled() ? "sampled" : "full");
        m.put("negatives", p.negatives());
        m.put("exclude_seen", p.excludeSeen());
        m.put("ties", "counted against the target");
        m.put("description", p.describe());
        return m;
    }
}
