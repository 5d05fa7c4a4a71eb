package io.pagewalk.dsl.cli;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.dsl.plugin.ManifestException;
import io.pagewalk.dsl.plugin.Plugin;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;

/**
 * {@code pagewalk demo}: starts a small process of its own (a C program compiled with gcc, or a
 * second JVM when gcc is missing), imports it, runs the reference plugin {@code smaps_rollup} on
 * it and prints every field beside the kernel's own /proc/PID/smaps_rollup of the same process.
 */
@Command(name = "demo", description = "Walk a process of its own with the smaps_rollup plugin and compare every field with the kernel's.")
final class Demo implements Callable<Integer> {
    /** Fields no walk of userspace-visible state can reproduce, and why. */
    private static final Map<String, String> NOT_EXPORTED = Map.of(
            "Referenced", "needs the PTE young bit, which is not exported",
            "SwapPss", "needs swap counts, which are not exported");

    @Override
    public Integer call() throws Exception {
        Plugin plugin;
        try {
            plugin = Plugin.resolve("smaps_rollup", PagewalkCli.Run.pluginSearchPath());
        } catch (ManifestException e) {
            PagewalkCli.fail("demo: " + e.getMessage());
            return PagewalkCli.EXIT_USAGE;
        }
        ScriptEngine engine = ScriptEngine.shared();
        PagewalkCli.noticeInterpreter(engine);
        Path dir = Files.createTempDirectory("pagewalk-demo");
        Process child = null;
        try {
            child = startTarget(dir);
            long pid = child.pid();
            MmStruct mm;
            try {
                mm = ModelLoader.live((int) pid, false, w -> { });
            } catch (ModelLoader.ModelException e) {
                PagewalkCli.fail("demo: " + e.getMessage());
                return PagewalkCli.EXIT_USAGE;
            }
            // Read right after the import: the target is idle and holds still meanwhile.
            String kernel = Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
            String ours;
            try {
                ours = runCapturingStdout(engine, plugin, mm);
            } catch (ScriptException e) {
                PagewalkCli.fail(e.getMessage());
                return PagewalkCli.EXIT_SCRIPT;
            }
            print(pid, plugin, ours, kernel);
            return 0;
        } finally {
            if (child != null) {
                child.getOutputStream().close();
                if (!child.waitFor(2, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Runs the plugin's scripts in one session, as {@code run} does, and returns what it printed. */
    private static String runCapturingStdout(ScriptEngine engine, Plugin plugin, MmStruct mm)
            throws IOException, ScriptException {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ScriptSession s = new ScriptSession(mm, ScriptSession.Options.defaults())) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            for (Path file : plugin.scripts()) {
                s.run(engine.fileSource(file));
            }
        } finally {
            System.setOut(stdout);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static void print(long pid, Plugin plugin, String ours, String kernel) {
        Map<String, String> mine = fields(ours);
        Map<String, String> theirs = fields(kernel);
        System.out.printf("pagewalk demo: process %d (a small program started for the demo: anonymous, file, shared and%n"
                + "huge pages), imported and walked with the %s plugin, beside the kernel's /proc/%d/smaps_rollup%n%n",
                pid, plugin.displayName(), pid);
        System.out.printf("%-16s %12s %12s%n", "", "pagewalk", "kernel");
        int equal = 0;
        int compared = 0;
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            String field = e.getKey();
            String why = NOT_EXPORTED.get(field);
            String mark = why != null ? "  (" + why + ")" : e.getValue().equals(mine.get(field)) ? "  =" : "  DIFFERS";
            if (why == null) {
                compared++;
                equal += e.getValue().equals(mine.get(field)) ? 1 : 0;
            }
            System.out.printf("%-16s %12s %12s%s%n", field + ":", mine.getOrDefault(field, "-"), e.getValue(), mark);
        }
        System.out.printf("%n%d of %d reproducible fields equal the kernel's. On any process: ./pagewalk run smaps_rollup --pid PID%n",
                equal, compared);
    }

    /** "Field: value" lines of smaps_rollup text, in order (the header line is skipped). */
    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^(\\w+):\\s+(.*?)\\s*$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static Process startTarget(Path dir) throws IOException, InterruptedException {
        Path src = dir.resolve("demo-target.c");
        Path exe = dir.resolve("demo-target");
        Files.writeString(src, resource("demo-target.c"));
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            gcc = null;
        }
        List<String> command;
        if (gcc != null && gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0) {
            command = List.of(exe.toString());
        } else {
            // No C compiler: a second JVM that just waits is a live process too.
            command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    "io.pagewalk.dsl.cli.Demo$Waiter");
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("ready")) {
            p.destroyForcibly();
            throw new IOException("the demo's target process did not start");
        }
        return p;
    }

    /** The no-gcc target: says ready, then waits for stdin to close. */
    static final class Waiter {
        public static void main(String[] args) throws IOException {
            byte[] keep = new byte[8 << 20];
            java.util.Arrays.fill(keep, (byte) 1);
            System.out.println("ready " + keep[0]);
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait
            }
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
