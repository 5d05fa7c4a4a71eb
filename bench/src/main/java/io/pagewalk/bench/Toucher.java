package io.pagewalk.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The measured process of the benchmarks: a C program that maps N GiB of anonymous memory, writes
 * every page (4 KiB pages with MADV_NOHUGEPAGE, or MADV_HUGEPAGE for THPs), says "ready" and
 * holds still until its standard input closes.
 */
final class Toucher implements AutoCloseable {
    private static final String SOURCE = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                unsigned long gib = strtoul(argv[1], NULL, 0), len = gib << 30;
                int thp = argc > 2 && !strcmp(argv[2], "thp");
                char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED) { perror("mmap"); return 2; }
                madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
                for (unsigned long i = 0; i < len; i += 4096) p[i] = 1 + (i >> 12) % 251;
                printf("ready\\n");
                fflush(stdout);
                char buf[64];
                while (read(0, buf, sizeof buf) > 0) ;
                return 0;
            }
            """;

    private final Path dir;
    private final Process process;

    private Toucher(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static Toucher start(int gib, boolean thp) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pagewalk-bench");
        Path src = dir.resolve("toucher.c");
        Path bin = dir.resolve("toucher");
        Files.writeString(src, SOURCE);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc failed on " + src);
        }
        Process target = new ProcessBuilder(bin.toString(), Integer.toString(gib), thp ? "thp" : "4k")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Toucher t = new Toucher(dir, target);
        BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
        if (!"ready".equals(out.readLine())) {
            t.close();
            throw new IOException("the measured process did not start");
        }
        return t;
    }

    int pid() {
        return (int) process.pid();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
