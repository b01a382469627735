package dev.lstmrec.engine.tune;

import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.train.LrSchedule;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchSpaceTest {
    @Test
    void defaultSpaceRoundTripsThroughItsJsonAndOnlyNamesTrainOptions() {
        SearchSpace d = SearchSpace.defaults();
        SearchSpace back = SearchSpace.parse(d.toJson(), "default");
        assertEquals(d.toJson(), back.toJson());
        for (Param p : d.params()) assertTrue(TrainOptions.names().contains(p.name()), p.name());
        for (String name : List.of("loss", "negatives", "tied")) {
            assertTrue(d.params().stream().anyMatch(p -> p.name().equals(name)), "default space lacks " + name);
        }
        // Every sampled configuration is one a TrainingBuilder accepts (tied ones included: they get hidden = dim).
        SplittableRandom rnd = new SplittableRandom(3);
        int tied = 0, untiedWithOtherWidths = 0;
        for (int i = 0; i < 100; i++) {
            Map<String, String> c = d.sample(rnd);
            TrainingBuilder b = TrainOptions.apply(LstmRec.trainer(), c);
            b.modelConfig(10);
            b.trainConfig();
            if (c.get("tied").equals("true")) {
                tied++;
                assertEquals(c.get("dim"), c.get("hidden"), c.toString());
            } else if (!c.get("dim").equals(c.get("hidden"))) {
                untiedWithOtherWidths++;
            }
        }
        assertTrue(tied > 20 && untiedWithOtherWidths > 10, tied + " tied, " + untiedWithOtherWidths + " untied with dim != hidden");
    }

    @Test
    void widthsReach256OnlyOnCataloguesWhoseTablesFitADefaultHeap() {
        assertEquals(List.of("32", "64", "128", "256"), choices(SearchSpace.defaults(), "dim"));
        assertEquals(List.of("64", "128", "256"), choices(SearchSpace.defaults(), "hidden"));
        assertEquals(SearchSpace.defaults().toJson(), SearchSpace.defaults(SearchSpace.WIDE_MAX_ITEMS).toJson());
        SearchSpace big = SearchSpace.defaults(SearchSpace.WIDE_MAX_ITEMS + 1);
        assertEquals(List.of("32", "64", "128"), choices(big, "dim"));
        assertEquals(List.of("64", "128"), choices(big, "hidden"));
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            Map<String, String> c = big.sample(rnd);
            assertTrue(!c.get("dim").equals("256") && !c.get("hidden").equals("256"), c.toString());
        }
    }

    private static List<String> choices(SearchSpace space, String name) {
        return space.params().stream().filter(p -> p.name().equals(name)).map(p -> ((Param.Choice) p).values()).findFirst().orElseThrow();
    }

    @Test
    void samplesStayInTheirRangesAndAreShortNumbers() {
        SplittableRandom rnd = new SplittableRandom(1);
        Param lr = new Param.LogUniform("lr", 0.001, 0.01);
        Param drop = new Param.Uniform("dropout", 0.1, 0.5);
        Param len = new Param.IntUniform("max-len", 20, 30);
        for (int i = 0; i < 200; i++) {
            double v = Double.parseDouble(lr.sample(rnd));
            assertTrue(v >= 0.000999 && v <= 0.0101, "lr " + v);
            String d = drop.sample(rnd);
            assertTrue(d.replace("0.", "").length() <= 3, d);
            long n = Long.parseLong(len.sample(rnd));
            assertTrue(n >= 20 && n <= 30);
        }
    }

    @Test
    void parsesEveryEntryKindAndFixedValues() {
        SearchSpace s = SearchSpace.parse("""
                {"lr": {"type": "loguniform", "low": 0.001, "high": 0.01},
                 "hidden-dropout": {"type": "uniform", "low": 0, "high": 0.5},
                 "layers": {"type": "choice", "values": [1, 2]},
                 "max-len": {"type": "int", "low": 50, "high": 200},
                 "lr-schedule": "cosine", "weight-decay": 0.05}""", "s.json");
        assertEquals(6, s.params().size());
        Map<String, String> c = s.sample(new SplittableRandom(5));
        assertEquals("cosine", c.get("lr-schedule"));
        assertEquals("0.05", c.get("weight-decay"));
        assertTrue(List.of("1", "2").contains(c.get("layers")));
    }

    @Test
    void badSpacesAreRefusedWithTheFileAndEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchSpace.parse("{\"learning-rate\": 0.01}", "s.json"));
        assertTrue(e.getMessage().contains("s.json") && e.getMessage().contains("learning-rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("{\"lr\": {\"type\": \"loguniform\", \"low\": 0, \"high\": 1}}", "s.json"));
        assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("{\"lr\": {\"type\": \"gaussian\"}}", "s.json"));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("{}", "s.json"));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("[1]", "s.json"));
        // The evaluation protocol is the search's own: a trial searching it would be ranked under another protocol.
        for (String protocol : List.of("exclude-seen", "eval-negatives", "holdout")) {
            e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse(
                    "{\"lr\": 0.01, \"" + protocol + "\": {\"type\": \"choice\", \"values\": [0, 1]}}", "p.json"), protocol);
            assertTrue(e.getMessage().contains("p.json") && e.getMessage().contains("'" + protocol + "'")
                    && e.getMessage().contains("how trials are evaluated"), e.getMessage());
        }
    }

    @Test
    void optionsSetTheBuilderAndPrintAsACommandLine() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("dropout", "0.3");
        o.put("hidden-dropout", "0.1");
        o.put("lr-schedule", "cosine");
        o.put("warmup", "0.05");
        o.put("epochs", "12");
        TrainingBuilder b = TrainOptions.apply(LstmRec.trainer(), o);
        assertEquals(0.3f, b.modelConfig(10).embeddingDropout());
        assertEquals(0.1f, b.modelConfig(10).hiddenDropout(), "the per-site dropout overrides --dropout whatever the order");
        assertEquals(new LrSchedule(LrSchedule.Kind.COSINE, 0.05, 0), b.trainConfig().schedule());
        assertEquals(12, b.trainConfig().epochs());
        assertEquals("--dropout 0.3 --hidden-dropout 0.1 --lr-schedule cosine --warmup 0.05 --epochs 12", TrainOptions.commandLine(o));
        // Flags: true is the bare flag; false is left out where it is off by default, else negated.
        Map<String, String> flags = new java.util.LinkedHashMap<>();
        flags.put("tied", "false");
        flags.put("exclude-seen", "false");
        flags.put("mask-seen", "false");
        flags.put("header", "false");
        assertEquals("--no-exclude-seen --no-mask-seen", TrainOptions.commandLine(flags));
        flags.replaceAll((k, v) -> "true");
        assertEquals("--tied --exclude-seen --mask-seen --header", TrainOptions.commandLine(flags));
        assertThrows(IllegalArgumentException.class, () -> TrainOptions.apply(LstmRec.trainer(), Map.of("dim", "wide")));
    }

    @Test
    void trialOneStartsAtTheDefaultsWhenTheSpaceAdmitsThem() {
        SearchSpace space = new SearchSpace(List.of(new Param.LogUniform("lr", 0.001, 0.01), new Param.Choice("dim", List.of("64", "128")),
                new Param.Choice("warmup", List.of("0", "0.05")), new Param.IntUniform("layers", 1, 2)));
        Map<String, String> defaults = Map.of("lr", "0.003", "dim", "64", "warmup", "0.0", "layers", "1", "epochs", "40");
        SearchSpace started = space.startingAt(defaults);
        assertEquals(Map.of("lr", "0.003", "dim", "64", "warmup", "0.0", "layers", "1"), started.start(),
                "each searched option at its default; 0.0 is the listed 0; options the space does not search are left out");
        assertEquals(List.of("lr", "dim", "warmup", "layers"), List.copyOf(started.start().keySet()), "in space order");
        assertEquals(started.start(), new Tuner(started, Rungs.randomSearch(2), new Budget(1, 0, () -> 0L), 1, null, "f", () -> 0L)
                .newTrial(1).config());
        assertEquals(null, space.start());
        // A default outside the space (or missing) leaves every trial drawn.
        assertEquals(null, space.startingAt(Map.of("lr", "0.02", "dim", "64", "warmup", "0", "layers", "1")).start());
        assertEquals(null, space.startingAt(Map.of("lr", "0.003", "dim", "32", "warmup", "0", "layers", "1")).start());
        assertEquals(null, space.startingAt(Map.of("lr", "0.003", "dim", "64", "warmup", "0", "layers", "3")).start());
        assertEquals(null, space.startingAt(Map.of("lr", "0.003", "dim", "64", "warmup", "0")).start());
    }

    @Test
    void theBuiltInSpacesHoldTrainsDefaults() {
        Map<String, String> general = new LinkedHashMap<>(), session = new LinkedHashMap<>();
        for (String key : TrainOptions.names()) {
            dev.lstmrec.engine.api.RunOption o = dev.lstmrec.engine.api.RunOption.byKey(key).orElseThrow();
            if (o.defaultValue() != null) general.put(key, o.defaultValue());
            String s = o.sessionDefault().orElse(o.defaultValue());
            if (s != null) session.put(key, s);
        }
        general.put("embedding-dropout", general.get("dropout"));
        general.put("hidden-dropout", general.get("dropout"));
        for (int items : new int[] {1_000, 1_000_000}) {
            assertTrue(SearchSpace.defaults(items).startingAt(general).start() != null, "general space, " + items + " items");
            assertTrue(SearchSpace.sessionDefaults(items).startingAt(session).start() != null, "session space, " + items + " items");
        }
    }
}
