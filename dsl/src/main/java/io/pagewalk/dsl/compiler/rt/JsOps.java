package io.pagewalk.dsl.compiler.rt;

import java.math.BigDecimal;

/**
 * JavaScript operators and Math functions with GraalJS's exact results, for compiled hooks. A JS
 * Number is a Java {@code double}; a JS BigInt is a {@code long} holding an UNSIGNED 64-bit value
 * (compiled code only handles BigInts in [0, 2**64)): a BigInt result outside that range throws a
 * RangeError that names the limit instead of silently wrapping.
 *
 * <p>Where java.lang.Math already agrees with JavaScript (checked against GraalJS in
 * JsOpsTest, -0 and NaN included) there is no method here and generated code calls Math directly:
 * Math.floor, Math.ceil, Math.abs, Math.sqrt, Math.min and Math.max of two doubles (both treat -0
 * as below +0 and propagate NaN, as JS does), Math.signum (= Math.sign: keeps -0 and NaN). The
 * double operators + - * / and % are IEEE 754 in both (Java's % is fmod like JS's). What differs
 * and is here: ToInt32 and the bit operators (Java's (int) cast saturates), the builtin Math.pow
 * (GraalJS multiplies for int exponents; the ** operator is Math.pow), Math.round (Java's rounds to a long
 * and loses -0 and large values), Math.trunc (none in Java), Number::toString (Java's
 * Double.toString formats differently and may print two digits where one is enough: 4.9E-324).
 */
public final class JsOps {
    private JsOps() {}

    static final double TWO_31 = 2147483648.0;
    static final double TWO_32 = 4294967296.0;
    static final double TWO_52 = 4503599627370496.0;
    static final double TWO_53 = 9007199254740992.0;
    static final double TWO_63 = 9223372036854775808.0;
    static final double TWO_64 = 18446744073709551616.0;

    /** Why a BigInt result cannot go on in compiled code; the run can go on without it. */
    public static final String BIG_RANGE = "BigInt result out of the 64-bit range of compiled code (run with --compile=never)";

    // ---------------------------------------------------------------- Number to integer

    /** ECMAScript ToInt32: NaN and infinities are 0, else truncate and wrap modulo 2**32. */
    public static int toInt32(double d) {
        int i = (int) d;
        if (i == d) {
            return i;
        }
        return toInt32Slow(d);
    }

    private static int toInt32Slow(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return 0;
        }
        if (Math.abs(d) < TWO_63) {
            // (long) truncates toward zero exactly here; the low 32 bits are the value modulo 2**32.
            return (int) (long) d;
        }
        // Beyond 2**63 d is an integer and fmod by 2**32 is exact.
        return (int) (long) (d % TWO_32);
    }

    /** ECMAScript ToUint32, as the Number JavaScript sees. */
    public static double toUint32(double d) {
        return toInt32(d) & 0xFFFF_FFFFL;
    }

    // ---------------------------------------------------------------- bit operators on Numbers

    public static double shl(double a, double b) {
        return toInt32(a) << toInt32(b); // Java masks the count with 31 as JS does
    }

    public static double sar(double a, double b) {
        return toInt32(a) >> toInt32(b);
    }

    /** {@code a >>> b}: the result is unsigned. */
    public static double shr(double a, double b) {
        return (toInt32(a) >>> toInt32(b)) & 0xFFFF_FFFFL;
    }

    public static double and(double a, double b) {
        return toInt32(a) & toInt32(b);
    }

    public static double or(double a, double b) {
        return toInt32(a) | toInt32(b);
    }

    public static double xor(double a, double b) {
        return toInt32(a) ^ toInt32(b);
    }

    /** {@code ~a}. */
    public static double not(double a) {
        return ~toInt32(a);
    }

    // ---------------------------------------------------------------- Math

    /**
     * {@code a ** b}: GraalJS's operator is java.lang.Math.pow itself (Java's pow already gives NaN
     * for a NaN exponent and for (+-1) ** (+-Infinity), as JavaScript requires).
     */
    public static double pow(double a, double b) {
        return Math.pow(a, b);
    }

    /**
     * The builtin Math.pow(a, b), which in GraalJS is NOT the ** operator: a positive int exponent
     * is computed by repeated squaring (Math.pow(10, 308) is 1.0000000000000006e+308), and an
     * exponent n + 0.5 of a positive base as a**n * sqrt(a); everything else is java.lang.Math.pow.
     */
    public static double mathPow(double a, double b) {
        int n = (int) b;
        if (b > 0.0) {
            if (n == b) {
                return positivePow(a, n);
            }
            if (n + 0.5 == b && a > 0.0) {
                return positivePow(a, n) * Math.sqrt(a);
            }
        }
        return Math.pow(a, b);
    }

    private static double positivePow(double a, int n) {
        double r = 1.0;
        double sq = a;
        for (int e = n; e > 0; e >>= 1) {
            if ((e & 1) != 0) {
                r *= sq;
            }
            sq *= sq;
        }
        return r;
    }

    /** Math.round: halves toward +Infinity, -0 for -0.5 <= x <= -0, no change for |x| >= 2**52. */
    public static double round(double d) {
        if (!(Math.abs(d) < TWO_52)) {
            return d; // NaN, infinities and values with no fraction bits
        }
        double f = Math.floor(d);
        double r = d - f >= 0.5 ? f + 1.0 : f; // d - f is exact below 2**52, or rounds the right way
        return r == 0.0 && (d < 0.0 || 1.0 / d < 0.0) ? -0.0 : r;
    }

    /** Math.trunc (keeps -0: trunc(-0.5) is -0). */
    public static double trunc(double d) {
        return d < 0.0 ? Math.ceil(d) : Math.floor(d);
    }

    /** Math.sign: the same as Math.signum (-0, NaN kept). */
    public static double sign(double d) {
        return Math.signum(d);
    }

    /** Math.min of two: the same as java.lang.Math.min. */
    public static double min(double a, double b) {
        return Math.min(a, b);
    }

    /** Math.max of two: the same as java.lang.Math.max. */
    public static double max(double a, double b) {
        return Math.max(a, b);
    }

    // ---------------------------------------------------------------- Number <-> BigInt

    /** Number(x) of a BigInt 0..2**64-1: correctly rounded (ties to even), also from 2**63 on. */
    public static double bigToNumber(long u64) {
        if (u64 >= 0) {
            return u64; // the JLS conversion rounds to nearest, ties to even
        }
        // Halve keeping a sticky bit, so that the one rounding happens in the conversion.
        return ((double) ((u64 >>> 1) | (u64 & 1))) * 2.0;
    }

    /** Whether BigInt(d) gives a value compiled code can hold (an integer in [0, 2**64)). */
    public static boolean numberToBigFits(double d) {
        return d == Math.rint(d) && d >= 0.0 && d < TWO_64; // NaN and infinities fail the first test
    }

    /**
     * BigInt(d). A non-integer throws GraalJS's RangeError ("BigInt out of range"); an integer that
     * JavaScript would accept but that is outside [0, 2**64) cannot be held by compiled code and
     * throws a RangeError saying so.
     */
    public static long numberToBig(double d) {
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw JsError.rangeError("BigInt out of range");
        }
        if (d < 0.0 && d != 0.0 || d >= TWO_64) {
            throw JsError.rangeError("BigInt(" + numberToString(d)
                    + ") is out of the 64-bit range of compiled code (run with --compile=never)");
        }
        return d < TWO_63 ? (long) d : (long) (d - TWO_63) + Long.MIN_VALUE;
    }

    /**
     * An unsigned 64-bit address as the Number the API gives a script (Conv.addrToJs): exact below
     * 2**63; above, the API's own rounding, which is exact for page-aligned addresses and makes -1
     * (the top) 2**64. Note: GraalJS keeps an address below 2**63 as a host long, so String() of
     * one at or above 2**53 prints all its digits where a double prints the shortest ones.
     */
    public static double addrToNumber(long addr) {
        if (addr >= 0) {
            return addr;
        }
        return (double) (addr >>> 1) * 2.0 + (addr & 1);
    }

    /**
     * A Java long a host function returns, as the Number compiled code holds: exact for |v| <=
     * 2**53. Beyond, GraalJS keeps the long itself (a "number" whose arithmetic rounds it to the
     * nearest double, as here, but whose String() prints every digit and whose BigInt() and ===
     * see the exact value); a double cannot, so there compiled code and GraalJS may print or
     * compare differently.
     */
    public static double hostLongToNumber(long v) {
        return v;
    }

    /** Whether {@link #hostLongToNumber} is exact: GraalJS and compiled code then agree in every use. */
    public static boolean hostLongIsExact(long v) {
        return v >= -(1L << 53) && v <= (1L << 53);
    }

    // ---------------------------------------------------------------- BigInt (unsigned 64-bit)

    public static long bigAdd(long x, long y) {
        long r = x + y;
        if (Long.compareUnsigned(r, x) < 0) {
            throw bigRange();
        }
        return r;
    }

    public static long bigSub(long x, long y) {
        if (Long.compareUnsigned(x, y) < 0) {
            throw bigRange();
        }
        return x - y;
    }

    public static long bigMul(long x, long y) {
        if (Math.unsignedMultiplyHigh(x, y) != 0) {
            throw bigRange();
        }
        return x * y;
    }

    /** {@code x / y} (BigInt division truncates). */
    public static long bigDiv(long x, long y) {
        if (y == 0) {
            throw JsError.rangeError("Division by zero");
        }
        return Long.divideUnsigned(x, y);
    }

    /** {@code x % y}. */
    public static long bigMod(long x, long y) {
        if (y == 0) {
            throw JsError.rangeError("Remainder of zero division");
        }
        return Long.remainderUnsigned(x, y);
    }

    /** {@code x ** y}. */
    public static long bigPow(long x, long y) {
        long result = 1;
        long base = x;
        long e = y;
        while (e != 0) {
            if ((e & 1) != 0) {
                result = bigMul(result, base);
            }
            e >>>= 1;
            if (e != 0) {
                if (Long.compareUnsigned(base, 0xFFFF_FFFFL) > 0) {
                    // base squared leaves 64 bits, and is needed (e > 0) unless the product is 0 or 1
                    throw bigRange();
                }
                base *= base;
            }
        }
        return result;
    }

    /** {@code x << n}, n an unsigned shift count. */
    public static long bigShl(long x, long n) {
        if (x == 0) {
            return 0;
        }
        if (Long.compareUnsigned(n, 64) >= 0 || (n != 0 && (x >>> (64 - n)) != 0)) {
            throw bigRange();
        }
        return x << n;
    }

    /** {@code x >> n}, n an unsigned shift count: 0 from 64 on. */
    public static long bigShr(long x, long n) {
        return Long.compareUnsigned(n, 64) >= 0 ? 0 : x >>> n;
    }

    /** {@code -x}: only -0n stays in range. */
    public static long bigNeg(long x) {
        if (x != 0) {
            throw bigRange();
        }
        return 0;
    }

    /** {@code ~x} is -x-1, always negative for x >= 0 (write {@code a & ~b} as one operation: {@link #bigAndNot}). */
    public static long bigNot(long x) {
        throw bigRange();
    }

    /** {@code x & ~y}: exact for unsigned operands (~y is negative but the result is not). */
    public static long bigAndNot(long x, long y) {
        return x & ~y;
    }

    /** BigInt.asUintN(64, x) of a value already in [0, 2**64). */
    public static long bigAsUintN64(long x) {
        return x;
    }

    public static String bigToString(long x) {
        return Long.toUnsignedString(x);
    }

    public static boolean bigLt(long x, long y) {
        return Long.compareUnsigned(x, y) < 0;
    }

    public static boolean bigLe(long x, long y) {
        return Long.compareUnsigned(x, y) <= 0;
    }

    public static boolean bigGt(long x, long y) {
        return Long.compareUnsigned(x, y) > 0;
    }

    public static boolean bigGe(long x, long y) {
        return Long.compareUnsigned(x, y) >= 0;
    }

    /** {@code x < d} for a BigInt and a Number (false for NaN). */
    public static boolean bigLtNum(long x, double d) {
        return d == d && cmpBigNum(x, d) < 0;
    }

    public static boolean bigLeNum(long x, double d) {
        return d == d && cmpBigNum(x, d) <= 0;
    }

    public static boolean bigGtNum(long x, double d) {
        return d == d && cmpBigNum(x, d) > 0;
    }

    public static boolean bigGeNum(long x, double d) {
        return d == d && cmpBigNum(x, d) >= 0;
    }

    /** {@code x == d} (loose equality: 1n == 1; {@code ===} of a BigInt and a Number is always false). */
    public static boolean bigEqNum(long x, double d) {
        return d == d && cmpBigNum(x, d) == 0;
    }

    /** The sign of x - d, d not NaN, exactly. */
    private static int cmpBigNum(long x, double d) {
        if (d < 0.0) {
            return 1;
        }
        if (d >= TWO_64) {
            return -1;
        }
        double f = Math.floor(d);
        long fl = f < TWO_63 ? (long) f : (long) (f - TWO_63) + Long.MIN_VALUE;
        int c = Long.compareUnsigned(x, fl);
        if (c != 0) {
            return c;
        }
        return d > f ? -1 : 0;
    }

    static JsError bigRange() {
        return JsError.rangeError(BIG_RANGE);
    }

    // ---------------------------------------------------------------- Number to String

    /** Number::toString(10): the shortest digits that round-trip, in JavaScript's layout. */
    public static String numberToString(double d) {
        if (d != d) {
            return "NaN";
        }
        if (d == 0.0) {
            return "0"; // -0 too
        }
        if (Math.abs(d) < TWO_53 && d == (long) d) {
            return Long.toString((long) d);
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        String s = shortest(Math.abs(d));
        return d < 0 ? "-" + s : s;
    }

    private static String shortest(double x) {
        // JDK 19+ Double.toString gives the shortest digits that round-trip, closest to x, except
        // that where one digit would do it may give two (4.9E-324 for 5e-324): fixed below.
        String j = Double.toString(x);
        int e = j.indexOf('E');
        String mant = e < 0 ? j : j.substring(0, e);
        int exp = e < 0 ? 0 : Integer.parseInt(j.substring(e + 1));
        int dot = mant.indexOf('.');
        String all = mant.substring(0, dot) + mant.substring(dot + 1);
        int lead = 0;
        while (lead < all.length() - 1 && all.charAt(lead) == '0') {
            lead++;
        }
        int end = all.length();
        while (end > lead + 1 && all.charAt(end - 1) == '0') {
            end--;
        }
        String digits = all.substring(lead, end);
        int n = dot - lead + exp; // x = 0.digits * 10**n
        if (digits.length() == 2) {
            String one = oneDigit(x, digits, n);
            if (one != null) {
                digits = one.substring(0, 1);
                n = one.length() > 1 ? n + 1 : n;
            }
        }
        return layout(digits, n);
    }

    /**
     * The one-digit decimal JavaScript prints where Java printed two: the closer of the two
     * one-digit neighbours of 0.d1d2 * 10**n that still round to x (ties: even digit), or null.
     * The result is "d" (same n) or "1+" meaning 0.1 * 10**(n+1).
     */
    private static String oneDigit(double x, String digits, int n) {
        int d1 = digits.charAt(0) - '0';
        BigDecimal exact = new BigDecimal(x);
        BigDecimal down = BigDecimal.valueOf(d1).scaleByPowerOfTen(n - 1);
        BigDecimal up = BigDecimal.valueOf(d1 + 1L).scaleByPowerOfTen(n - 1);
        boolean downOk = d1 > 0 && down.doubleValue() == x;
        boolean upOk = up.doubleValue() == x;
        if (!downOk && !upOk) {
            return null;
        }
        boolean pickUp;
        if (downOk && upOk) {
            int c = exact.subtract(down).compareTo(up.subtract(exact));
            pickUp = c > 0 || (c == 0 && (d1 + 1) % 2 == 0);
        } else {
            pickUp = upOk;
        }
        if (!pickUp) {
            return String.valueOf(d1);
        }
        return d1 + 1 == 10 ? "1+" : String.valueOf(d1 + 1);
    }

    /** ECMAScript Number::toString step 6-12 for digits s (k of them) and exponent n. */
    private static String layout(String s, int n) {
        int k = s.length();
        StringBuilder b = new StringBuilder(k + 8);
        if (k <= n && n <= 21) {
            b.append(s);
            for (int i = 0; i < n - k; i++) {
                b.append('0');
            }
        } else if (0 < n && n <= 21) {
            b.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            b.append("0.");
            for (int i = 0; i < -n; i++) {
                b.append('0');
            }
            b.append(s);
        } else {
            int e = n - 1;
            b.append(s.charAt(0));
            if (k > 1) {
                b.append('.').append(s, 1, k);
            }
            b.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return b.toString();
    }

    /** Java's Double.toString, which the API's own error messages use (Conv via Value.toString). */
    static String javaDouble(double d) {
        return Double.toString(d);
    }
}
