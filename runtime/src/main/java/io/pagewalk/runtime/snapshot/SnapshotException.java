package io.pagewalk.runtime.snapshot;

import java.nio.file.Path;

/**
 * A snapshot file that cannot be loaded: truncated, corrupted, foreign, of a newer format, or
 * malformed. The message is one line that names the file and says what is wrong, fit to show a
 * user as it is.
 */
public final class SnapshotException extends Exception {
    private final transient Path file;

    public SnapshotException(Path file, String what) {
        super(oneLine(file + ": " + what));
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Messages may quote file content (header text); keep them on one line. */
    private static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }
}
