package io.pagewalk.dsl.api;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;

/** Turns what a script run threw into ONE line: {@code file:line: message}. */
final class ScriptErrors {
    private ScriptErrors() {}

    static ScriptException translate(PolyglotException e, Source script, Watchdog dog) {
        return translate(e, script, dog, null);
    }

    /**
     * @param compiled the last error of a compiled hook in this run, or null: when the script
     *     did not catch it, the line is the hook's own (GraalJS would name the hook's line too,
     *     when the hook is in the main script)
     */
    static ScriptException translate(PolyglotException e, Source script, Watchdog dog,
            io.pagewalk.dsl.compiler.rt.CompiledHookException compiled) {
        String name = script.getName();
        if (dog != null && dog.reason() == Watchdog.Reason.TIMEOUT) {
            return new ScriptException(ScriptException.Kind.TIMEOUT, name + ": stopped after the timeout of "
                    + dog.timeout().toSeconds() + " s" + where(e, script, " (at line ", ")"));
        }
        if ((dog != null && dog.reason() == Watchdog.Reason.MEMORY) || e.isResourceExhausted()
                || (e.isHostException() && e.asHostException() instanceof OutOfMemoryError)) {
            return new ScriptException(ScriptException.Kind.MEMORY, name + ": stopped: the script used too much memory"
                    + (dog != null ? " (limit " + (dog.memoryLimit() >> 20) + " MiB of heap)" : ""));
        }
        if (e.isCancelled() || e.isInterrupted()) {
            return new ScriptException(ScriptException.Kind.TIMEOUT, name + ": stopped (cancelled)");
        }
        if (e.isHostException() && e.asHostException() instanceof io.pagewalk.dsl.compiler.rt.CompiledHookException c) {
            // Already one line with the hook's own file and line.
            return new ScriptException(ScriptException.Kind.ERROR, c.getMessage());
        }
        String message = e.getMessage();
        if (e.isHostException()) {
            Throwable h = e.asHostException();
            message = h.getMessage() == null ? h.getClass().getSimpleName() : h.getMessage();
        }
        if (message == null || message.isBlank()) {
            message = "error";
        }
        message = message.replace('\n', ' ').strip();
        if (compiled != null && compiled.location() != null && message.equals(compiled.jsMessage())) {
            return new ScriptException(ScriptException.Kind.ERROR, compiled.location() + ": " + message);
        }
        if (e.isSyntaxError()) {
            SourceSection s = e.getSourceLocation();
            String loc = s != null ? name + ":" + s.getStartLine() : name;
            return new ScriptException(ScriptException.Kind.ERROR, loc + ": " + message);
        }
        return new ScriptException(ScriptException.Kind.ERROR, name + where(e, script, ":", "") + ": " + message);
    }

    /** The line of the innermost frame in the user's script (hooks included). */
    private static String where(PolyglotException e, Source script, String before, String after) {
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            SourceSection s = f.getSourceLocation();
            if (f.isGuestFrame() && s != null && s.getSource().equals(script)) {
                return before + s.getStartLine() + after;
            }
        }
        SourceSection s = e.getSourceLocation();
        if (s != null && s.getSource().equals(script)) {
            return before + s.getStartLine() + after;
        }
        return "";
    }
}
