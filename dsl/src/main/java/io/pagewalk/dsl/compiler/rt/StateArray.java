package io.pagewalk.dsl.compiler.rt;

import java.util.Arrays;

/**
 * A script array compiled hooks append to ({@code vec.push(x)}): the new elements collect here
 * during the walk and are appended to the script's array when it ends. {@code length} counts both.
 */
public final class StateArray {
    private final Env env;
    private final int baseLength;
    private final boolean bigints;
    private double[] num = new double[16];
    private long[] big = new long[16];
    private int size;

    public StateArray(Env env, int baseLength, boolean bigints) {
        this.env = env;
        this.baseLength = baseLength;
        this.bigints = bigints;
    }

    public boolean holdsBigInts() {
        return bigints;
    }

    /** JavaScript's push: the new length. */
    public double push(double v) {
        if (size == num.length) {
            grow();
        }
        num[size++] = v;
        return baseLength + size;
    }

    public double push(long v) {
        if (size == big.length) {
            grow();
        }
        big[size++] = v;
        return baseLength + size;
    }

    public double length() {
        return baseLength + size;
    }

    /** The elements pushed during the walk. */
    public int added() {
        return size;
    }

    public double number(int i) {
        return num[i];
    }

    public long bigint(int i) {
        return big[i];
    }

    private void grow() {
        // Growing is where memory goes: a good moment to honour the watchdog.
        env.poll();
        if (bigints) {
            big = Arrays.copyOf(big, big.length * 2);
        } else {
            num = Arrays.copyOf(num, num.length * 2);
        }
    }
}
