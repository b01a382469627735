package dev.lstmrec.serve;

// Hot swap of the served model: load the file beside the serving model, warm it (one single query and one full
// batch, so the backend's buffers are sized and the JIT has seen the code), then LiveModel.swap switches between
// batches. A file that fails to load is refused with a log line; the old model keeps serving. With watch on, a thread
// watches the model's directory: lstmrec writes models by atomic rename (AtomicFiles), which shows as a create of the
// file's name; a non-atomic copy shows as modifications, so changes are debounced until the file has been quiet.
// Checked by HotSwapTest (swaps under concurrent requests, refusal of a broken file, the watcher).

import dev.lstmrec.engine.api.Lineage;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Reloads the model file on demand ({@link #reload}) and, when watching, whenever the file is replaced. */
final class ModelReloader implements AutoCloseable {
    /** Quiet time after the last change before the file is read (a copy in progress keeps changing it). */
    static final long DEBOUNCE_MILLIS = 300;
    private static final System.Logger LOG = System.getLogger(ModelReloader.class.getName());

    private final Path file;
    private final ModelLoader loader;
    private final LiveModel live;
    private final int warmBatch;
    private WatchService watcher;
    private Thread watchThread;
    // Written under the reload lock, read by /info without it (a reload can take seconds).
    private volatile long swaps;
    private volatile long refused;
    private volatile String lastRefusal;
    private volatile Instant lastAttempt;
    private volatile boolean watching;

    ModelReloader(Path file, ModelLoader loader, LiveModel live, int warmBatch) {
        this.file = file.toAbsolutePath();
        this.loader = loader;
        this.live = live;
        this.warmBatch = warmBatch;
    }

    /**
     * Loads the model file, warms it and swaps it in. One reload at a time.
     *
     * @return true when the new model now serves; false when the file was refused (logged; the old model serves on)
     */
    synchronized boolean reload(String why) {
        lastAttempt = Instant.now();
        long t0 = System.nanoTime();
        Recommender next;
        try {
            next = loader.load(file);
        } catch (IOException | RuntimeException e) {
            return refuse(why, e);
        }
        try {
            warm(next, warmBatch);
            live.swap(next, true, file.toString());
        } catch (IOException | RuntimeException e) {
            next.close();
            return refuse(why, e);
        }
        swaps++;
        LOG.log(System.Logger.Level.INFO, "serving " + file + " (" + why + "; loaded and warmed in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms; " + Lineage.of(next.model()) + ")");
        return true;
    }

    private boolean refuse(String why, Exception e) {
        refused++;
        lastRefusal = file + ": " + e.getMessage();
        LOG.log(System.Logger.Level.WARNING, "refused the model file " + file + " (" + why + "): " + e.getMessage()
                + "; the previous model keeps serving");
        return false;
    }

    /** Scores one query and one full batch of stored histories, so the first real batch costs what later ones do. */
    static void warm(Recommender r, int batch) {
        SavedModel m = r.model();
        List<int[]> histories = new ArrayList<>();
        for (int[] h : m.histories()) {
            if (h.length > 0) histories.add(h);
            if (histories.size() == batch) break;
        }
        if (histories.isEmpty()) histories.add(new int[] {1});
        int k = Math.min(10, m.config().numItems());
        r.recommendBatch(histories.subList(0, 1), new int[] {k}, List.of(Set.of()));
        int[] ks = new int[histories.size()];
        java.util.Arrays.fill(ks, k);
        List<Collection<Integer>> none = new ArrayList<>();
        for (int i = 0; i < histories.size(); i++) none.add(Set.of());
        r.recommendBatch(histories, ks, none);
    }

    /** Starts watching the model's directory for a replaced file. */
    void watch() throws IOException {
        Path dir = file.getParent();
        watcher = FileSystems.getDefault().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        watchThread = new Thread(this::watchLoop, "lstmrec-model-watch");
        watchThread.setDaemon(true);
        watchThread.start();
        watching = true;
    }

    private void watchLoop() {
        try {
            while (true) {
                if (!changed(watcher.take())) continue;
                // Debounce: wait until DEBOUNCE_MILLIS pass without another change to the file.
                for (WatchKey more; (more = watcher.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null; ) changed(more);
                reload("the file changed");
            }
        } catch (InterruptedException | ClosedWatchServiceException stop) {
            // closed
        }
    }

    /** Whether the key's events touch the model file (an overflow might have); re-arms the key. */
    private boolean changed(WatchKey key) {
        boolean hit = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW || file.getFileName().equals(e.context())) hit = true;
        }
        key.reset();
        return hit;
    }

    /** For {@code /info}. */
    Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("watch", watching);
        m.put("swaps", swaps);
        m.put("refused", refused);
        if (lastAttempt != null) m.put("last_attempt", lastAttempt.toString());
        if (lastRefusal != null) m.put("last_refusal", lastRefusal);
        return m;
    }

    @Override
    public void close() {
        if (watcher == null) return;
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the model watcher", e);
        }
        watchThread.interrupt();
    }
}
