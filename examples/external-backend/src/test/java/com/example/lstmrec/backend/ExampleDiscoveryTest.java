package com.example.lstmrec.backend;

// The example backend is found by ServiceLoader from this module's META-INF/services, is never chosen by auto over
// the engine's backends, can be chosen by name, and trains the same model as the scalar backend it delegates to.

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.CheckedBackend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExampleDiscoveryTest {
    @Test
    void discoveredWithItsProbeAndNeverPickedByAuto() {
        List<Backends.Found> all = Backends.discover();
        Backends.Found example = all.stream().filter(f -> f.provider().name().equals("example")).findFirst()
                .orElseThrow(() -> new AssertionError("example backend not discovered; found " + all));
        assertTrue(example.probe().usable(), example.probe().reason());
        assertEquals(ExampleBackendProvider.class, example.provider().getClass());
        assertEquals("scalar", Backends.choose("auto").provider().name(), "priority -10 loses to scalar's 0");
    }

    @Test
    void createdByNameAndComputes() {
        try (Backend created = Backends.create("example", BackendOptions.defaults())) {
            assertEquals("example", created.name());
            assertTrue(created instanceof CheckedBackend, "Backends.create returns the backend behind the checked front");
        }
        ExampleBackend e = (ExampleBackend) new ExampleBackendProvider().create(BackendOptions.defaults());
        try (Backend b = CheckedBackend.wrap(e)) {
            Tensor x = b.allocate(3);
            b.upload(x, new float[] {1f, -2f, 3f}, 0);
            Tensor out = b.allocate(1);
            b.sumSquares(out, x);
            float[] r = new float[1];
            b.download(r, 0, out);
            assertEquals(14f, r[0]);
            assertEquals(1, e.ops());
            try (Backend other = Backends.create("example", BackendOptions.defaults())) {
                Tensor foreign = other.allocate(3);
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> b.fill(foreign, 1f));
                assertTrue(ex.getMessage().contains("another backend"), ex.getMessage());
            }
        }
    }

    @Test
    void selectedByTheSystemProperty() {
        String before = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "example");
        try {
            assertEquals("example", Backends.choose(null).provider().name());
        } finally {
            if (before == null) System.clearProperty(Backends.PROPERTY);
            else System.setProperty(Backends.PROPERTY, before);
        }
    }

    @Test
    void trainsTheSameModelAsScalar() throws Exception {
        Dataset data = SyntheticData.generate(SyntheticConfig.defaults().withLengths(5, 10).withSize(60, 40, 2));
        Experiment.Result viaExample = LstmRec.trainer().dataset(data).dim(6).hidden(8).maxLen(8).epochs(2)
                .backend("example").train();
        Experiment.Result viaScalar = LstmRec.trainer().dataset(data).dim(6).hidden(8).maxLen(8).epochs(2)
                .backend("scalar").train();
        assertEquals("example", viaExample.model().info().get("backend"));
        double norm = 0;
        for (float w : viaExample.model().weights()) norm += Math.abs(w);
        assertNotEquals(0.0, norm, "trained weights are not all zero");
        assertArrayEquals(viaScalar.model().weights(), viaExample.model().weights(), "pure delegation: bit-identical");
        assertEquals(viaScalar.test().asMap(), viaExample.test().asMap());
    }
}
