package io.pagewalk.dsl.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;

/**
 * The one GraalJS {@link Engine} of the process (compiled code is shared between the contexts of
 * all runs) and a cache of parsed sources. The engine is built with the same sandbox policy as
 * the contexts, which GraalJS requires.
 */
public final class ScriptEngine {
    private static volatile ScriptEngine shared;

    private final Engine engine;
    private final Map<Path, CachedSource> files = new ConcurrentHashMap<>();
    private final Map<String, Source> snippets = new ConcurrentHashMap<>();

    private record CachedSource(FileTime modified, long size, Source source) {}

    private ScriptEngine() {
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(ConsoleStream.stdout())
                .err(ConsoleStream.stderr())
                // The CLI says once, in its own words, when the compiler is missing.
                .option("engine.WarnInterpreterOnly", "false")
                .build();
    }

    public static ScriptEngine shared() {
        ScriptEngine e = shared;
        if (e == null) {
            synchronized (ScriptEngine.class) {
                e = shared;
                if (e == null) {
                    e = new ScriptEngine();
                    shared = e;
                }
            }
        }
        return e;
    }

    public Engine engine() {
        return engine;
    }

    /** "GraalVM CE" with the optimizing runtime, "Interpreted" without. */
    public String implementationName() {
        return engine.getImplementationName();
    }

    /** Whether GraalJS compiles hot scripts (JVMCI and the Graal compiler jars were found). */
    public boolean optimizing() {
        return !"Interpreted".equals(engine.getImplementationName());
    }

    /** The script file, parsed once per content version. */
    public Source fileSource(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        FileTime modified = Files.getLastModifiedTime(key);
        long size = Files.size(key);
        CachedSource c = files.get(key);
        if (c != null && c.modified.equals(modified) && c.size == size) {
            return c.source;
        }
        String text = Files.readString(key);
        Source source = Source.newBuilder("js", text, file.getFileName().toString()).build();
        files.put(key, new CachedSource(modified, size, source));
        return source;
    }

    /** An in-memory script (tests, built-in scripts), cached by name and text. */
    public Source snippet(String name, String text) {
        return snippets.computeIfAbsent(name + '\0' + text,
                k -> Source.newBuilder("js", text, name).buildLiteral());
    }
}
