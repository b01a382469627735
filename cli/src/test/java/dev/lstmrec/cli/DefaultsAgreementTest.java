package dev.lstmrec.cli;

// The library's Defaults must equal the option defaults `lstmrec train` declares, so that code and command line
// train the same model from the same data. Read from picocli's model of TrainCommand, not from the help text.

import dev.lstmrec.engine.api.Defaults;
import dev.lstmrec.engine.api.RunOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class DefaultsAgreementTest {
    private static String def(CommandSpec spec, String option) {
        return spec.findOption(option).defaultValue();
    }

    @Test
    void trainOptionDefaultsAreTheLibraryDefaults() {
        CommandSpec s = new CommandLine(new TrainCommand()).getCommandSpec();
        assertEquals(Defaults.DIM, Integer.parseInt(def(s, "--dim")));
        assertEquals(Defaults.HIDDEN, Integer.parseInt(def(s, "--hidden")));
        assertEquals(Defaults.LAYERS, Integer.parseInt(def(s, "--layers")));
        assertEquals(Defaults.MAX_LEN, Integer.parseInt(def(s, "--max-len")));
        assertEquals(Defaults.DROPOUT, Float.parseFloat(def(s, "--dropout")));
        assertEquals(Defaults.BATCH, Integer.parseInt(def(s, "--batch")));
        assertEquals(Defaults.LR, Float.parseFloat(def(s, "--lr")));
        assertEquals(Defaults.EPOCHS, Integer.parseInt(def(s, "--epochs")));
        assertEquals(Defaults.PATIENCE, Integer.parseInt(def(s, "--patience")));
        assertEquals(Defaults.WEIGHT_DECAY, Float.parseFloat(def(s, "--weight-decay")));
        assertEquals(Defaults.CLIP_NORM, Float.parseFloat(def(s, "--clip-norm")));
        assertEquals(Defaults.SEED, Long.parseLong(def(s, "--seed")));
        assertEquals(Defaults.THREADS, Integer.parseInt(def(s, "--threads")));
        assertEquals(Defaults.EXCLUDE_SEEN, Boolean.parseBoolean(def(s, "--exclude-seen")));
        assertEquals(Defaults.EVAL_NEGATIVES, Integer.parseInt(def(s, "--eval-negatives")));
        dev.lstmrec.engine.train.LossConfig loss = dev.lstmrec.engine.train.LossConfig.defaults();
        assertEquals(loss.loss().cliName(), def(s, "--loss"));
        assertEquals(loss.negatives(), Integer.parseInt(def(s, "--negatives")));
        assertEquals(loss.sampleAlpha(), Float.parseFloat(def(s, "--sample-alpha")));
        assertEquals(loss.logq(), Float.parseFloat(def(s, "--logq")));
        assertEquals(loss.bpreg(), Float.parseFloat(def(s, "--bpreg")));
    }

    /**
     * Every stored run setting is a `train` option of the same name and default, so that TrainCommand can hand the
     * options it was given to the builder by name and a resume can compare them (backend: picocli has no default,
     * the CLI resolves -Dlstmrec.backend / LSTMREC_BACKEND, and the stored value is the resolved name).
     */
    @Test
    void everyRunSettingIsATrainOptionWithTheSameDefault() {
        CommandSpec s = new CommandLine(new TrainCommand()).getCommandSpec();
        for (RunOption o : RunOption.values()) {
            CommandLine.Model.OptionSpec opt = s.findOption("--" + o.key());
            assertNotNull(opt, "train has no option --" + o.key());
            if (o == RunOption.BACKEND) continue;
            String declared = opt.defaultValue() != null ? opt.defaultValue() : opt.type() == boolean.class ? "false" : null;
            assertEquals(o.defaultValue(), o.canonical(declared), "--" + o.key());
        }
    }
}
