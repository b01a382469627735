package dev.lstmrec.engine.io;

import java.util.Locale;

/**
 * An enum value with a command-line name ({@code --loss bpr-max}, {@code --holdout last-item}); {@link #parse} is the
 * one way such a name becomes its value, with one error text listing the valid names.
 */
public interface CliName {
    /** The name used on the command line and in stored settings. */
    String cliName();

    /**
     * The value of {@code values} named {@code text} (trimmed, case-insensitive).
     *
     * @param option the option's name without dashes, for the error
     * @throws IllegalArgumentException naming the option, the valid names and what was given
     */
    static <E extends CliName> E parse(E[] values, String option, String text) {
        String n = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (E v : values) if (v.cliName().equals(n)) return v;
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            names.append(i == 0 ? "" : i == values.length - 1 ? " or " : ", ").append(values[i].cliName());
        }
        throw new IllegalArgumentException("--" + option + " must be " + names + ", got '" + text + "'");
    }
}
