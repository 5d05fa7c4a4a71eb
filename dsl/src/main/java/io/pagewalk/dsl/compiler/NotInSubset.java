package io.pagewalk.dsl.compiler;

/**
 * Why a hook stays on GraalJS: the first construct outside the compiled subset, and where it is.
 * Not an error of the script: the script runs, just not compiled.
 */
public final class NotInSubset extends Exception {
    private final String source;
    private final int line;
    private final String construct;

    public NotInSubset(String source, int line, String construct) {
        super(source + ":" + line + ": " + construct, null, false, false);
        this.source = source;
        this.line = line;
        this.construct = construct;
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    /** What kept it out, e.g. "a string literal", "a call of print (not a pagewalk helper)". */
    public String construct() {
        return construct;
    }
}
