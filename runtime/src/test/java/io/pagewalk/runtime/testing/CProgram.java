package io.pagewalk.runtime.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Any C test program of {@code src/test/c} (shipped in the test-jar beside fixture.c), compiled
 * with gcc once per content hash like {@link FixtureProcess} does, started with arguments, and
 * read until it prints {@code ready}. Lines {@code pid N} and {@code child N} name processes that
 * {@link #close()} kills.
 */
public final class CProgram implements AutoCloseable {
    private static final long READY_TIMEOUT_SECONDS = 20;

    private final Process process;
    private final List<String> report;

    private CProgram(Process process, List<String> report) {
        this.process = process;
        this.report = report;
    }

    /** Compiles (if needed) {@code source} (a file name in src/test/c) and runs it until "ready". */
    public static CProgram start(String source, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary(source).toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        try {
            return new CProgram(p, readUntilReady(p, source + " " + args));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /**
     * The lines a test program prints up to and including {@code ready}, waiting at most
     * {@value #READY_TIMEOUT_SECONDS} s; an IOException naming {@code what} (and the program's
     * standard error) when it exits or hangs first. The caller kills the process on failure.
     */
    static List<String> readUntilReady(Process p, String what) throws IOException {
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
            List<String> out = new ArrayList<>();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                    if (line.equals("ready")) {
                        break;
                    }
                }
            } catch (IOException e) {
                out.add("(read failed: " + e.getMessage() + ")");
            }
            return out;
        });
        List<String> report;
        try {
            report = lines.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(what + " did not report ready within " + READY_TIMEOUT_SECONDS + " s", e);
        }
        if (report.isEmpty() || !report.getLast().equals("ready")) {
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            throw new IOException(what + " exited before ready: " + err + " / " + report);
        }
        return List.copyOf(report);
    }

    /** The compiled program, built on first use and cached by the source's SHA-256. */
    public static synchronized Path binary(String source) throws IOException {
        byte[] text;
        try (InputStream in = CProgram.class.getResourceAsStream("/io/pagewalk/runtime/testing/" + source)) {
            if (in == null) {
                throw new IOException("C test program " + source + " is not on the class path");
            }
            text = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String stem = source.replaceAll("\\.c$", "");
        Path dir = Path.of(System.getProperty("pagewalk.fixture.dir", "target/pagewalk-fixture")).toAbsolutePath();
        Path binary = dir.resolve(stem + "-" + hash);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(dir);
        Path src = dir.resolve(stem + "-" + hash + ".c");
        Files.write(src, text);
        Path tmp = Files.createTempFile(dir, stem + "-", ".tmp");
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-o", tmp.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (gcc.waitFor() != 0) {
                Files.deleteIfExists(tmp);
                throw new IOException("gcc failed on " + src + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling " + source, e);
        }
        Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return binary;
    }

    /** The report lines, "ready" last. */
    public List<String> report() {
        return report;
    }

    /** The value of the first line {@code key VALUE}, or null. */
    public String value(String key) {
        for (String line : report) {
            if (line.startsWith(key + " ")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Kills the program (SIGKILL) and any child it reported, and reaps it. */
    @Override
    public void close() {
        String child = value("child");
        process.destroyForcibly();
        if (child != null) {
            ProcessHandle.of(Long.parseLong(child)).ifPresent(ProcessHandle::destroyForcibly);
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
