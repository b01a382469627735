package dev.lstmrec.spark;

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on a real Spark standalone cluster on this machine: a master and two workers (separate JVMs on
 * 127.0.0.1, started from the Maven jars; the workers launch executors with the classpath of a temporary SPARK_HOME
 * whose jars/ links to those jars), then {@code SparkSubmit} (what spark-submit runs) submits target/lstmrec-spark.jar:
 * train on a generated log with 2 partitions, then recommend for all users. The model must load on one machine and
 * the Parquet rows must equal single-machine recommend for every user. Every process started is stopped.
 * Runs in {@code mvn verify} (failsafe, after the shaded jar is built).
 */
class StandaloneClusterIT {
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException, IOException {
        for (int i = started.size() - 1; i >= 0; i--) { // the driver first, the master last
            Process p = started.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path jars = dir.resolve("spark-home").resolve("jars"); // remove the links ourselves: JUnit warns about each one
        if (Files.isDirectory(jars)) {
            try (var links = Files.list(jars)) {
                for (Path l : (Iterable<Path>) links::iterator) Files.deleteIfExists(l);
            }
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void trainAndRecommendOnAStandaloneCluster() throws Exception {
        Path jar = Paths.get("target/lstmrec-spark.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        Path home = sparkHome();
        String cp = sparkClasspath();
        String flags = System.getProperty("lstmrec.spark.jvmFlags", "--add-modules jdk.incubator.vector");
        int masterPort = freePort();
        String master = "spark://127.0.0.1:" + masterPort;

        start("master", home, cp, flags, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()));
        waitForPort(masterPort, 90);
        for (int w = 0; w < 2; w++) {
            Path work = Files.createDirectories(dir.resolve("worker" + w));
            start("worker" + w, home, cp, flags, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "1g", "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString(), master);
        }

        Path log = TestSpark.writeLog(dir.resolve("data"), 50, 40, 3, 25, 21);
        Path model = dir.resolve("model.lstmrec");
        Path recs = dir.resolve("recs.parquet");
        List<String> conf = List.of("--master", master, "--deploy-mode", "client", "--class", "dev.lstmrec.spark.SparkMain",
                "--conf", "spark.executor.extraJavaOptions=" + flags, "--conf", "spark.executor.memory=512m",
                "--conf", "spark.cores.max=2", "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=2",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.sql.warehouse.dir=" + dir.resolve("warehouse").toUri());
        List<String> trainArgs = new ArrayList<>(conf);
        trainArgs.addAll(List.of(jar.toString(), "train", "--input", log.toString(), "--columns", "user,item,rating,timestamp",
                "--model", model.toString(), "--partitions", "2", "--local-steps", "8", "--epochs", "1", "--patience", "0",
                "--dim", "8", "--hidden", "8", "--max-len", "10", "--batch", "8", "--threads", "1"));
        String trainOut = submit("train", home, cp, flags, trainArgs);
        assertTrue(trainOut.contains("model written to"), trainOut);
        List<String> recArgs = new ArrayList<>(conf);
        recArgs.addAll(List.of(jar.toString(), "recommend", "--model", model.toString(), "--output", recs.toString(), "--k", "5", "--threads", "1"));
        String recOut = submit("recommend", home, cp, flags, recArgs);
        assertTrue(recOut.contains("wrote top-5"), recOut);
        // the ALS-style fallback for an output layer too big to broadcast, forced: the same rows, bit for bit
        Path crossRecs = dir.resolve("recs-cross.parquet");
        List<String> crossArgs = new ArrayList<>(conf);
        crossArgs.addAll(List.of(jar.toString(), "recommend", "--model", model.toString(), "--output", crossRecs.toString(), "--k", "5",
                "--threads", "1", "--inference", "cross-join", "--item-block-rows", "7"));
        String crossOut = submit("recommend-cross", home, cp, flags, crossArgs);
        assertTrue(crossOut.contains("cross-join of user states and item blocks"), crossOut);

        SavedModel saved = SavedModel.load(model); // the Spark-written model is a single-machine model file
        List<Row> rows = TestSpark.session().read().parquet(recs.toString()).collectAsList();
        assertEquals(saved.userIds().size(), rows.size());
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Recommender rec = new Recommender(saved, b);
            for (Row r : rows) {
                List<Recommendation> want = rec.recommend(rec.userHistory(r.getString(0)), 5, true, Set.of());
                List<Row> got = r.getList(1);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).itemId(), got.get(i).getString(0), "user " + r.getString(0) + " rank " + i);
                    assertEquals(want.get(i).score(), got.get(i).getFloat(1), 1e-5f * (1 + Math.abs(want.get(i).score())));
                }
            }
        }
        Map<String, String> broadcast = new HashMap<>(), cross = new HashMap<>();
        for (Row r : rows) broadcast.put(r.getString(0), r.getList(1).toString());
        for (Row r : TestSpark.session().read().parquet(crossRecs.toString()).collectAsList()) cross.put(r.getString(0), r.getList(1).toString());
        assertEquals(broadcast, cross); // Float.toString is exact: same items, same scores, same order
    }

    /** A SPARK_HOME the workers can launch executors from: RELEASE marks a distribution, jars/ links the Maven jars. */
    private Path sparkHome() throws IOException {
        Path home = dir.resolve("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark (Maven jars linked by lstmrec's StandaloneClusterIT)\n");
        for (String e : sparkClasspath().split(File.pathSeparator)) {
            Path p = Paths.get(e);
            Path link = jars.resolve(p.getFileName());
            if (!Files.exists(link)) Files.createSymbolicLink(link, p);
        }
        return home;
    }

    /** The jars of this test JVM's classpath that are not lstmrec's own (Spark and its dependencies, JUnit). */
    private static String sparkClasspath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && !e.contains("lstmrec") && !e.contains("surefire") && !e.contains("failsafe")) out.add(e);
        }
        return String.join(File.pathSeparator, out);
    }

    private void start(String name, Path home, String cp, String flags, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
        cmd.addAll(List.of(flags.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        started.add(pb.start());
    }

    /** Runs SparkSubmit in a child JVM and returns its stdout; fails with the logs when it fails. */
    private String submit(String name, Path home, String cp, String flags, List<String> args) throws Exception {
        start(name, home, cp, flags, "org.apache.spark.deploy.SparkSubmit", args.toArray(new String[0]));
        Process p = started.get(started.size() - 1);
        boolean done = p.waitFor(8, TimeUnit.MINUTES); // minutes on a loaded 2-core machine; about one on a quiet one
        String out = Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
        assertTrue(done && p.exitValue() == 0, name + " failed or timed out:\n" + tail(out) + "\n--- worker0:\n"
                + tail(Files.readString(dir.resolve("worker0.log"))));
        return out;
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    private static String javaBin() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(500);
            }
        }
        throw new AssertionError("the master did not open port " + port + " within " + seconds + " s");
    }
}
