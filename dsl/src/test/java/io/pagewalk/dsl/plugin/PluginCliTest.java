package io.pagewalk.dsl.plugin;

import static io.pagewalk.dsl.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.cli.CliTest.Result;
import io.pagewalk.dsl.cli.PagewalkCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pagewalk run NAME|DIR|FILE} with manifests: lookup, includes, versions, permissions. */
class PluginCliTest {
    @TempDir
    Path home;

    /** What the build set (the repository, as the launcher passes it); other tests rely on it. */
    private static final String BUILD_HOME = System.getProperty("pagewalk.home");

    @AfterEach
    void restore() {
        if (BUILD_HOME == null) {
            System.clearProperty("pagewalk.home");
        } else {
            System.setProperty("pagewalk.home", BUILD_HOME);
        }
    }

    private Path plugin(String name, String extra, String main) throws IOException {
        Path dir = Files.createDirectories(home.resolve("plugins").resolve(name));
        Files.writeString(dir.resolve("plugin.json"), """
                {"name": "%s", "version": "1.0.0", "description": "t", "author": "t", "license": "MIT",
                 "pagewalk": ">=0.1.0 <0.2.0", "main": "main.js", "hooks": [], %s}
                """.formatted(name, extra));
        Files.writeString(dir.resolve("main.js"), main);
        return dir;
    }

    @Test
    void aBareNameRunsThePluginFromPagewalkHomeWithItsIncludes() throws IOException {
        Path dir = plugin("hello", "\"permissions\": [], \"include\": [\"lib.js\"]", "print(greet(args[0]));\n");
        Files.writeString(dir.resolve("lib.js"), "const greet = (who) => 'hello ' + who;\n");
        System.setProperty("pagewalk.home", home.toString());
        Result r = cli("run", "hello", "--", "world");
        assertEquals(0, r.code(), r.err());
        assertEquals("hello world\n", r.out());
        Result byDir = cli("run", dir.toString(), "--", "dir");
        assertEquals("hello dir\n", byDir.out(), byDir.err());
    }

    @Test
    void anUnknownNameIsOneLineSayingWhereItLooked() {
        System.setProperty("pagewalk.home", home.toString());
        Result r = cli("run", "nosuch");
        assertEquals(PagewalkCli.EXIT_USAGE, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("pagewalk: nosuch: no such plugin (looked in " + home.resolve("plugins")), r.err());
    }

    @Test
    void aWritePluginNeedsAllowWriteAndOthersStayReadOnly() throws IOException {
        plugin("writer", "\"permissions\": [\"write\"]", "print('ran');\n");
        plugin("reader", "\"permissions\": []", "set_pte_at(mm, 0x1000, 0n);\n");
        System.setProperty("pagewalk.home", home.toString());
        Result refused = cli("run", "writer");
        assertEquals(PagewalkCli.EXIT_USAGE, refused.code());
        assertEquals("pagewalk: plugin writer changes the model (\"permissions\": [\"write\"]); run it with --allow-write",
                refused.err().strip());
        assertEquals("", refused.out(), "nothing ran");
        Result allowed = cli("run", "writer", "--allow-write");
        assertEquals(0, allowed.code(), allowed.err());
        assertEquals("ran\n", allowed.out());
        // A small live process to write to (the import is a model: the process is never changed).
        Process sleep = new ProcessBuilder("sleep", "60").start();
        Result reader;
        try {
            reader = cli("run", "reader", "--allow-write", "--pid", Long.toString(sleep.pid()));
        } finally {
            sleep.destroy();
        }
        assertEquals(PagewalkCli.EXIT_SCRIPT, reader.code(), reader.err());
        assertTrue(reader.err().contains("read-only"), "a plugin without \"write\" cannot write: " + reader.err());
    }

    @Test
    void aBrokenManifestOrAnIncompatibleVersionIsOneLine() throws IOException {
        Path dir = plugin("broken", "\"permissions\": []", "");
        Files.writeString(dir.resolve("plugin.json"), "{\"name\": \"broken\"}");
        System.setProperty("pagewalk.home", home.toString());
        Result r = cli("run", "broken");
        assertEquals(PagewalkCli.EXIT_USAGE, r.code());
        assertEquals("pagewalk: " + dir.resolve("plugin.json").toAbsolutePath() + ": field \"version\" is missing", r.err().strip());
        Path future = plugin("future", "\"permissions\": []", "print(1);\n");
        Files.writeString(future.resolve("plugin.json"), Files.readString(future.resolve("plugin.json"))
                .replace(">=0.1.0 <0.2.0", "^1.0.0"));
        Result f = cli("run", "future");
        assertEquals(PagewalkCli.EXIT_USAGE, f.code());
        assertTrue(f.err().contains("plugin future 1.0.0 needs pagewalk ^1.0.0, this is " + Plugin.PAGEWALK_VERSION), f.err());
    }
}
