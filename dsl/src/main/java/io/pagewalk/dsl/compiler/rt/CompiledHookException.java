package io.pagewalk.dsl.compiler.rt;

/**
 * An error raised in a compiled hook: the JavaScript error class it stands for ("TypeError",
 * "RangeError", or null for an error of the pagewalk API), its message, and the script's file and
 * line where it happened. Its own message is the one line "file:line: message".
 */
public final class CompiledHookException extends RuntimeException {
    private final String kind;
    private final String plainMessage;
    private final String location;

    public CompiledHookException(String kind, String plainMessage, String location, Throwable cause) {
        super((location == null ? "" : location + ": ") + (kind == null ? plainMessage : kind + ": " + plainMessage),
                cause, false, false);
        this.kind = kind;
        this.plainMessage = plainMessage;
        this.location = location;
    }

    /** "TypeError", "RangeError", or null for an API error (a host exception on the GraalJS path). */
    public String kind() {
        return kind;
    }

    public String plainMessage() {
        return plainMessage;
    }

    /** As GraalJS prints the error: "TypeError: message", or the bare message of an API error. */
    public String jsMessage() {
        return kind == null ? plainMessage : kind + ": " + plainMessage;
    }

    /** "file:line" of the compiled hook or helper, or null. */
    public String location() {
        return location;
    }
}
