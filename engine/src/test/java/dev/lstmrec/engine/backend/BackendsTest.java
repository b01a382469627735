package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend discovery and selection through ServiceLoader: scalar is always found, {@code auto} takes the best usable
 * provider, an unknown name fails with the list of what exists, and {@code -Dlstmrec.backend} is honoured; discovery is
 * cached for the JVM, created backends come behind the checked front, and the SIMD fallback warning is decided once.
 */
class BackendsTest {
    private String savedProperty;

    @BeforeEach
    void saveProperty() {
        savedProperty = System.getProperty(Backends.PROPERTY);
        System.clearProperty(Backends.PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) System.clearProperty(Backends.PROPERTY);
        else System.setProperty(Backends.PROPERTY, savedProperty);
    }

    @Test
    void discoveryFindsTheScalarBackendAndProbesIt() {
        List<Backends.Found> all = Backends.discover();
        Backends.Found scalar = all.stream().filter(f -> f.provider().name().equals("scalar")).findFirst().orElseThrow();
        assertTrue(scalar.probe().usable(), scalar.probe().reason());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).provider().priority() >= all.get(i).provider().priority(), "highest priority first");
        }
    }

    @Test
    void autoChoosesTheHighestPriorityUsableProvider() {
        Backends.Found expected = Backends.discover().stream().filter(f -> f.probe().usable()).findFirst().orElseThrow();
        assertEquals(expected.provider().name(), Backends.choose("auto").provider().name());
        assertEquals(expected.provider().name(), Backends.choose(" AUTO ").provider().name(), "names are trimmed, case-insensitive");
    }

    @Test
    void scalarCanBeCreatedByName() {
        try (Backend b = Backends.create("scalar", BackendOptions.defaults())) {
            assertInstanceOf(CheckedBackend.class, b, "every created backend comes behind the checked front");
            assertInstanceOf(ScalarBackend.class, b.storageOwner());
            assertEquals("scalar", b.name());
        }
    }

    @Test
    void discoveryRunsOncePerJvm() {
        assertSame(Backends.discover(), Backends.discover(), "the probed providers are cached, not loaded and probed again");
        assertSame(Backends.discover().get(0), Backends.choose(Backends.discover().get(0).provider().name()));
    }

    @Test
    void fallbackWarningOnlyWhenSimdCannotRunAndAutoLandsBelowIt() {
        Backends.Found scalar = new Backends.Found(provider("scalar", 0), Probe.ok("reference"));
        Backends.Found simdMissing = new Backends.Found(provider("simd", 100), Probe.unavailable("add --add-modules jdk.incubator.vector"));
        Backends.Found simdOk = new Backends.Found(provider("simd", 100), Probe.ok("Vector API"));
        Backends.Found cudaMissing = new Backends.Found(provider("cuda", 200), Probe.unavailable("no GPU"));
        assertEquals(Optional.of("SIMD backend unavailable (add --add-modules jdk.incubator.vector); using scalar"),
                Backends.fallbackWarning(List.of(cudaMissing, simdMissing, scalar)));
        assertEquals(Optional.empty(), Backends.fallbackWarning(List.of(cudaMissing, simdOk, scalar)), "a missing GPU is not worth a warning");
        assertEquals(Optional.empty(), Backends.fallbackWarning(List.of(scalar)));
    }

    private static BackendProvider provider(String name, int priority) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Probe probe() {
                throw new AssertionError("not probed here");
            }

            @Override
            public Backend create(BackendOptions options) {
                throw new AssertionError("not created here");
            }
        };
    }

    @Test
    void unknownNameFailsNamingTheAvailableBackends() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.choose("no-such-backend"));
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
        assertTrue(e.getMessage().contains("scalar"), "message lists what is available: " + e.getMessage());
    }

    @Test
    void systemPropertySelectsTheDefaultButAnExplicitNameWins() {
        System.setProperty(Backends.PROPERTY, "scalar");
        assertEquals("scalar", Backends.requestedName(null));
        assertEquals("scalar", Backends.choose(null).provider().name());
        System.setProperty(Backends.PROPERTY, "missing-from-property");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.choose(null));
        assertTrue(e.getMessage().contains("missing-from-property"), e.getMessage());
        assertEquals("scalar", Backends.choose("scalar").provider().name(), "an explicit name overrides the property");
    }
}
