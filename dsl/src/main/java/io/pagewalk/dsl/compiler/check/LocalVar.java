package io.pagewalk.dsl.compiler.check;

/** A parameter or a let/const/var of a compiled function: one JVM local for its whole life. */
public final class LocalVar {
    public final String name;
    public final boolean isConst;
    public final boolean param;
    /** The join of everything stored in it (null while unknown). */
    Type type;
    /** The JVM slot, assigned by the code generator. */
    public int slot = -1;

    LocalVar(String name, boolean isConst, boolean param) {
        this.name = name;
        this.isConst = isConst;
        this.param = param;
    }

    public Type type() {
        return type;
    }
}
