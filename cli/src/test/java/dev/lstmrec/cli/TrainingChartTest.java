package dev.lstmrec.cli;

// The --plot charts: valid PNGs of the stated size, whose panels contain the series' colours (so the lines and bars
// were drawn, not just axes), for a short run, a one-epoch run and `evaluate --plot`. Copies land in
// cli/target/test-charts/ for a human look.

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.ModelEvaluation;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.eval.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingChartTest {
    @TempDir
    Path dir;

    private static Experiment.Result train(int epochs) throws IOException {
        Dataset data = SyntheticData.generate(SyntheticConfig.defaults().withSize(150, 60, 4));
        return LstmRec.trainer().dataset(data).dim(8).hidden(8).maxLen(20).batch(32).lr(0.01f).epochs(epochs)
                .patience(0).backend("scalar").train();
    }

    private static BufferedImage readPng(Path png) throws IOException {
        byte[] head = new byte[8];
        System.arraycopy(Files.readAllBytes(png), 0, head, 0, 8);
        assertEquals("\u0089PNG\r\n\u001a\n", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1), "PNG signature");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO reads " + png);
        return img;
    }

    /** Pixels within a small distance of {@code c} in rows [y0, y1): anti-aliased line centres keep the colour. */
    private static int count(BufferedImage img, Color c, int y0, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 40) n++;
            }
        }
        return n;
    }

    private static void keep(Path png, String name) throws IOException {
        Path out = Path.of("target", "test-charts");
        Files.createDirectories(out);
        Files.copy(png, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void trainingChartHasBothPanelsDrawn() throws IOException {
        Experiment.Result r = train(6);
        Path png = dir.resolve("train.png");
        TrainingChart.writeTrainingChart(png, r, TrainingChart.defaultTitle(r));
        keep(png, "train.png");
        BufferedImage img = readPng(png);
        assertEquals(TrainingChart.WIDTH, img.getWidth());
        assertEquals(2 * TrainingChart.PANEL_HEIGHT, img.getHeight());
        int mid = TrainingChart.PANEL_HEIGHT;
        assertTrue(count(img, new Color(44, 160, 44), 0, mid) > 300, "loss line in the top panel");
        assertTrue(count(img, new Color(44, 160, 44), mid, 2 * mid) < 50, "no loss line in the bottom panel");
        assertTrue(count(img, new Color(31, 119, 180), mid, 2 * mid) > 300, "HR@10 lines in the bottom panel");
        assertTrue(count(img, new Color(255, 127, 14), mid, 2 * mid) > 300, "NDCG@10 lines in the bottom panel");
        assertTrue(count(img, Color.BLACK, 0, mid) > 500, "title and axis text");
    }

    @Test
    void sessionLearningCurveHasTestAndValidationLinesAgainstSeconds() throws IOException {
        Path train = dir.resolve("s.tsv"), test = dir.resolve("t.tsv");
        assertEquals(0, CliTest.run("generate", "--users", "200", "--items", "40", "--events", "1600", "--out", train.toString(),
                "--test-out", test.toString(), "--test-fraction", "0.25", "--seed", "2").code());
        Experiment.Result r = LstmRec.trainer().data(train).format(dev.lstmrec.engine.data.Format.GRU4REC).testData(test).dim(8)
                .hidden(8).batch(32).epochs(4).patience(0).backend("scalar").testCurve(true).train();
        assertEquals(4, r.testCurve().size(), "one test score per epoch");
        assertEquals(r.test().asMap(), r.testCurve().get(r.training().bestEpoch() - 1).asMap(), "the kept epoch's point is the test");
        Path png = dir.resolve("session.png");
        TrainingChart.writeSessionChart(png, r, TrainingChart.defaultTitle(r));
        keep(png, "session.png");
        BufferedImage img = readPng(png);
        int mid = TrainingChart.PANEL_HEIGHT;
        assertEquals(2 * mid, img.getHeight());
        assertTrue(count(img, new Color(44, 160, 44), 0, mid) > 300, "loss line in the top panel");
        assertTrue(count(img, new Color(31, 119, 180), mid, 2 * mid) > 300, "HR@20 lines in the bottom panel");
        assertTrue(count(img, new Color(255, 127, 14), mid, 2 * mid) > 300, "MRR@20 lines in the bottom panel");
    }

    @Test
    void aOneEpochRunStillCharts() throws IOException {
        Experiment.Result r = train(1);
        Path png = dir.resolve("one.png");
        TrainingChart.writeTrainingChart(png, r, "one epoch");
        BufferedImage img = readPng(png);
        assertEquals(2 * TrainingChart.PANEL_HEIGHT, img.getHeight());
        assertTrue(count(img, new Color(44, 160, 44), 0, TrainingChart.PANEL_HEIGHT) > 20, "the single loss point");
    }

    @Test
    void evaluationChartShowsModelAndPopularityBars() throws IOException {
        Metrics model = Metrics.fromRanks(new int[] {0, 3, 7, 12, 40, 2, 1, 25});
        Metrics pop = Metrics.fromRanks(new int[] {5, 9, 30, 60, 80, 14, 8, 50});
        Path png = dir.resolve("eval.png");
        TrainingChart.writeEvaluationChart(png, new ModelEvaluation.Result(model, pop, 8, 0), "model vs popularity");
        keep(png, "evaluate.png");
        BufferedImage img = readPng(png);
        assertEquals(TrainingChart.WIDTH, img.getWidth());
        assertEquals(TrainingChart.EVAL_HEIGHT, img.getHeight());
        assertTrue(count(img, new Color(31, 119, 180), 0, img.getHeight()) > 2000, "model bars");
        assertTrue(count(img, new Color(150, 150, 150), 0, img.getHeight()) > 1000, "popularity bars");
    }

    @Test
    void evaluatePlotOptionWritesTheChart() throws IOException {
        Path data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withSize(100, 60, 4)), data);
        Path model = dir.resolve("m.lstmrec");
        CliTest.Result t = CliTest.run("train", "--data", data.toString(), "--dim", "8", "--hidden", "8", "--epochs", "1",
                "--max-len", "20", "--backend", "scalar", "--model", model.toString());
        assertEquals(0, t.code(), t.err());
        Path png = dir.resolve("ev.png");
        CliTest.Result ev = CliTest.run("evaluate", "--model", model.toString(), "--backend", "scalar", "--plot", png.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("chart written to " + png), ev.out());
        assertEquals(TrainingChart.EVAL_HEIGHT, readPng(png).getHeight());

        Path nowhere = data.resolve("ev.png"); // under a regular file: no directory can be made there
        CliTest.Result bad = CliTest.run("evaluate", "--model", model.toString(), "--backend", "scalar", "--plot", nowhere.toString());
        assertEquals(1, bad.code(), bad.err());
        assertFalse(Files.exists(nowhere));
    }

    @Test
    void anUnwritablePathIsAnIoError() throws IOException {
        Path png = Files.writeString(dir.resolve("x.png"), "not a directory");
        Metrics m = Metrics.fromRanks(new int[] {1, 2});
        assertThrows(IOException.class, () -> TrainingChart.writeEvaluationChart(png.resolve("sub.png"), new ModelEvaluation.Result(m, m, 2, 0), "t"));
        assertEquals("not a directory", Files.readString(png));
    }
}
