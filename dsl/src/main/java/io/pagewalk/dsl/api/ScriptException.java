package io.pagewalk.dsl.api;

/**
 * A script run that failed, with ONE line for the user: where ({@code file:line}) and what. The
 * kind lets the CLI choose its exit code.
 */
public final class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Syntax error, exception thrown by the script, bad argument to the API. */
        ERROR,
        /** Stopped by the --timeout watchdog. */
        TIMEOUT,
        /** Stopped because the heap ran low. */
        MEMORY
    }

    private final Kind kind;

    public ScriptException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
