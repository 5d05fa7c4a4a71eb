package io.pagewalk.dsl.compiler.rt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A script array compiled hooks append to ({@code vec.push(x)}): the new elements collect here
 * during the walk, each with its type (Number, BigInt or boolean, mixed as JavaScript allows),
 * and are appended to the script's array when it ends. {@code length} counts both.
 */
public final class StateArray {
    static final byte NUMBER = 0;
    static final byte BIGINT = 1;
    static final byte BOOLEAN = 2;

    private final Env env;
    private final int baseLength;
    private long[] bits = new long[16];
    private byte[] kinds = new byte[16];
    private int size;

    public StateArray(Env env, int baseLength) {
        this.env = env;
        this.baseLength = baseLength;
    }

    /** JavaScript's push: the new length. */
    public double push(double v) {
        return add(Double.doubleToRawLongBits(v), NUMBER);
    }

    public double push(long v) {
        return add(v, BIGINT);
    }

    public double push(boolean v) {
        return add(v ? 1 : 0, BOOLEAN);
    }

    private double add(long v, byte kind) {
        if (size == bits.length) {
            // Growing is where memory goes: a good moment to honour the watchdog.
            env.poll();
            bits = Arrays.copyOf(bits, size * 2);
            kinds = Arrays.copyOf(kinds, size * 2);
        }
        bits[size] = v;
        kinds[size++] = kind;
        return baseLength + size;
    }

    public double length() {
        return baseLength + size;
    }

    /** The elements pushed during the walk. */
    public int added() {
        return size;
    }

    /** The pushed elements' 64 bits (a double's or a BigInt's) and, beside them, their kinds. */
    public ByteBuffer[] buffers() {
        ByteBuffer values = ByteBuffer.allocateDirect(size * 8).order(ByteOrder.nativeOrder());
        values.asLongBuffer().put(bits, 0, size);
        ByteBuffer k = ByteBuffer.allocateDirect(Math.max(size, 1));
        k.put(kinds, 0, size).flip();
        return new ByteBuffer[] {values, k};
    }
}
