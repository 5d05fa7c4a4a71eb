package io.pagewalk.dsl.api;

import java.math.BigInteger;
import org.graalvm.polyglot.Value;

/**
 * Conversions at the script boundary. Entries and bit sets are BigInt (all 64 bits matter);
 * addresses, PFNs and counts are Numbers (page-aligned user addresses, even 57-bit ones, are exact
 * in a double). The top of the address space ({@code ULONG_MAX}) may be written -1, -1n,
 * {@code 2**64-1} (which rounds to 2**64) or {@code 2n**64n-1n}.
 */
public final class Conv {
    private Conv() {}

    private static final double TWO_64 = 18446744073709551616.0;
    private static final double TWO_63 = 9223372036854775808.0;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** An unsigned 64-bit address as a script Number (-1, the top, becomes 2**64). */
    public static Object addrToJs(long addr) {
        if (addr >= 0) {
            return addr;
        }
        return (double) (addr >>> 1) * 2.0 + (addr & 1);
    }

    /** An address or size from a script (Number or BigInt) as an unsigned 64-bit value. */
    public static long addr(Value v, String what) {
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(what + ": an address expected, got " + describe(v));
        }
        if (v.isNumber() && v.fitsInLong()) {
            long l = v.asLong();
            if (l < -1) {
                throw new IllegalArgumentException(what + ": negative address " + l + " (only -1 means the top)");
            }
            return l;
        }
        if (v.isNumber() && v.fitsInDouble()) {
            double d = v.asDouble();
            if (d == TWO_64) {
                return -1L;
            }
            if (d >= TWO_63 && d < TWO_64 && d == Math.rint(d)) {
                return new java.math.BigDecimal(d).toBigInteger().longValue();
            }
            throw new IllegalArgumentException(what + ": " + jsNumber(d) + " is not an address (an integer from 0 to 2**64-1)");
        }
        if (v.fitsInBigInteger()) {
            BigInteger b = v.asBigInteger();
            if (b.equals(BigInteger.ONE.negate())) {
                return -1L;
            }
            if (b.signum() >= 0 && b.compareTo(U64_MAX) <= 0) {
                return b.longValue();
            }
            throw new IllegalArgumentException(what + ": " + b + " is not an address (0 to 2**64-1)");
        }
        throw new IllegalArgumentException(what + ": an address expected, got " + describe(v));
    }

    /** A 64-bit entry or bit set (BigInt, or a non-negative safe-integer Number). */
    public static long bits(Value v, String what) {
        if (v != null && v.fitsInBigInteger()) {
            BigInteger b = v.asBigInteger();
            if (b.bitLength() <= 64 || (b.signum() < 0 && b.bitLength() <= 63)) {
                return b.longValue();
            }
            throw new IllegalArgumentException(what + ": " + b + " does not fit in 64 bits");
        }
        throw new IllegalArgumentException(what + ": a 64-bit entry (BigInt) expected, got " + describe(v));
    }

    /** A small integer (PFN, index, count, flag set) from a Number. */
    public static long number(Value v, String what) {
        if (v != null && v.isNumber() && v.fitsInLong()) {
            return v.asLong();
        }
        if (v != null && v.fitsInBigInteger()) {
            BigInteger b = v.asBigInteger();
            if (b.bitLength() < 64) {
                return b.longValue();
            }
        }
        throw new IllegalArgumentException(what + ": an integer expected, got " + describe(v));
    }

    public static int integer(Value v, String what) {
        long l = number(v, what);
        if (l != (int) l) {
            throw new IllegalArgumentException(what + ": " + l + " is out of range");
        }
        return (int) l;
    }

    /** A Number as JavaScript writes it (2147483648, not Java's 2.147483648E9), -0 kept visible. */
    public static String jsNumber(double d) {
        return d == 0 && Double.doubleToRawLongBits(d) != 0 ? "-0" : io.pagewalk.dsl.compiler.rt.JsOps.numberToString(d);
    }

    public static String describe(Value v) {
        if (v == null || v.isNull()) {
            return v == null ? "nothing" : "null";
        }
        if (v.isString()) {
            return "the string \"" + v.asString() + "\"";
        }
        if (v.isBoolean()) {
            return String.valueOf(v.asBoolean());
        }
        if (v.isNumber()) {
            // As JavaScript writes numbers (2147483648, not Java's 2.147483648E9), -0 kept visible.
            String display = v.toString();
            if (v.fitsInDouble() && !display.endsWith("n")) { // a Number, not a BigInt (12n)
                return "the number " + jsNumber(v.asDouble());
            }
            return "the number " + display;
        }
        if (v.canExecute()) {
            return "a function";
        }
        return "an object";
    }
}
