package dev.lstmrec.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's options table (the rows whose first cell names options) and `lstmrec train --help` agree: every train
 * option is in the table, and every option the table names is an option of some command.
 */
class ReadmeOptionsTest {
    private static final Pattern ROW = Pattern.compile("(?m)^\\| ([^|]*`--[^|]*)\\|");
    private static final Pattern OPTION = Pattern.compile("`--([a-z0-9-]+)");

    @Test
    void trainHelpAndTheReadmeTableNameTheSameOptions() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("| option | default | meaning |");
        assertTrue(start >= 0, "README has the options table");
        int end = readme.indexOf("\n\n", start);
        Set<String> table = new TreeSet<>();
        Matcher row = ROW.matcher(readme.substring(start, end));
        while (row.find()) {
            Matcher o = OPTION.matcher(row.group(1));
            while (o.find()) table.add(o.group(1).replaceFirst("^no-", ""));
        }
        CommandLine root = new CommandLine(new LstmrecCommand());
        Set<String> train = names(root.getSubcommands().get("train")), all = new TreeSet<>();
        for (CommandLine c : root.getSubcommands().values()) all.addAll(names(c));
        Set<String> missing = new TreeSet<>(train);
        missing.removeAll(table);
        assertEquals(Set.of(), missing, "train options the README table does not list");
        Set<String> unknown = new TreeSet<>(table);
        unknown.removeAll(all);
        assertEquals(Set.of(), unknown, "options in the README table that no command has");
    }

    private static Set<String> names(CommandLine c) {
        Set<String> s = new TreeSet<>();
        for (OptionSpec o : c.getCommandSpec().options()) {
            for (String n : o.names()) if (n.startsWith("--")) s.add(n.substring(2).replaceFirst("^no-", ""));
        }
        s.remove("help");
        s.remove("version");
        return s;
    }
}
