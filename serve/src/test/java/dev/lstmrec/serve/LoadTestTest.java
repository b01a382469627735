package dev.lstmrec.serve;

// LoadTest against a live tiny server: counts what it sends, sees errors, orders its percentiles, reads the server's
// batch counters, and refuses hosts other than loopback.

import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.TinyModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadTestTest {
    @Test
    void countsRequestsErrorsAndLatencies() throws Exception {
        try (RecommendationServer server = RecommendationServer.builder(new Recommender(TinyModel.get(), new ScalarBackend()))
                .port(0).build()) {
            server.start();
            List<String> bodies = LoadTest.historyBodies(List.of(List.of(TinyModel.itemId(1), TinyModel.itemId(2)),
                    List.of(), List.of(TinyModel.itemId(9))), 5);
            assertEquals(2, bodies.size(), "empty histories are skipped");
            LoadTest.Result ok = LoadTest.run(server.uri(), bodies, 4, Duration.ofSeconds(30), 120);
            assertEquals(120, ok.requests());
            assertEquals(0, ok.errors(), ok.firstError());
            assertNull(ok.firstError());
            assertTrue(0 < ok.p50Millis() && ok.p50Millis() <= ok.p99Millis() && ok.p99Millis() <= ok.maxMillis(), ok.toString());
            assertTrue(ok.meanBatch() >= 1 && ok.meanBatch() <= 4, "mean batch " + ok.meanBatch());
            assertTrue(ok.throughput() > 0);

            LoadTest.Result bad = LoadTest.run(server.uri(), List.of("{\"k\": 3}"), 2, Duration.ofSeconds(30), 10);
            assertEquals(10, bad.errors());
            assertTrue(bad.firstError().startsWith("HTTP 400"), bad.firstError());
        }
    }

    @Test
    void eventsAndMixedWorkloadsCountAcknowledgedEventsPerPath(@TempDir Path dir) throws Exception {
        try (RecommendationServer server = RecommendationServer.builder(new Recommender(TinyModel.get(), new ScalarBackend()))
                .ownsRecommender(true).port(0).journal(dir).build()) {
            server.start();
            List<String> items = List.of(TinyModel.itemId(1), TinyModel.itemId(2), "not-in-the-model");
            LoadTest.Result batches = LoadTest.run(server.uri(), LoadTest.events(List.of("user-1", "newcomer"), items, 10, 1),
                    null, 4, Duration.ofSeconds(30), 40);
            assertEquals(40, batches.requests());
            assertEquals(0, batches.errors(), batches.firstError());
            assertEquals(400, batches.events());
            assertEquals(Set.of("/events"), batches.byPath().keySet());
            assertEquals(40, batches.perSecond().stream().mapToLong(LoadTest.Latency::requests).sum());
            assertEquals(400L, ((Map<?, ?>) new Http(server.uri()).get("/info").json().get("live")).get("events_accepted"));

            LoadTest.Workload mixed = LoadTest.mix(LoadTest.recommendations(LoadTest.userBodies(List.of("user-1", "newcomer"), 5)),
                    LoadTest.events(List.of("user-2"), items, 1, 2), 5);
            LoadTest.Result r = LoadTest.run(server.uri(), mixed, null, 4, Duration.ofSeconds(30), 50);
            assertEquals(0, r.errors(), r.firstError());
            assertEquals(40, r.byPath().get("/recommend").requests());
            assertEquals(10, r.byPath().get("/events").requests());
            assertEquals(10, r.events());
        }
    }

    @Test
    void refusesOtherHosts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadTest.run(URI.create("http://192.0.2.1:8080"), List.of("{}"), 1, Duration.ofSeconds(1), 1));
        assertTrue(e.getMessage().contains("only run against this machine"), e.getMessage());
    }

    @Test
    void nearestRankPercentiles() {
        long[] ns = {1_000_000, 2_000_000, 3_000_000, 4_000_000};
        assertEquals(2.0, LoadTest.percentile(ns, 0.5));
        assertEquals(4.0, LoadTest.percentile(ns, 0.99));
        assertEquals(1.0, LoadTest.percentile(ns, 0.01));
    }
}
