package dev.lstmrec.cli;

import picocli.CommandLine;

/** Version from the jar manifest (falls back to "development" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = LstmrecCommand.class.getPackage().getImplementationVersion();
        return new String[] {"lstmrec " + (v == null ? "development build" : v) + " on Java " + Runtime.version()};
    }
}
