package io.pagewalk.dsl.cli;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.compiler.CompileMode;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.dsl.plugin.ManifestException;
import io.pagewalk.dsl.plugin.Plugin;
import io.pagewalk.dsl.plugin.SemVer;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.graalvm.polyglot.Source;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pagewalk run|snapshot|demo}. Every failure is ONE line on stderr and a non-zero exit:
 * 1 for a script that failed (error, timeout, memory), 2 for bad input (arguments, pid, file).
 */
@Command(name = "pagewalk", mixinStandardHelpOptions = true, version = "pagewalk " + Plugin.PAGEWALK_VERSION,
        description = "Scriptable Linux page-table walker: runs JavaScript walk scripts on a model of an address space.",
        subcommands = {PagewalkCli.Run.class, PagewalkCli.Snapshot.class, Demo.class})
public final class PagewalkCli implements Callable<Integer> {
    public static final int EXIT_SCRIPT = 1;
    public static final int EXIT_USAGE = 2;

    private static volatile boolean interpreterNoticeShown;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI in this process and returns its exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new PagewalkCli());
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("pagewalk: " + ex.getMessage() + " (see pagewalk --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, r) -> {
            System.err.println("pagewalk: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage().replace('\n', ' ')));
            return EXIT_SCRIPT;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        System.err.println("pagewalk: a command is needed: run, snapshot or demo (see pagewalk --help)");
        return EXIT_USAGE;
    }

    static void fail(String message) {
        System.err.println("pagewalk: " + message);
    }

    /** Says once per process that scripts are interpreted (the JVM lacks JVMCI or the compiler jars). */
    static void noticeInterpreter(ScriptEngine engine) {
        if (!engine.optimizing() && !interpreterNoticeShown) {
            interpreterNoticeShown = true;
            System.err.println("pagewalk: the GraalJS optimizing compiler is not available on this JVM; scripts run interpreted (slower)");
        }
    }

    @Command(name = "run", description = "Run a plugin (by name or folder) or a walk script on a process or a snapshot.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PLUGIN",
                description = "a plugin name (looked up in $PAGEWALK_HOME/plugins, then ~/.pagewalk/plugins), a plugin folder, or script.js")
        String script;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "arguments for the script (after --)")
        List<String> args = new ArrayList<>();

        @Option(names = "--pid", description = "walk a live process")
        Integer pid;

        @Option(names = "--snapshot", paramLabel = "FILE", description = "walk a snapshot file")
        Path snapshot;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "stop the script after this long (default 60)")
        double timeout;

        @Option(names = "--allow-write", description = "let the script change the model (set_pte_at, install_pte)")
        boolean allowWrite;

        @Option(names = "--stats", description = "print one line 'stats {json}' to stderr")
        boolean stats;

        @Option(names = "--repeat", defaultValue = "1", paramLabel = "N", description = "run the script N times (timings)")
        int repeat;

        @Option(names = "--no-batch", hidden = true, description = "cross into the script once per PTE (for measurements)")
        boolean noBatch;

        @Option(names = "--compile", paramLabel = "MODE", defaultValue = "auto",
                description = "hooks compiled to JVM bytecode: auto (when they fall in the subset), always (or fail), never (GraalJS)")
        String compile;

        @Option(names = "--explain", description = "say on stderr which hooks were compiled, and what kept the others on GraalJS")
        boolean explain;

        @Override
        public Integer call() {
            if (pid != null && snapshot != null) {
                fail("give --pid or --snapshot, not both");
                return EXIT_USAGE;
            }
            if (repeat < 1 || timeout <= 0) {
                fail(repeat < 1 ? "--repeat must be at least 1" : "--timeout must be positive");
                return EXIT_USAGE;
            }
            CompileMode compileMode;
            try {
                compileMode = CompileMode.parse(compile);
            } catch (IllegalArgumentException e) {
                fail(e.getMessage());
                return EXIT_USAGE;
            }
            Plugin plugin;
            try {
                plugin = Plugin.resolve(script, pluginSearchPath());
                plugin.checkCompatible(SemVer.parse(Plugin.PAGEWALK_VERSION));
            } catch (ManifestException e) {
                fail(e.getMessage());
                return EXIT_USAGE;
            }
            if (plugin.needsWrite() && !allowWrite) {
                fail("plugin " + plugin.displayName() + " changes the model (\"permissions\": [\"write\"]); run it with --allow-write");
                return EXIT_USAGE;
            }
            // A plugin that did not ask for "write" stays read-only even under --allow-write.
            ScriptSession.Options options = ScriptSession.Options.defaults()
                    .withAllowWrite(allowWrite && (plugin.manifest() == null || plugin.needsWrite()))
                    .withTimeout(Duration.ofMillis((long) (timeout * 1000)))
                    .withBatch(!noBatch)
                    .withArgs(args)
                    .withCompile(compileMode);
            // The engine and the first context are made while the target is imported: both take
            // hundreds of milliseconds, and one waits for procfs while the other computes.
            long[] firstSetup = new long[1];
            CompletableFuture<ScriptSession> prepared = CompletableFuture.supplyAsync(() -> {
                long s0 = System.nanoTime();
                ScriptSession s = ScriptSession.prepare(options);
                firstSetup[0] = System.nanoTime() - s0;
                return s;
            });
            long t0 = System.nanoTime();
            MmStruct mm;
            try {
                mm = pid != null ? ModelLoader.live(pid, false, w -> System.err.println("pagewalk: warning: " + w))
                        : snapshot != null ? ModelLoader.snapshot(snapshot) : null;
            } catch (ModelLoader.ModelException e) {
                prepared.thenAccept(ScriptSession::close);
                fail(e.getMessage());
                return EXIT_USAGE;
            }
            long importMs = (System.nanoTime() - t0) / 1_000_000;
            ScriptEngine engine = ScriptEngine.shared();
            noticeInterpreter(engine);
            List<Source> sources = new ArrayList<>();
            for (Path file : plugin.scripts()) {
                try {
                    sources.add(engine.fileSource(file));
                } catch (IOException e) {
                    prepared.thenAccept(ScriptSession::close);
                    fail(file + ": cannot read (" + e.getMessage() + ")");
                    return EXIT_USAGE;
                }
            }
            List<Double> walkMs = new ArrayList<>();
            List<Double> setupMs = new ArrayList<>();
            List<Double> bindMs = new ArrayList<>();
            long[] walkCounts = new long[3];
            List<Double> hooksMs = new ArrayList<>();
            long entries = 0;
            for (int i = 0; i < repeat; i++) {
                long s0 = System.nanoTime();
                ScriptSession session;
                try {
                    session = i == 0 ? prepared.join() : ScriptSession.prepare(options);
                } catch (java.util.concurrent.CompletionException | IllegalStateException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    fail(cause.getMessage());
                    return EXIT_SCRIPT;
                }
                try {
                    session.attach(mm);
                    long w0 = System.nanoTime();
                    // The first context's own making time (it overlapped the import).
                    setupMs.add(i == 0 ? (firstSetup[0] + (w0 - s0)) / 1e6 : (w0 - s0) / 1e6);
                    for (Source source : sources) {
                        session.run(source);
                    }
                    walkMs.add((System.nanoTime() - w0) / 1e6);
                    entries = session.hookCalls();
                    walkCounts = session.compiler().walkCounts();
                    bindMs.add(session.bindMillis());
                    hooksMs.add(session.walkMillis());
                } catch (ScriptException e) {
                    System.out.flush();
                    explain(session, i);
                    fail(e.getMessage());
                    return EXIT_SCRIPT;
                } finally {
                    session.close();
                }
                explain(session, i);
            }
            System.out.flush();
            if (stats) {
                printStats(System.err, importMs, setupMs, walkMs, bindMs, hooksMs, walkCounts, entries, engine);
            }
            return 0;
        }

        /** --explain: after the first run, one line per hook. */
        private void explain(ScriptSession session, int run) {
            if (explain && run == 0) {
                System.out.flush();
                List<String> lines = session.compileExplanations();
                if (lines.isEmpty()) {
                    System.err.println("pagewalk: explain: no walk ran");
                }
                for (String l : lines) {
                    System.err.println("pagewalk: explain: " + l);
                }
            }
        }

        /** $PAGEWALK_HOME/plugins (-Dpagewalk.home from the launcher, or the environment), then ~/.pagewalk/plugins. */
        static List<Path> pluginSearchPath() {
            String home = System.getProperty("pagewalk.home", System.getenv("PAGEWALK_HOME"));
            String user = System.getProperty("user.home");
            return Plugin.searchPath(home == null || home.isBlank() ? null : Path.of(home),
                    user == null ? null : Path.of(user));
        }
    }

    /**
     * {@code stats {...}}: import_ms (model), setup_ms (context and API per run), walk_ms (the
     * script per run), bind_ms (binding hooks to walks, compiling them included), walks_ms (inside
     * the walks: walker and hooks), walks_compiled (walks whose hooks were compiled; walks_checked
     * of them needed a new check, the others reused one), walks_graaljs, entries (hook calls),
     * all of the last run, and engine.
     */
    static void printStats(PrintStream out, long importMs, List<Double> setupMs, List<Double> walkMs, List<Double> bindMs,
            List<Double> hooksMs, long[] walkCounts, long entries, ScriptEngine engine) {
        StringBuilder sb = new StringBuilder("stats {\"import_ms\":").append(importMs);
        list(sb.append(",\"setup_ms\":"), setupMs);
        list(sb.append(",\"walk_ms\":"), walkMs);
        list(sb.append(",\"bind_ms\":"), bindMs);
        list(sb.append(",\"walks_ms\":"), hooksMs);
        sb.append(",\"walks_compiled\":").append(walkCounts[0] + walkCounts[1])
                .append(",\"walks_checked\":").append(walkCounts[0])
                .append(",\"walks_graaljs\":").append(walkCounts[2]);
        sb.append(",\"entries\":").append(entries)
                .append(",\"engine\":\"").append(engine.implementationName()).append("\"}");
        out.println(sb);
    }

    private static void list(StringBuilder sb, List<Double> ms) {
        sb.append('[');
        for (int i = 0; i < ms.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT, "%.3f", ms.get(i)));
        }
        sb.append(']');
    }

    @Command(name = "snapshot", description = "Save a live process's address space to a snapshot file.")
    static final class Snapshot implements Callable<Integer> {
        @Option(names = "--pid", required = true, description = "the process")
        int pid;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "the snapshot file to write")
        Path output;

        @Option(names = "--freeze", description = "stop the process (SIGSTOP) while it is read")
        boolean freeze;

        @Override
        public Integer call() {
            try {
                MmStruct mm = ModelLoader.live(pid, freeze, w -> System.err.println("pagewalk: warning: " + w));
                ModelLoader.writeSnapshot(mm, output);
            } catch (ModelLoader.ModelException e) {
                fail(e.getMessage());
                return EXIT_USAGE;
            }
            System.err.println("pagewalk: wrote " + output);
            return 0;
        }
    }
}
