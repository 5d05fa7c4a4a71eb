package io.pagewalk.dsl.cli;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsException;
import io.pagewalk.runtime.snapshot.SnapshotException;
import io.pagewalk.runtime.snapshot.SnapshotFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one way the CLI gets a model: a live process (the runtime's importer) or a snapshot file.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** A model that could not be loaded; the message is the one line the user sees. */
    public static final class ModelException extends Exception {
        private static final long serialVersionUID = 1L;

        public ModelException(String message) {
            super(message);
        }
    }


    public static MmStruct live(int pid, boolean freeze, Consumer<String> warnings) throws ModelException {
        if (pid <= 0 || !Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
            throw new ModelException("no process with pid " + pid);
        }
        try {
            return LiveImport.importProcess(pid, new ImportOptions(freeze, warnings));
        } catch (ProcfsException e) {
            throw new ModelException(message(e));
        }
    }

    public static MmStruct snapshot(Path file) throws ModelException {
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file + ": no such snapshot file");
        }
        try {
            return SnapshotFile.read(file);
        } catch (SnapshotException e) {
            throw new ModelException(message(e));
        }
    }

    /** Writes atomically (SnapshotFile's temporary file and rename): no half-written file. */
    public static void writeSnapshot(MmStruct mm, Path file) throws ModelException {
        try {
            SnapshotFile.write(mm, file);
        } catch (IOException e) {
            throw new ModelException(file + ": " + message(e));
        }
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
