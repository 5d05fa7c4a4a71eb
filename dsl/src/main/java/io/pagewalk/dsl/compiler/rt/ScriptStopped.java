package io.pagewalk.dsl.compiler.rt;

/** Thrown out of compiled code when the watchdog stopped the run (timeout or memory). */
public final class ScriptStopped extends RuntimeException {
    public ScriptStopped(String message) {
        super(message, null, false, false);
    }
}
