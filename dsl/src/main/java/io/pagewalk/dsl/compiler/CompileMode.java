package io.pagewalk.dsl.compiler;

/** Which engine runs the hooks: compiled when they fall in the subset (AUTO), always, or never. */
public enum CompileMode {
    /** Compile the hooks of a walk when all of them fall in the subset; GraalJS otherwise. */
    AUTO,
    /** Compile, or stop the run with the construct that keeps a hook out (for tests and benchmarks). */
    ALWAYS,
    /** GraalJS only (the reference the compiled path is checked against). */
    NEVER;

    public static CompileMode parse(String s) {
        return switch (s) {
            case "auto" -> AUTO;
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("--compile must be auto, always or never, got " + s);
        };
    }
}
