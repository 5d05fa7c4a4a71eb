package io.pagewalk.plugins;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.compiler.CompileMode;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.dsl.plugin.ManifestException;
import io.pagewalk.dsl.plugin.Plugin;
import io.pagewalk.dsl.plugin.SemVer;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a reference plugin on a model in this JVM and returns what it printed: what the tests
 * compare with the kernel's own report of the same process.
 */
public final class PluginHarness {
    private PluginHarness() {}

    /** The folder that holds the plugin folders (the plugins module's root). */
    public static Path pluginsDir() {
        return Path.of(System.getProperty("pagewalk.plugins.dir", ".")).toAbsolutePath();
    }

    /** The plugin's folder, e.g. {@code plugin("smaps")}. */
    public static Path plugin(String name) {
        Path dir = pluginsDir().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no plugin folder " + dir);
        }
        return dir;
    }

    /**
     * Runs the plugin folder {@code name} as {@code pagewalk run} does (its manifest's includes,
     * then its main, in one context; read-only unless it declares "write"); standard output.
     */
    public static String runPlugin(String name, MmStruct mm, String... args)
            throws IOException, ScriptException, ManifestException {
        Plugin p = Plugin.fromDir(plugin(name));
        p.checkCompatible(SemVer.parse(Plugin.PAGEWALK_VERSION));
        return capture(mm, p.needsWrite(), p.scripts(), args);
    }

    /**
     * What one run of a plugin did: what it printed, its one-line error (null when it ran to the
     * end), and per hook whether the walk was compiled (see {@link ScriptSession#compileExplanations()}).
     */
    public record Outcome(String out, String error, List<String> explanations) {}

    /**
     * Runs the plugin folder {@code name} as {@link #runPlugin(String, MmStruct, String...)} does,
     * with the hooks compiled as {@code mode} says; an error of the run is part of the outcome.
     */
    public static Outcome runPlugin(String name, MmStruct mm, CompileMode mode, List<String> args)
            throws IOException, ManifestException {
        Plugin p = Plugin.fromDir(plugin(name));
        p.checkCompatible(SemVer.parse(Plugin.PAGEWALK_VERSION));
        ScriptSession.Options options = ScriptSession.Options.defaults().withAllowWrite(p.needsWrite()).withArgs(args)
                .withCompile(mode);
        List<String> explanations = new java.util.ArrayList<>();
        String[] error = {null};
        String out = capture(mm, options, p.scripts(), session -> explanations.addAll(session.compileExplanations()), error);
        return new Outcome(out, error[0], explanations);
    }

    /** Runs {@code script} (a .js file) on {@code mm}; standard output as a string. */
    public static String run(Path script, MmStruct mm, boolean allowWrite, String... args)
            throws IOException, ScriptException {
        return capture(mm, allowWrite, List.of(script), args);
    }

    private static String capture(MmStruct mm, boolean allowWrite, List<Path> scripts, String... args)
            throws IOException, ScriptException {
        ScriptSession.Options options = ScriptSession.Options.defaults().withAllowWrite(allowWrite).withArgs(List.of(args));
        return capture(mm, options, scripts, session -> { }, null);
    }

    /**
     * Runs the scripts in one session and returns what they printed. With {@code error} non-null,
     * a script's error (or one the compiled path throws) is put there rather than thrown.
     */
    private static String capture(MmStruct mm, ScriptSession.Options options, List<Path> scripts,
            java.util.function.Consumer<ScriptSession> after, String[] error) throws IOException {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try (ScriptSession session = new ScriptSession(mm, options)) {
                try {
                    for (Path script : scripts) {
                        session.run(ScriptEngine.shared().fileSource(script));
                    }
                } catch (RuntimeException e) {
                    if (error == null) {
                        throw e;
                    }
                    error[0] = e instanceof ScriptException ? e.getMessage() : e.toString();
                } finally {
                    after.accept(session);
                }
            }
            System.out.flush();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
