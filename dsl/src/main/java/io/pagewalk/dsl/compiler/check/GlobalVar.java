package io.pagewalk.dsl.compiler.check;

/**
 * A global of the script (a top-level let/const/var) that compiled code reads or writes. It is a
 * field of the compiled object: loaded from the script when a walk starts, and stored back when it
 * ends if compiled code may have changed it.
 */
public final class GlobalVar {
    public final String name;
    /** Whether the script may assign it (a let or var, not a const). */
    public final boolean assignable;
    Type type;
    boolean assigned;

    public GlobalVar(String name, Type typeOfValue, boolean assignable) {
        this.name = name;
        this.type = typeOfValue;
        this.assignable = assignable;
    }

    public Type type() {
        return type;
    }

    /** Whether compiled code stores into it (then it goes back to the script after the walk). */
    public boolean assigned() {
        return assigned;
    }

    public String field() {
        return "g$" + name;
    }
}
