package io.pagewalk.dsl.compiler.rt;

/**
 * An error compiled code raises where JavaScript would throw: {@code kind} is the JavaScript error
 * class ("TypeError", "RangeError") or null for an error of the pagewalk API (which GraalJS
 * reports with the host's message alone). The compiled hook turns it into one line with the
 * script's file and line.
 */
public final class JsError extends RuntimeException {
    private final String kind;

    private JsError(String kind, String message) {
        // With a stack trace: its frames in compiled code give the script's file and line.
        super(message);
        this.kind = kind;
    }

    public static JsError typeError(String message) {
        return new JsError("TypeError", message);
    }

    public static JsError rangeError(String message) {
        return new JsError("RangeError", message);
    }

    /** An API error (the host's IllegalArgumentException on the GraalJS path). */
    public static JsError error(String message) {
        return new JsError(null, message);
    }

    public String kind() {
        return kind;
    }

    /** As GraalJS prints it: "TypeError: message", or the bare message of an API error. */
    public String jsMessage() {
        return kind == null ? getMessage() : kind + ": " + getMessage();
    }
}
