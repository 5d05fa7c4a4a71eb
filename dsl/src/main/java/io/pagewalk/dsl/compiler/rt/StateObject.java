package io.pagewalk.dsl.compiler.rt;

/**
 * A script object whose fields compiled hooks read and update (a counters object such as
 * smaps' mem_size_stats, passed as walk.private or held in a global). Its fields live here for
 * the walk, one slot per field name of the compilation, and go back to the script object when
 * the walk ends: no crossing into the script engine per update.
 */
public final class StateObject {
    public final double[] num;
    public final long[] big;
    public final boolean[] bool;

    public StateObject(int numbers, int bigints, int booleans) {
        this.num = new double[numbers];
        this.big = new long[bigints];
        this.bool = new boolean[booleans];
    }
}
