package dev.lstmrec.spark;

import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.train.LossConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SparkMain's option parsing (no Spark needed): every {@code lstmrec train} option is taken or refused, with the
 * trainer's defaults and messages; the loss options; usage errors.
 */
class SparkMainTest {
    private static TrainSettings settings(String... args) {
        return SparkMain.settings(SparkMain.parse(train(args)));
    }

    @Test
    void lossOptionsPassThroughWithTheCliDefaults() {
        assertEquals(dev.lstmrec.engine.api.RunConfig.defaults().lossConfig(), settings().lossConfig());
        assertEquals(new LossConfig(LossConfig.Loss.SAMPLED, 64, 0.25f, 0.5f, 1f).withMaskSeen(true), // as --exclude-seen
                settings("--loss", "sampled", "--negatives", "64", "--sample-alpha", "0.25", "--logq", "0.5").lossConfig());
        assertEquals(LossConfig.Loss.BPR_MAX, settings("--loss", "bpr-max", "--bpreg", "2").lossConfig().loss());
        assertFalse(settings("--no-exclude-seen").lossConfig().maskSeen(), "seen items are masked only when the ranking excludes them");
    }

    @Test
    void badLossSettingsAreUsageErrors() {
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--loss", "nce")).getMessage().contains("--loss"));
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--negatives", "-1")).getMessage().contains("--negatives"));
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--optimizer", "sgd", "--loss", "sampled"))
                .getMessage().contains("sgd"));
        assertEquals(LossConfig.Loss.FULL, settings("--optimizer", "sgd", "--loss", "full").lossConfig().loss());
        assertEquals(LossConfig.Loss.AUTO, settings("--optimizer", "sgd").lossConfig().loss()); // full up to 16,384 items: checked at fit
    }

    @Test
    void unknownOptionsAreUsageErrorsNotIgnored() {
        String m = assertThrows(SparkMain.UsageException.class, () -> settings("--negativs", "64")).getMessage();
        assertTrue(m.contains("unknown option --negativs"), m);
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--eval-negatives", "100")).getMessage()
                .contains("--eval-negatives"));
    }

    /** A valid value other than the default, for the string settings Spark trains with. */
    private static final Map<RunOption, String> OTHER_STRING = Map.of(RunOption.LOSS, "sampled", RunOption.BACKEND, "scalar",
            RunOption.LR_SCHEDULE, "cosine", RunOption.ROW_OPTIMIZER, "adagrad");

    /** Arguments giving {@code o} a valid value other than its default. */
    private static String[] otherValue(RunOption o) {
        String d = o.defaultValue();
        return switch (o.type()) {
            case BOOLEAN -> new String[] {Boolean.parseBoolean(d) ? "--no-" + o.key() : "--" + o.key()};
            case INT -> new String[] {"--" + o.key(), Integer.toString(d == null ? 1 : Integer.parseInt(d) + 1)};
            case LONG -> new String[] {"--" + o.key(), Long.toString(d == null ? 1 : Long.parseLong(d) + 1)};
            case FLOAT, DOUBLE -> new String[] {"--" + o.key(), Double.toString(d == null ? 0.1 : Double.parseDouble(d) + 0.1)};
            case STRING, PATH -> new String[] {"--" + o.key(), OTHER_STRING.getOrDefault(o, "x")};
        };
    }

    @Test
    void everyTrainOptionIsTakenOrRefusedWithAReason() {
        TrainSettings defaults = settings();
        assertEquals(TrainSettings.defaults(), defaults);
        for (RunOption o : RunOption.values()) {
            String name = "--" + o.key();
            boolean trained = TrainSettings.RUN_OPTIONS.contains(o), read = SparkMain.READ_BY_SPARK.contains(o);
            // every other option, named in NOT_SUPPORTED with its own reason or not at all, is refused
            boolean refused = !trained && !read;
            assertTrue(!(trained && read), name + " is trained or read by Spark's input, not both");
            assertTrue(refused || !SparkMain.NOT_SUPPORTED.containsKey(o), name + " is taken, so NOT_SUPPORTED must not name it");
            String[] args = otherValue(o);
            if (refused) {
                String m = assertThrows(SparkMain.UsageException.class, () -> settings(args), name).getMessage();
                assertTrue(m.startsWith(name + " ") && m.contains("Spark"), m);
            } else if (trained) {
                if (o.type() == RunOption.Type.STRING) assertTrue(OTHER_STRING.containsKey(o), "give " + name + " a value in OTHER_STRING");
                assertNotEquals(defaults, settings(args), name + " " + String.join(" ", args) + " must reach TrainSettings");
            } else {
                assertNotNull(SparkMain.parse(train(args)).get(name), name);
            }
        }
    }

    @Test
    void docsSparkNamesEveryTrainOptionItTakes() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "spark.md"));
        for (RunOption o : RunOption.values()) {
            if (!TrainSettings.RUN_OPTIONS.contains(o) && !SparkMain.READ_BY_SPARK.contains(o)) continue;
            assertTrue(Pattern.compile("--" + Pattern.quote(o.key()) + "(?![a-z0-9-])").matcher(docs).find(),
                    "docs/spark.md says what Spark does with --" + o.key());
        }
    }

    @Test
    void theCliCheckpointEveryIsRefusedForTheRoundsOption() {
        String m = assertThrows(SparkMain.UsageException.class, () -> SparkMain.parse(train("--checkpoint-every", "5"))).getMessage();
        assertTrue(m.contains("--checkpoint-every ") && m.contains("batches") && m.contains("--checkpoint-every-rounds"), m);
        assertEquals(5, SparkMain.checkpointEveryRounds(SparkMain.parse(train("--checkpoint-every-rounds", "5"))));
        assertEquals(10, SparkMain.checkpointEveryRounds(SparkMain.parse(train())));
        assertThrows(SparkMain.UsageException.class, () -> SparkMain.checkpointEveryRounds(SparkMain.parse(train("--checkpoint-every-rounds", "-1"))));
    }

    @Test
    void trainOptionsParseAndFailAsInTheTrainer() {
        TrainSettings s = settings("--dim", "32", "--hidden", "48", "--lr", "0.0030", "--seed", "7", "--threads", "3");
        assertEquals(32, s.dim());
        assertEquals(48, s.hidden());
        assertEquals(0.003f, s.lr());
        assertEquals(7L, s.seed());
        assertEquals(3, s.threads());
        assertEquals("--dim must be int, got 'wide'", assertThrows(SparkMain.UsageException.class, () -> settings("--dim", "wide")).getMessage());
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--lr", "0")).getMessage().startsWith("--lr must be"));
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--threads", "-1")).getMessage().startsWith("--threads must be"));
        assertTrue(settings("--exclude-seen").excludeSeen());
        assertFalse(settings("--no-exclude-seen").excludeSeen());
        assertEquals("unknown option --no-dim", assertThrows(SparkMain.UsageException.class, () -> settings("--no-dim")).getMessage()
                .substring(0, "unknown option --no-dim".length()));
    }

    private static String[] train(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
