package io.pagewalk.dsl.cli;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one way the CLI gets a model: a live process (the runtime's importer) or a snapshot file.
 * The snapshot format is a separate part of the runtime that is found by name, so that a build
 * without it still runs and says clearly what is missing.
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

    private static final String SNAPSHOT_FILE = "io.pagewalk.runtime.snapshot.SnapshotFile";

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
        Class<?> snapshots = find(SNAPSHOT_FILE);
        if (snapshots == null) {
            throw new ModelException("snapshots are not available in this build");
        }
        try {
            return (MmStruct) snapshots.getMethod("read", Path.class).invoke(null, file);
        } catch (InvocationTargetException e) {
            throw new ModelException(file + ": " + message(e.getCause()));
        } catch (ReflectiveOperationException e) {
            throw new ModelException("snapshots are not available in this build (" + e.getMessage() + ")");
        }
    }

    public static void writeSnapshot(MmStruct mm, Path file) throws ModelException {
        Class<?> snapshots = find(SNAPSHOT_FILE);
        if (snapshots == null) {
            throw new ModelException("snapshots are not available in this build");
        }
        try {
            snapshots.getMethod("write", MmStruct.class, Path.class).invoke(null, mm, file);
        } catch (InvocationTargetException e) {
            throw new ModelException(file + ": " + message(e.getCause()));
        } catch (ReflectiveOperationException e) {
            throw new ModelException("snapshots are not available in this build (" + e.getMessage() + ")");
        }
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    private static Class<?> find(String name) {
        try {
            return Class.forName(name, true, ModelLoader.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
