package io.pagewalk.dsl.compiler.rt;

/** An error raised in a compiled hook, already one line: "file:line: message". */
public final class CompiledHookException extends RuntimeException {
    public CompiledHookException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
