package dev.lstmrec.engine.api;

// Compiles and runs the example of docs/library.md (kept identical apart from the tiny settings passed in), on a
// generated log written in the MovieLens 100K layout with numeric item ids like the real u.data.

import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.train.EpochResult;
import dev.lstmrec.engine.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryExampleTest {
    @TempDir
    Path dir;

    /** The docs/library.md example; the doc uses dim 64, 20 epochs and its own paths. */
    static List<Recommendation> example(Path data, Path modelFile, int dim, int epochs) throws IOException {
        Experiment.Result run = LstmRec.trainer()
                .data(data).format(Format.ML100K)
                .dim(dim).hidden(dim).epochs(epochs)
                .backend("auto")
                .listener(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochResult e) {
                        System.out.printf("epoch %d loss %.4f valid NDCG@10 %.4f%n",
                                e.epoch(), e.loss(), e.validation().get(Metric.NDCG, 10));
                    }
                })
                .train();
        System.out.println("test " + run.test().summary(10));
        System.out.println("popularity " + run.popularity().summary(10));
        run.model().save(modelFile);

        try (Recommender rec = LstmRec.recommender(modelFile, "auto")) {
            List<Recommendation> top = rec.recommend(List.of("50", "172", "181"), 10);
            for (Recommendation r : top) System.out.println(r.itemId() + " " + r.score());
            return top;
        }
    }

    @Test
    void theDocumentedExampleRuns() throws IOException {
        Dataset d = LstmRecTest.small();
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < d.numUsers(); u++) {
            int[] s = d.sequence(u);
            for (int i = 0; i < s.length; i++) {
                sb.append(u + 1).append('\t').append(d.itemId(s[i]).substring(1)).append("\t4\t").append(880_000_000L + i).append('\n');
            }
        }
        // make sure the example's history items exist in the catalogue
        sb.append("999\t50\t4\t1\n999\t172\t4\t2\n999\t181\t4\t3\n");
        Path data = dir.resolve("u.data");
        Files.writeString(data, sb, StandardCharsets.UTF_8);
        List<Recommendation> top = example(data, dir.resolve("ml100k.lstmrec"), 8, 1);
        assertEquals(10, top.size());
        assertTrue(top.stream().noneMatch(r -> List.of("50", "172", "181").contains(r.itemId())), top.toString());
    }
}
