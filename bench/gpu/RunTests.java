import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * Minimal JUnit Platform runner for the GPU machine (no Maven there): prints every backend's probe (and the CUDA
 * backend's description when it can run), then runs the test packages given as arguments,
 * prints every skipped test with its reason and every failure, and exits 1 on failures. With --require-gpu a skipped
 * test whose class name contains "Gpu" also fails the run, so a GPU check cannot pass by skipping.
 */
public final class RunTests {
    public static void main(String[] args) {
        for (Backends.Found f : Backends.discover()) {
            System.out.println("backend " + f.provider().name() + " (priority " + f.provider().priority() + "): "
                    + (f.probe().usable() ? "usable, " : "unavailable, ") + f.probe().reason());
            if (f.provider().name().equals("cuda") && f.probe().usable()) {
                try (Backend cuda = f.create(BackendOptions.defaults())) {
                    System.out.println("  " + cuda.description());
                }
            }
        }
        boolean requireGpu = false;
        List<String> packages = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--require-gpu")) requireGpu = true;
            else packages.add(a);
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String p : packages) request.selectors(selectPackage(p));
        LauncherDiscoveryRequest built = request.build();
        List<String> gpuSkips = new ArrayList<>();
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED " + id.getUniqueId() + ": " + reason);
                if (id.getUniqueId().contains("Gpu")) gpuSkips.add(id.getDisplayName());
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.ABORTED && id.getUniqueId().contains("Gpu")) {
                    gpuSkips.add(id.getDisplayName());
                }
                if (id.isTest()) System.out.println(result.getStatus() + " " + id.getUniqueId()
                        + result.getThrowable().map(t -> ": " + t).orElse(""));
            }
        };
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(built, printer, summary);
        PrintWriter out = new PrintWriter(System.out, true);
        summary.getSummary().printTo(out);
        summary.getSummary().printFailuresTo(out, 30);
        if (summary.getSummary().getTotalFailureCount() > 0) System.exit(1);
        if (requireGpu && !gpuSkips.isEmpty()) {
            System.out.println("GPU tests were skipped or aborted: " + gpuSkips);
            System.exit(3);
        }
    }
}
