package dev.lstmrec.cli;

// PNG charts for `train --plot`, `evaluate --plot` and `backtest --plot`, drawn with XChart's bitmap encoder (Java2D + ImageIO, headless).
// Rendered to bytes first and then written atomically, so a failed render never leaves a partial file. Checked by
// TrainingChartTest (valid PNGs of the stated size, with drawn pixels in each panel) and by looking at them.

import dev.lstmrec.engine.api.Backtest;
import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.ModelEvaluation;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.train.EpochResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Training and evaluation charts as PNG files. */
public final class TrainingChart {
    static {
        // Charts are drawn off-screen; without this a server with no display could try to reach one.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Width of every chart, in pixels. */
    static final int WIDTH = 1000;
    /** Height of one panel of the training chart (it has two, stacked), in pixels. */
    static final int PANEL_HEIGHT = 420;
    /** Height of the evaluation chart, in pixels. */
    static final int EVAL_HEIGHT = 520;

    private static final Color HR = new Color(31, 119, 180);
    private static final Color NDCG = new Color(255, 127, 14);
    private static final Color LOSS = new Color(44, 160, 44);
    private static final Color MODEL = new Color(31, 119, 180);
    private static final Color POPULARITY = new Color(150, 150, 150);

    private TrainingChart() {}

    /** "lstmrec train: DATASET (backend NAME)", from what the run recorded in its model. */
    public static String defaultTitle(Experiment.Result r) {
        return "lstmrec train: " + r.model().info().getOrDefault("dataset", "?") + " (backend "
                + r.model().info().getOrDefault("backend", "?") + ")";
    }

    /**
     * Writes the training chart of a run to {@code png}, atomically: the training loss per epoch above, and below it
     * the validation HR@10 and NDCG@10 per epoch with the popularity baseline's test HR@10 and NDCG@10 as dashed
     * reference lines and the kept (best) epoch marked.
     */
    public static void writeTrainingChart(Path png, Experiment.Result r, String title) throws IOException {
        AtomicFiles.writeBytes(png, render(() -> trainingPng(r, title)));
    }

    /** Writes a bar chart of the model beside the popularity baseline for HR, NDCG and MRR at 5, 10 and 20, atomically. */
    public static void writeEvaluationChart(Path png, ModelEvaluation.Result r, String title) throws IOException {
        AtomicFiles.writeBytes(png, render(() -> evaluationPng(r.model(), r.popularity(), title)));
    }

    private interface Renderer {
        byte[] png() throws IOException;
    }

    /** AWT failures (no fonts, no native graphics libraries) become one I/O error that says what could not be drawn. */
    private static byte[] render(Renderer r) throws IOException {
        try {
            return r.png();
        } catch (RuntimeException | LinkageError | InternalError e) {
            throw new IOException("cannot draw the chart (Java2D failed: " + e + ")", e);
        }
    }

    static byte[] trainingPng(Experiment.Result r, String title) throws IOException {
        List<EpochResult> epochs = r.training().epochs();
        int n = epochs.size();
        double[] x = new double[n], loss = new double[n], hr = new double[n], ndcg = new double[n];
        for (int i = 0; i < n; i++) {
            EpochResult e = epochs.get(i);
            x[i] = e.epoch();
            loss[i] = e.loss();
            hr[i] = e.validation().get(Metric.HR, 10);
            ndcg[i] = e.validation().get(Metric.NDCG, 10);
        }
        XYChart top = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle("cross-entropy (nats/token)").build();
        style(top, n);
        line(top.addSeries("training loss (mean per token)", x, loss), LOSS, SeriesLines.SOLID, n);

        double popHr = r.popularity().get(Metric.HR, 10), popNdcg = r.popularity().get(Metric.NDCG, 10);
        int best = r.training().bestEpoch();
        XYChart bottom = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title("validation metrics per epoch (kept model: epoch " + best + "); popularity baseline on the test targets")
                .xAxisTitle("epoch").yAxisTitle("metric value").build();
        style(bottom, n);
        bottom.getStyler().setYAxisMin(0.0);
        line(bottom.addSeries("validation HR@10", x, hr), HR, SeriesLines.SOLID, n);
        line(bottom.addSeries("validation NDCG@10", x, ndcg), NDCG, SeriesLines.SOLID, n);
        double[] ends = n > 1 ? new double[] {x[0], x[n - 1]} : new double[] {x[0]};
        line(bottom.addSeries("popularity test HR@10 (" + fmt(popHr) + ")", ends, constant(ends.length, popHr)),
                HR, SeriesLines.DASH_DASH, n);
        line(bottom.addSeries("popularity test NDCG@10 (" + fmt(popNdcg) + ")", ends, constant(ends.length, popNdcg)),
                NDCG, SeriesLines.DASH_DASH, n);
        double top10 = Math.max(max(hr), Math.max(max(ndcg), Math.max(popHr, popNdcg)));
        line(bottom.addSeries("kept epoch", new double[] {best, best}, new double[] {0, top10}), Color.DARK_GRAY,
                SeriesLines.DOT_DOT, 2);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(List.of(top, bottom), 2, 1, out, BitmapEncoder.BitmapFormat.PNG);
        return out.toByteArray();
    }

    /**
     * Writes the learning curve of a session-log run to {@code png}, atomically: the training loss above and, below,
     * the test HR@20 and MRR@20 after every epoch (the run's {@link Experiment.Result#testCurve()}) with the validation
     * figures dotted and popularity dashed, all against cumulative training seconds, the kept epoch marked.
     */
    public static void writeSessionChart(Path png, Experiment.Result r, String title) throws IOException {
        AtomicFiles.writeBytes(png, render(() -> sessionPng(r, title)));
    }

    static byte[] sessionPng(Experiment.Result r, String title) throws IOException {
        List<EpochResult> epochs = r.training().epochs();
        List<Metrics> curve = r.testCurve();
        int n = epochs.size(), first = n - curve.size(); // a resumed run has the curve of its own epochs only
        double[] x = new double[n], loss = new double[n], vHr = new double[n], vMrr = new double[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            EpochResult e = epochs.get(i);
            t += e.seconds();
            x[i] = t;
            loss[i] = e.loss();
            vHr[i] = e.validation().get(Metric.HR, 20);
            vMrr[i] = e.validation().get(Metric.MRR, 20);
        }
        double[] cx = java.util.Arrays.copyOfRange(x, first, n), tHr = new double[curve.size()], tMrr = new double[curve.size()];
        for (int i = 0; i < curve.size(); i++) {
            tHr[i] = curve.get(i).get(Metric.HR, 20);
            tMrr[i] = curve.get(i).get(Metric.MRR, 20);
        }
        XYChart top = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("training seconds").yAxisTitle("loss (nats/token)").build();
        style(top, n);
        top.getStyler().setXAxisDecimalPattern("#,##0.##");
        line(top.addSeries("training loss (mean per token)", x, loss), LOSS, SeriesLines.SOLID, n);

        int best = r.training().bestEpoch();
        double popHr = r.popularity().get(Metric.HR, 20), popMrr = r.popularity().get(Metric.MRR, 20);
        XYChart bottom = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title("test HR@20 and MRR@20 after each epoch (kept model: epoch " + best + ", chosen on validation)")
                .xAxisTitle("training seconds (epoch ends)").yAxisTitle("metric value").build();
        style(bottom, n);
        bottom.getStyler().setXAxisDecimalPattern("#,##0.##");
        bottom.getStyler().setYAxisMin(0.0);
        if (curve.size() > 0) {
            line(bottom.addSeries("test HR@20", cx, tHr), HR, SeriesLines.SOLID, n);
            line(bottom.addSeries("test MRR@20", cx, tMrr), NDCG, SeriesLines.SOLID, n);
        }
        line(bottom.addSeries("valid HR@20", x, vHr), HR, SeriesLines.DOT_DOT, n);
        line(bottom.addSeries("valid MRR@20", x, vMrr), NDCG, SeriesLines.DOT_DOT, n);
        double[] ends = n > 1 ? new double[] {x[0], x[n - 1]} : new double[] {x[0]};
        line(bottom.addSeries("popularity HR@20", ends, constant(ends.length, popHr)), HR,
                SeriesLines.DASH_DASH, n);
        line(bottom.addSeries("popularity MRR@20", ends, constant(ends.length, popMrr)), NDCG,
                SeriesLines.DASH_DASH, n);
        double height = Math.max(Math.max(max(tHr), max(vHr)), popHr);
        double bx = x[best - 1];
        line(bottom.addSeries("kept epoch", new double[] {bx, bx}, new double[] {0, height}), Color.DARK_GRAY, SeriesLines.DOT_DOT, 2);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(List.of(top, bottom), 2, 1, out, BitmapEncoder.BitmapFormat.PNG);
        return out.toByteArray();
    }

    /**
     * Writes the backtest chart to {@code png}, atomically: HR@20 per chunk for each mode with the popularity baseline
     * dashed, above; below, HR@20 over the events whose target is new since the initial training data.
     */
    public static void writeBacktestChart(Path png, Backtest.Result r, String title) throws IOException {
        AtomicFiles.writeBytes(png, render(() -> backtestPng(r, title)));
    }

    private static final Color[] MODES = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44)};

    static byte[] backtestPng(Backtest.Result r, String title) throws IOException {
        int n = r.chunks().size();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.chunks().get(i).index();
        List<XYChart> panels = new ArrayList<>();
        for (boolean fresh : new boolean[] {false, true}) {
            XYChart c = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                    .title(fresh ? "HR@20 on events whose target is new since the initial training data" : title + ": HR@20 per chunk")
                    .xAxisTitle("chunk (time order)").yAxisTitle("HR@20").build();
            style(c, n);
            c.getStyler().setYAxisMin(0.0);
            for (Backtest.Mode m : r.modes()) {
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    Backtest.Scores s = r.chunks().get(i).mode(m).scores();
                    y[i] = (fresh ? s.newItems() : s.all()).get(Metric.HR, 20);
                }
                line(c.addSeries(m.key() + " (train " + String.format(java.util.Locale.ROOT, "%.0f", r.totalSeconds(m)) + " s)", x, y),
                        MODES[m.ordinal() % MODES.length], SeriesLines.SOLID, n);
            }
            double[] p = new double[n];
            for (int i = 0; i < n; i++) {
                Backtest.Scores s = r.chunks().get(i).popularity();
                p[i] = (fresh ? s.newItems() : s.all()).get(Metric.HR, 20);
            }
            line(c.addSeries("popularity (counted up to each event)", x, p), POPULARITY, SeriesLines.DASH_DASH, n);
            panels.add(c);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(panels, 2, 1, out, BitmapEncoder.BitmapFormat.PNG);
        return out.toByteArray();
    }

    static byte[] evaluationPng(Metrics model, Metrics popularity, String title) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> m = new ArrayList<>(), p = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            for (int k : Protocol.CUTOFFS) {
                names.add(metric.key(k));
                m.add(model.get(metric, k));
                p.add(popularity.get(metric, k));
            }
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(EVAL_HEIGHT).title(title)
                .xAxisTitle("metric at cut-off K (" + model.cases() + " test cases)").yAxisTitle("metric value").build();
        Styler s = chart.getStyler();
        common(s);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.addSeries("model", names, m).setFillColor(MODEL);
        chart.addSeries("popularity", names, p).setFillColor(POPULARITY);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static void common(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setAntiAlias(true);
        s.setDecimalPattern("0.000");
    }

    private static void style(XYChart chart, int epochs) {
        common(chart.getStyler());
        chart.getStyler().setXAxisDecimalPattern("0");
        // One epoch apart at least, so integer labels never repeat on short runs.
        chart.getStyler().setXAxisTickMarkSpacingHint(Math.max(74, (WIDTH - 220) / Math.max(1, epochs - 1)));
    }

    private static void line(XYSeries s, Color color, BasicStroke stroke, int points) {
        s.setLineColor(color);
        s.setLineStyle(stroke);
        s.setMarkerColor(color);
        // Markers only where a line cannot show the values: short runs, and one-point reference lines.
        s.setMarker(stroke == SeriesLines.SOLID && points <= 30 || points == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }

    private static double[] constant(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, v);
        return m;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
