package dev.lstmrec.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared public datasets ({@code ../shared/data/} beside the project root, found by walking up from the working
 * directory; never copied into the project). Under CI (the {@code CI} environment variable, which {@code .ci/run}
 * sets) a missing file fails the test, so a broken path cannot pass as a skip; elsewhere the test is skipped visibly.
 */
public final class SharedData {
    private SharedData() {}

    /** {@code shared/data/RELATIVE} in the nearest ancestor directory that has it. */
    public static Optional<Path> find(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/data").resolve(relative);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** The file, or a failure under CI, or a visible skip elsewhere. */
    public static Path require(String relative) {
        return require(relative, underCi());
    }

    static Path require(String relative, boolean ci) {
        Optional<Path> file = find(relative);
        String missing = "shared/data/" + relative + " not found above " + Path.of("").toAbsolutePath();
        if (file.isEmpty() && ci) fail(missing + " (CI is set: the data must be there)");
        assumeTrue(file.isPresent(), missing + "; skipped");
        return file.get();
    }

    static boolean underCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }
}
