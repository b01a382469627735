package dev.lstmrec.cli;

/** Quoting for printed command lines, so a path with spaces or quotes can be pasted back into a POSIX shell. */
final class Shell {
    private Shell() {}

    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
