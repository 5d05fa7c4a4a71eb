package io.pagewalk.plugins.more;

import io.pagewalk.plugins.PluginHarness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The test program src/test/c/mutator.c: a process that changes its own memory on command (guard
 * install/remove, writes, reads), compiled with gcc once per content hash into target/.
 */
final class Mutator implements AutoCloseable {
    /** A region of the program, end exclusive. */
    record Region(long start, long end) {
        long page(int i) {
            return start + ((long) i << 12);
        }
    }

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final int pid;
    private final Map<String, Region> regions = new HashMap<>();

    private Mutator(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        int p = -1;
        for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
            String[] f = line.split(" ");
            if (f[0].equals("pid")) {
                p = Integer.parseInt(f[1]);
            } else if (f[0].equals("region")) {
                regions.put(f[1], new Region(Long.decode(f[2]), Long.decode(f[3])));
            }
        }
        if (p != process.pid() || regions.size() != 3) {
            throw new IOException("mutator did not start: " + new String(process.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8));
        }
        this.pid = p;
    }

    static Mutator start() throws Exception {
        return new Mutator(new ProcessBuilder(binary().toString()).start());
    }

    int pid() {
        return pid;
    }

    Region region(String name) {
        return regions.get(name);
    }

    /** Sends one command ("guard anon 2 4", ...) and returns the errno (0 on success). */
    int command(String cmd) throws IOException {
        in.write(cmd + "\n");
        in.flush();
        String reply = out.readLine();
        if (reply == null || !reply.startsWith("done ")) {
            throw new IOException("mutator: no reply to " + cmd + ": " + reply);
        }
        return Integer.parseInt(reply.split(" ")[2]);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized Path binary() throws Exception {
        Path src = PluginHarness.pluginsDir().resolve("src/test/c/mutator.c");
        byte[] source = Files.readAllBytes(src);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
        Path dir = PluginHarness.pluginsDir().resolve("target/pagewalk-mutator");
        Path binary = dir.resolve("mutator-" + hash);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "mutator-", ".tmp");
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-o", tmp.toString(), src.toString())
                .redirectErrorStream(true).start();
        String msg = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            Files.deleteIfExists(tmp);
            throw new IOException("gcc failed on " + src + ": " + msg.strip());
        }
        Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return binary;
    }
}
