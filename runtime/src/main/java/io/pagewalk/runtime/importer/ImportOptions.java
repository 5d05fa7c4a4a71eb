package io.pagewalk.runtime.importer;

import java.util.function.Consumer;

/**
 * Options of {@link LiveImport#importProcess(int, ImportOptions)}.
 *
 * @param freeze   stop the target with SIGSTOP for the whole read and resume it afterwards (always,
 *                 also when the import fails or the JVM is shut down); without it the model can
 *                 be torn, see {@link LiveImport}
 * @param warnings receives one line per degraded fact (a source that could not be read, a folio
 *                 whose head was not found, ...); null discards them
 */
public record ImportOptions(boolean freeze, Consumer<String> warnings) {
    /** No freeze, warnings to {@code System.err}. */
    public static ImportOptions defaults() {
        return new ImportOptions(false, System.err::println);
    }

    public ImportOptions withFreeze(boolean newFreeze) {
        return new ImportOptions(newFreeze, warnings);
    }

    public ImportOptions withWarnings(Consumer<String> newWarnings) {
        return new ImportOptions(freeze, newWarnings);
    }

    void warn(String line) {
        if (warnings != null) {
            warnings.accept(line);
        }
    }
}
