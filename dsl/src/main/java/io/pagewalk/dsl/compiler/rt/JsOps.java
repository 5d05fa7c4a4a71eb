package io.pagewalk.dsl.compiler.rt;

/** PLACEHOLDER until the rt helper's branch lands (replaced on merge). */
public final class JsOps {
    private JsOps() {}
    public static int toInt32(double d) { if (Double.isNaN(d) || Double.isInfinite(d)) return 0; return (int) (long) (d % 4294967296.0); }
    public static double and(double a, double b) { return toInt32(a) & toInt32(b); }
    public static double or(double a, double b) { return toInt32(a) | toInt32(b); }
    public static double xor(double a, double b) { return toInt32(a) ^ toInt32(b); }
    public static double not(double a) { return ~toInt32(a); }
    public static double shl(double a, double b) { return toInt32(a) << (toInt32(b) & 31); }
    public static double sar(double a, double b) { return toInt32(a) >> (toInt32(b) & 31); }
    public static double shr(double a, double b) { return (toInt32(a) & 0xffffffffL) >>> (toInt32(b) & 31); }
    public static double pow(double a, double b) { return Math.pow(a, b); }
    public static double round(double a) { return Math.floor(a + 0.5); }
    public static double sign(double a) { return Math.signum(a); }
    public static double trunc(double a) { return a < 0 ? Math.ceil(a) : Math.floor(a); }
    public static double bigToNumber(long v) { return v >= 0 ? v : (double) (v >>> 1) * 2.0; }
    public static long numberToBig(double d) { return (long) d; }
    public static long bigAdd(long a, long b) { return a + b; }
    public static long bigSub(long a, long b) { return a - b; }
    public static long bigMul(long a, long b) { return a * b; }
    public static long bigDiv(long a, long b) { return Long.divideUnsigned(a, b); }
    public static long bigMod(long a, long b) { return Long.remainderUnsigned(a, b); }
    public static long bigShl(long a, long b) { return a << b; }
    public static long bigShr(long a, long b) { return b >= 64 ? 0 : a >>> b; }
    public static String numberToString(double d) { return d == (long) d ? Long.toString((long) d) : Double.toString(d); }
}
