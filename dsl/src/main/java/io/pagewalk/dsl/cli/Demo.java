package io.pagewalk.dsl.cli;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import org.graalvm.polyglot.Value;
import picocli.CommandLine.Command;

/**
 * {@code pagewalk demo}: starts a small process of its own (a C program compiled with gcc, or a
 * second JVM when gcc is missing), imports it, runs the bundled smaps-rollup.js on it and prints
 * the result beside the kernel's /proc/PID/smaps_rollup.
 */
@Command(name = "demo", description = "Walk a process of its own with smaps-rollup.js and compare with the kernel's smaps_rollup.")
final class Demo implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
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
            String kernel = Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
            String script = resource("smaps-rollup.js");
            Value summary;
            String json;
            try (ScriptSession s = new ScriptSession(mm, ScriptSession.Options.defaults())) {
                summary = s.run(engine.snippet("smaps-rollup.js", script));
                json = summary.asString();
            } catch (ScriptException e) {
                PagewalkCli.fail(e.getMessage());
                return PagewalkCli.EXIT_SCRIPT;
            }
            print(pid, json, kernel);
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

    private static void print(long pid, String json, String kernel) {
        Map<String, Long> ours = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(Rss|Pss|Anonymous)\":(\\d+)").matcher(json);
        while (m.find()) {
            ours.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Map<String, Long> theirs = new LinkedHashMap<>();
        Matcher k = Pattern.compile("(?m)^(Rss|Pss|Anonymous):\\s+(\\d+) kB").matcher(kernel);
        while (k.find()) {
            theirs.put(k.group(1), Long.parseLong(k.group(2)));
        }
        System.out.printf("pagewalk demo: process %d (started for the demo), walked with smaps-rollup.js%n", pid);
        System.out.printf("%-12s %14s %14s%n", "", "pagewalk", "kernel");
        for (String f : List.of("Rss", "Pss", "Anonymous")) {
            System.out.printf("%-12s %11d kB %11d kB%n", f + ":", ours.getOrDefault(f, -1L), theirs.getOrDefault(f, -1L));
        }
        Matcher kinds = Pattern.compile("\"kinds\":\\{([^}]*)\\}").matcher(json);
        if (kinds.find()) {
            System.out.println("Rss by kind of VMA: " + kinds.group(1).replace("\"", "").replace(":", " ")
                    .replace(",", " kB, ") + " kB");
        }
        System.out.println("(kernel values from /proc/" + pid + "/smaps_rollup, read just before the walk)");
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
