package dev.lstmrec.cli;

import dev.lstmrec.engine.api.RunOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's options and `lstmrec train --help` agree: the run settings' table is the one generated from the
 * {@link RunOption} declarations (as help is), every train option is in one of README's tables, and every option they
 * name is an option of some command. {@code -Dreadme.update=true} rewrites the generated table instead of comparing.
 */
class ReadmeOptionsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String BEGIN = "<!-- run options: generated from RunOption -->\n";
    private static final String END = "<!-- end of run options -->";
    private static final Pattern ROW = Pattern.compile("(?m)^\\| ([^|]*`--[^|]*)\\|");
    private static final Pattern OPTION = Pattern.compile("`--([a-z0-9-]+)");

    /** The generated table: one row per setting in declaration order, a heading row per group. */
    static String runOptionsTable() {
        StringBuilder sb = new StringBuilder("| option | default | meaning |\n| --- | --- | --- |\n");
        RunOption.Group group = null;
        for (RunOption o : RunOption.values()) {
            if (o.group() != group) {
                group = o.group();
                sb.append("| **").append(group.title()).append("**").append(group.searchable() ? " (tune may search these)" : "")
                        .append(" | | |\n");
            }
            String name = o.type() == RunOption.Type.BOOLEAN ? "`--" + o.key() + "` / `--no-" + o.key() + "`"
                    : "`--" + o.key() + " " + o.label() + "`";
            sb.append("| ").append(cell(name)).append(" | ").append(cell(o.defaultDescription())).append(" | ")
                    .append(cell(o.description() + (o.changeable() ? " A resumed run may change it." : ""))).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    @Test
    void theRunSettingsTableIsGeneratedFromTheDeclarations() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN), end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README holds the generated run options table between its markers");
        String generated = runOptionsTable();
        if (Boolean.getBoolean("readme.update")) {
            Files.writeString(README, readme.substring(0, begin + BEGIN.length()) + generated + readme.substring(end), StandardCharsets.UTF_8);
            return;
        }
        assertEquals(generated, readme.substring(begin + BEGIN.length(), end),
                "README's run options table differs from the RunOption declarations: rewrite it with"
                        + " mvn -pl cli test -Dtest=ReadmeOptionsTest -Dreadme.update=true");
    }

    @Test
    void trainHelpAndTheReadmeTablesNameTheSameOptions() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("## Options");
        assertTrue(start >= 0, "README has the options section");
        int end = readme.indexOf("\n## ", start + 1);
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
        assertEquals(Set.of(), missing, "train options the README tables do not list");
        Set<String> unknown = new TreeSet<>(table);
        unknown.removeAll(all);
        assertEquals(Set.of(), unknown, "options in the README tables that no command has");
    }

    @Test
    void trainHelpShowsEachSettingsDescriptionAndDefault() {
        CommandLine train = new CommandLine(new LstmrecCommand()).getSubcommands().get("train");
        for (RunOption o : RunOption.values()) {
            OptionSpec spec = train.getCommandSpec().findOption("--" + o.key());
            assertTrue(spec != null, "train has --" + o.key());
            String help = String.join(" ", spec.description()).replace("%%", "%");
            assertTrue(help.startsWith(o.description()) && help.contains("(default: " + o.defaultDescription()),
                    "--" + o.key() + "'s help is its declaration's: " + help);
        }
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
