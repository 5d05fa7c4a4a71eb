package io.pagewalk.plugins.more;

import io.pagewalk.runtime.testing.CProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The test program src/test/c/mutator.c: a process that changes its own memory on command (guard
 * install/remove, writes, reads), compiled once per content hash by runtime's {@link CProgram}.
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
        return new Mutator(new ProcessBuilder(CProgram.binary("mutator.c").toString()).start());
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
}
