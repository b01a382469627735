package dev.lstmrec.engine.api;

// The stored run configuration: canonical values, the JSON round trip, reading older and newer forms, and the resume
// merge (changeable settings replaced, a fixed one given with another value refused naming both values).

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigTest {
    private static Map<RunOption, String> given(Object... kv) {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        for (int i = 0; i < kv.length; i += 2) m.put((RunOption) kv[i], ((RunOption) kv[i]).canonical((String) kv[i + 1]));
        return m;
    }

    @Test
    void valuesAreCanonicalSoEqualSettingsCompareEqual() {
        assertEquals("0.003", RunOption.LR.canonical("0.0030"));
        assertEquals("16", RunOption.DIM.canonical(" 16 "));
        assertEquals(Path.of("u.data").toAbsolutePath().normalize().toString(), RunOption.DATA.canonical("./u.data"));
        assertEquals("false", RunOption.EXCLUDE_SEEN.canonical("FALSE"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunOption.DIM.canonical("sixteen"));
        assertTrue(e.getMessage().contains("dim") && e.getMessage().contains("sixteen"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunOption.HEADER.canonical("yes"));
    }

    @Test
    void defaultsAreThoseOfTheBuilderAndTheCli() {
        RunConfig c = RunConfig.of(Map.of(), Map.of());
        assertEquals(new dev.lstmrec.engine.model.ModelConfig(10, 64, 64, 1, 200, 0.2f, 0.2f), c.modelConfig(10));
        assertEquals(LstmRec.trainer().trainConfig(), c.trainConfig());
        assertNull(c.dataFile());
        assertFalse(c.readOptions().filtersRating());
        assertEquals(Integer.parseInt(RunOption.THREADS.defaultValue()), c.intValue(RunOption.THREADS));
    }

    @Test
    void jsonRoundTripKeepsEverySettingAndTheRememberedOnes() {
        RunConfig c = RunConfig.of(given(RunOption.DATA, "/tmp/x/u.data", RunOption.DIM, "16", RunOption.MIN_RATING, "3.5",
                RunOption.COLUMNS, "user,item,time", RunOption.FORMAT, "generic"), Map.of("model", "/tmp/m.lstmrec"));
        RunConfig back = RunConfig.fromJson(c.toJson());
        assertEquals(c, back);
        assertEquals("16", back.get(RunOption.DIM));
        assertEquals(3.5, back.readOptions().minRating());
        assertEquals("/tmp/m.lstmrec", back.remembered("model"));
        for (RunOption o : RunOption.values()) assertTrue(c.toJson().contains("\"" + o.key() + "\""), o.key());
    }

    @Test
    void anOlderFormMissingASettingTakesItsDefaultAndANewerUnknownOneIsRefused() {
        RunConfig older = RunConfig.fromJson("{\"dim\": \"16\"}");
        assertEquals("16", older.get(RunOption.DIM));
        assertEquals(RunOption.LR.defaultValue(), older.get(RunOption.LR));
        // mask-seen came later with a default that changed training: a run stored without it trained unmasked
        assertEquals("false", older.get(RunOption.MASK_SEEN));
        assertFalse(older.lossConfig().maskSeen());
        // a session run stored before the latest-sessions holdout validated on the last items; it never takes the
        // session-log defaults, which are newer than anything it could lack
        RunConfig olderSession = RunConfig.fromJson("{\"test-data\": \"/t.tsv\", \"dim\": \"16\"}");
        assertEquals("last-item", olderSession.get(RunOption.HOLDOUT));
        assertEquals(RunOption.LR.defaultValue(), olderSession.get(RunOption.LR));
        assertEquals("false", olderSession.get(RunOption.TIED));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunConfig.fromJson("{\"warp\": \"9\"}"));
        assertTrue(e.getMessage().contains("warp"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.fromJson("[1]"));
    }

    @Test
    void seenItemsAreMaskedAsTheProtocolExcludesThemUnlessSaidOtherwise() {
        assertNull(RunConfig.of(Map.of(), Map.of()).get(RunOption.MASK_SEEN));
        assertTrue(RunConfig.of(Map.of(), Map.of()).lossConfig().maskSeen());
        assertFalse(RunConfig.of(given(RunOption.EXCLUDE_SEEN, "false"), Map.of()).lossConfig().maskSeen());
        assertTrue(RunConfig.of(given(RunOption.EXCLUDE_SEEN, "false", RunOption.MASK_SEEN, "true"), Map.of()).lossConfig().maskSeen());
        assertFalse(RunConfig.of(given(RunOption.MASK_SEEN, "false"), Map.of()).lossConfig().maskSeen());
        assertFalse(RunConfig.of(given(RunOption.TEST_DATA, "/tmp/test.csv"), Map.of()).lossConfig().maskSeen(),
                "the session protocol ranks the session's earlier items too");
        RunConfig unset = RunConfig.of(Map.of(), Map.of());
        assertEquals(unset, RunConfig.fromJson(unset.toJson()), "unset (null) survives the round trip");
    }

    @Test
    void resumeTakesTheStoredSettingsAndOnlyChangeableOnesMayDiffer() {
        RunConfig stored = RunConfig.of(given(RunOption.DIM, "16", RunOption.EPOCHS, "3", RunOption.THREADS, "1"), Map.of("model", "a"));
        RunConfig same = stored.resume(given(RunOption.DIM, "16"), Map.of());
        assertEquals(stored, same, "a fixed setting given with its stored value is accepted");
        RunConfig longer = stored.resume(given(RunOption.EPOCHS, "5", RunOption.THREADS, "2", RunOption.PATIENCE, "0",
                RunOption.CHECKPOINT_EVERY, "7"), Map.of("model", "b"));
        assertEquals(5, longer.intValue(RunOption.EPOCHS));
        assertEquals(2, longer.intValue(RunOption.THREADS));
        assertEquals(16, longer.intValue(RunOption.DIM));
        assertEquals("b", longer.remembered("model"));

        RunConfig.ConflictException e = assertThrows(RunConfig.ConflictException.class, () -> stored.resume(given(RunOption.DIM, "8"), Map.of()));
        assertEquals(RunOption.DIM, e.option());
        assertEquals("16", e.stored());
        assertEquals("8", e.given());
        assertTrue(e.getMessage().contains("dim") && e.getMessage().contains("16") && e.getMessage().contains("8"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "library messages name no CLI flags: " + e.getMessage());
        RunConfig.ConflictException unset = assertThrows(RunConfig.ConflictException.class,
                () -> stored.resume(given(RunOption.MIN_RATING, "4"), Map.of()));
        assertTrue(unset.getMessage().contains("unset"), unset.getMessage());
    }

    @Test
    void theChangeableSettingsAreExactlyTheDocumentedOnes() {
        assertEquals(java.util.List.of(RunOption.EPOCHS, RunOption.PATIENCE, RunOption.THREADS, RunOption.CHECKPOINT_EVERY),
                RunOption.CHANGEABLE);
    }
}
