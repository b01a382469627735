package dev.lstmrec.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.serve.RecommendationServer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "A model saved by Spark is served by {@code lstmrec serve}": a model trained on Spark and saved with
 * {@link LstmRecModel#save} is loaded as {@code lstmrec serve} loads it ({@code SavedModel.load}, a {@link Recommender} on
 * the SIMD backend, {@link RecommendationServer} on a loopback port); {@code POST /recommend} for known users answers
 * what {@link LstmRecModel#recommendForUserSubset} gives for them: same items in the same order, same scores.
 */
class ServedModelTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aModelSavedBySparkIsServed() throws Exception {
        Path log = TestSpark.writeLog(dir.resolve("data"), 40, 30, 3, 20, 17);
        TrainSettings s = new TrainSettings(8, 8, 1, 10, 0.2f, 8, 0.01f, 1, 0, 0f, 5f, 42L, "simd", 1, 2, 4,
                TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, true);
        LstmRecModel trained = new SparkLstmRec().setSettings(s).fit(TestSpark.read(log)).setBackend("simd").setThreads(1);
        Path file = dir.resolve("spark-model.lstmrec");
        trained.save(file.toUri().toString());

        SavedModel saved = SavedModel.load(file); // what `lstmrec serve --model FILE` does, on the SIMD backend
        List<String> users = List.of(saved.userIds().get(0), saved.userIds().get(7), saved.userIds().get(saved.userIds().size() - 1));
        ObjectMapper json = new ObjectMapper();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try (Backend backend = Backends.create("simd", BackendOptions.withThreads(1));
             RecommendationServer server = RecommendationServer.builder(new Recommender(saved, backend)).port(0)
                     .modelFile(file.toString()).build()) {
            server.start();
            for (String user : users) {
                StructType schema = new StructType().add("user", DataTypes.StringType);
                Row spark = trained.recommendForUserSubset(TestSpark.session().createDataFrame(List.of(RowFactory.create(user)), schema), 5)
                        .collectAsList().get(0);
                List<Row> want = spark.getList(1);

                HttpRequest req = HttpRequest.newBuilder(URI.create(server.uri() + "/recommend")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("user", user, "k", 5)))).build();
                HttpResponse<String> a = client.send(req, HttpResponse.BodyHandlers.ofString());
                assertEquals(200, a.statusCode(), a.body());
                List<Map<String, Object>> got = (List<Map<String, Object>>) json.readValue(a.body(), Map.class).get("items");
                assertEquals(5, want.size());
                assertEquals(want.size(), got.size(), a.body());
                List<String> wantIds = new ArrayList<>(), gotIds = new ArrayList<>();
                for (int i = 0; i < want.size(); i++) {
                    wantIds.add(want.get(i).getString(0));
                    gotIds.add((String) got.get(i).get("id"));
                    float score = ((Number) got.get(i).get("score")).floatValue();
                    assertEquals(want.get(i).getFloat(1), score, Math.ulp(want.get(i).getFloat(1)), "user " + user + " rank " + i);
                }
                assertEquals(wantIds, gotIds, "user " + user);
                assertTrue(gotIds.stream().noneMatch(id -> {
                    int[] h = saved.histories()[saved.userIds().indexOf(user)];
                    for (int item : h) if (saved.itemIds().get(item - 1).equals(id)) return true;
                    return false;
                }), "the user's history is excluded");
            }
        }
    }
}
