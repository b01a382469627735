// Fast checks of the throughput harness (no measurement here): synthetic batches have exactly B·T predicted tokens,
// a tiny end-to-end run prints its JSON record, and a mistyped option is an error.
package dev.lstmrec.bench;

import dev.lstmrec.bench.jmh.Fixtures;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.model.PackedBatch;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputTest {
    @Test
    void syntheticBatchesPredictEveryToken() {
        PackedBatch batch = Throughput.trainingBatch(new SplittableRandom(5), 7, 11, 30);
        assertEquals(7 * 11, batch.tokens());
        assertEquals(7 * 11, batch.predictedTokens());
        for (int t : batch.targets()) assertTrue(t >= 0 && t < 30, "target " + t);
        for (int i : batch.inputs()) assertTrue(i >= 1 && i <= 30, "input " + i);
    }

    @Test
    void throughputRunsEndToEndOnATinyModel() {
        try (Backend b = Fixtures.reference()) {
            String out = Throughput.run(b, Throughput.Options.parse(new String[] {"--batch", "4", "--len", "5", "--dim", "8",
                    "--hidden", "8", "--items", "40", "--steps", "2", "--warmup", "1", "--score-batches", "1", "--latency-queries", "3"}));
            String json = out.substring(out.lastIndexOf('\n') + 1);
            assertTrue(json.startsWith("{\"impl\":\"lstmrec\",\"backend\":\"scalar\""), json);
            assertTrue(json.contains("\"batch\":4,\"len\":5"), json);
        }
    }

    @Test
    void sampledLossRunsEndToEndOnAZipfCatalogue() {
        try (Backend b = Fixtures.reference()) {
            String out = Throughput.run(b, Throughput.Options.parse(new String[] {"--batch", "4", "--len", "5", "--dim", "8",
                    "--hidden", "8", "--items", "500", "--steps", "2", "--warmup", "1", "--score-batches", "0", "--latency-queries", "0",
                    "--loss", "sampled", "--negatives", "16", "--zipf", "1"}));
            String json = out.substring(out.lastIndexOf('\n') + 1);
            assertTrue(json.contains("\"loss\":\"sampled\",\"negatives\":16,"), json);
        }
    }

    @Test
    void unknownOptionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Throughput.Options.parse(new String[] {"--bogus", "1"}));
    }
}
