package dev.lstmrec.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** `lstmrec --help` lists each command by the first line of its header or description: that line is one whole sentence. */
class CommandSummaryTest {
    @Test
    void everyCommandSummaryIsOneWholeSentence() {
        Map<String, CommandLine> commands = new CommandLine(new LstmrecCommand()).getSubcommands();
        assertTrue(commands.size() >= 8, commands.keySet().toString());
        for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
            // picocli lists a command by its header when it has one (the built-in help command), else its description
            var usage = e.getValue().getCommandSpec().usageMessage();
            String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
            assertTrue(summary.length > 0, e.getKey() + " has a description");
            String first = summary[0].trim();
            assertTrue(first.endsWith(".") && Character.isUpperCase(first.charAt(0)), e.getKey() + ": '" + first + "'");
        }
    }
}
