package io.pagewalk.dsl.compiler.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * JsOps against GraalJS itself: every operation is computed for thousands of edge and random
 * values in one script run and compared element by element (Object.is: -0 is not 0, NaN is NaN).
 */
class JsOpsTest {
    private static final double TWO_31 = 2147483648.0;
    private static final double TWO_32 = 4294967296.0;
    private static final double TWO_53 = 9007199254740992.0;
    private static final double TWO_63 = 9223372036854775808.0;
    private static final double TWO_64 = 18446744073709551616.0;

    static double[] edges() {
        List<Double> v = new ArrayList<>(List.of(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL,
                TWO_31, TWO_31 - 1, TWO_31 + 1, -TWO_31, -TWO_31 - 1, -TWO_31 + 1, TWO_32, TWO_32 - 1, TWO_32 + 1, -TWO_32,
                TWO_53, TWO_53 - 1, TWO_53 + 2, -TWO_53, -TWO_53 - 2, TWO_63, TWO_63 - 1024, TWO_63 + 2048, -TWO_63,
                TWO_64, TWO_64 - 2048, TWO_64 + 4096, -TWO_64, 1e21, 9.999999999999999e20, 1e21 * 1.5, 1e-7, 1e-6, 1.5e-7,
                9.99999e-7, 123e-20, 0.1, 0.2, 0.3, 1.0 / 3, 0.49999999999999994, -0.49999999999999994,
                -0.5000000000000001, 4503599627370495.5, -4503599627370495.5, 4503599627370497.0, 2.5e-323,
                1048576.0, 1048575.5, 3 * 1048576.0 + 17, -1048577.0, 1e300, 1.7976931348623157e308, 255.0, 256.0));
        for (int k = -10; k <= 10; k++) {
            v.add(k + 0.5);
            v.add((double) k);
            v.add(k + 0.25);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    static double[] sample(long seed, int n) {
        Random r = new Random(seed);
        double[] e = edges();
        double[] out = new double[e.length + n * 5 + 2000];
        System.arraycopy(e, 0, out, 0, e.length);
        int i = e.length;
        for (int k = 0; k < n; k++) {
            out[i++] = Double.longBitsToDouble(r.nextLong());
            out[i++] = (r.nextLong() >> r.nextInt(64)) * (r.nextBoolean() ? 1.0 : 0.25);
            out[i++] = (r.nextInt(2_000_001) - 1_000_000) / 2.0;
            out[i++] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(60) - 30);
            out[i++] = (r.nextInt(99) + 1) * Math.pow(10, r.nextInt(640) - 330);
        }
        for (int k = 1; k <= 2000; k++) {
            out[i++] = k * Double.MIN_VALUE; // subnormals, where Java prints two digits and JS one
        }
        return out;
    }

    private record Unary(String js, DoubleUnaryOperator java) {}

    @Test
    void unaryOperationsAndMathMatchGraalJs() {
        List<Unary> ops = List.of(
                new Unary("x | 0", x -> JsOps.toInt32(x)),
                new Unary("x >>> 0", JsOps::toUint32),
                new Unary("~x", JsOps::not),
                new Unary("Math.round(x)", JsOps::round),
                new Unary("Math.trunc(x)", JsOps::trunc),
                new Unary("Math.sign(x)", JsOps::sign),
                new Unary("Math.sign(x)", Math::signum),
                new Unary("Math.floor(x)", Math::floor),
                new Unary("Math.ceil(x)", Math::ceil),
                new Unary("Math.abs(x)", Math::abs),
                new Unary("Math.sqrt(x)", Math::sqrt),
                new Unary("-x", x -> -x),
                new Unary("MAJOR(x)", Intrinsics::MAJOR),
                new Unary("MINOR(x)", Intrinsics::MINOR));
        double[] xs = sample(1, 3000);
        StringBuilder js = new StringBuilder("const X = ").append(GraalJs.doubles(xs)).append(";\n")
                .append("const K = ").append(ops.size()).append(", R = new Float64Array(X.length * K);\n")
                .append("for (let i = 0; i < X.length; i++) { const x = X[i];\n");
        for (int k = 0; k < ops.size(); k++) {
            js.append("  R[i * K + ").append(k).append("] = ").append(ops.get(k).js()).append(";\n");
        }
        js.append("}\nArray.from(new BigUint64Array(R.buffer)).join(',');");
        String[] got = GraalJs.run(null, js.toString()).split(",");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            for (int k = 0; k < ops.size(); k++) {
                double want = Double.longBitsToDouble(Long.parseUnsignedLong(got[i * ops.size() + k]));
                double have = ops.get(k).java().applyAsDouble(xs[i]);
                if (!GraalJs.same(want, have) && bad.size() < 20) {
                    bad.add(ops.get(k).js() + " x=" + xs[i] + ": js " + want + " java " + have);
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    private record Binary(String js, DoubleBinaryOperator java) {}

    @Test
    void binaryOperationsMatchGraalJs() {
        List<Binary> ops = List.of(
                new Binary("a << b", JsOps::shl),
                new Binary("a >> b", JsOps::sar),
                new Binary("a >>> b", JsOps::shr),
                new Binary("a & b", JsOps::and),
                new Binary("a | b", JsOps::or),
                new Binary("a ^ b", JsOps::xor),
                new Binary("a ** b", JsOps::pow),
                new Binary("Math.pow(a, b)", JsOps::mathPow),
                new Binary("Math.min(a, b)", JsOps::min),
                new Binary("Math.max(a, b)", JsOps::max),
                new Binary("a % b", (a, b) -> a % b),
                new Binary("a / b", (a, b) -> a / b));
        double[] e = edges();
        Random r = new Random(2);
        List<double[]> pairs = new ArrayList<>();
        for (double a : e) {
            for (double b : e) {
                pairs.add(new double[] {a, b});
            }
        }
        double[] s = sample(3, 1000);
        for (int k = 0; k < 6000; k++) {
            pairs.add(new double[] {s[r.nextInt(s.length)], s[r.nextInt(s.length)]});
            // powers: moderate bases, int, half-int and fractional exponents (GraalJS's Math.pow multiplies for ints)
            double base = (r.nextDouble() - 0.5) * 20;
            pairs.add(new double[] {base, r.nextInt(700) - 200});
            pairs.add(new double[] {Math.abs(base), r.nextInt(60) + 0.5});
            pairs.add(new double[] {base, (r.nextDouble() - 0.5) * 10});
            pairs.add(new double[] {r.nextInt(20) - 10, r.nextInt(70)});
            pairs.add(new double[] {s[r.nextInt(s.length)], r.nextInt(80) - 8});
        }
        double[] as = new double[pairs.size()];
        double[] bs = new double[pairs.size()];
        for (int i = 0; i < as.length; i++) {
            as[i] = pairs.get(i)[0];
            bs[i] = pairs.get(i)[1];
        }
        StringBuilder js = new StringBuilder("const A = ").append(GraalJs.doubles(as)).append(", B = ")
                .append(GraalJs.doubles(bs)).append(";\nconst K = ").append(ops.size())
                .append(", R = new Float64Array(A.length * K);\nfor (let i = 0; i < A.length; i++) { const a = A[i], b = B[i];\n");
        for (int k = 0; k < ops.size(); k++) {
            js.append("  R[i * K + ").append(k).append("] = ").append(ops.get(k).js()).append(";\n");
        }
        js.append("}\nArray.from(new BigUint64Array(R.buffer)).join(',');");
        String[] got = GraalJs.run(null, js.toString()).split(",");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < as.length; i++) {
            for (int k = 0; k < ops.size(); k++) {
                double want = Double.longBitsToDouble(Long.parseUnsignedLong(got[i * ops.size() + k]));
                double have = ops.get(k).java().applyAsDouble(as[i], bs[i]);
                if (!GraalJs.same(want, have) && bad.size() < 20) {
                    bad.add(ops.get(k).js() + " a=" + as[i] + " b=" + bs[i] + ": js " + want + " java " + have);
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void numberToStringIsJavaScriptsToString() {
        double[] xs = sample(4, 8000);
        String js = "const X = " + GraalJs.doubles(xs) + ";\nArray.from(X, x => String(x)).join('\\n');";
        String[] got = GraalJs.run(null, js).split("\n");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            String have = JsOps.numberToString(xs[i]);
            if (!got[i].equals(have) && bad.size() < 20) {
                bad.add(Double.toString(xs[i]) + ": js " + got[i] + " java " + have);
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void bigIntOfANumberAndNumberOfABigInt() {
        double[] xs = sample(5, 2000);
        String js = "const X = " + GraalJs.doubles(xs) + ";\nArray.from(X, x => { try { return String(BigInt(x)); } catch (e) { return "
                + GraalJs.ERR + "; } }).join('\\n');";
        String[] got = GraalJs.run(null, js).split("\n");
        List<String> bad = new ArrayList<>();
        java.math.BigInteger two64 = java.math.BigInteger.ONE.shiftLeft(64);
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            String have;
            try {
                have = Long.toUnsignedString(JsOps.numberToBig(x));
                if (!JsOps.numberToBigFits(x)) {
                    have = "fits disagrees";
                }
            } catch (JsError e) {
                have = e.jsMessage();
                if (JsOps.numberToBigFits(x)) {
                    have = "fits disagrees";
                }
            }
            String want = got[i];
            if (!want.startsWith("RangeError")) {
                java.math.BigInteger b = new java.math.BigInteger(want);
                if (b.signum() < 0 || b.compareTo(two64) >= 0) {
                    // JavaScript has it; compiled code cannot hold it and says so.
                    want = "RangeError: BigInt(" + JsOps.numberToString(x)
                            + ") is out of the 64-bit range of compiled code (run with --compile=never)";
                }
            }
            if (!want.equals(have) && bad.size() < 20) {
                bad.add(x + ": js " + got[i] + " java " + have);
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));

        Random r = new Random(6);
        long[] us = new long[4000];
        long[] edge = {0, 1, (1L << 53) + 1, (1L << 53) + 3, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1024,
            Long.MIN_VALUE + 1025, Long.MIN_VALUE + 3072, -1, -1024, -1025, -2048, -3072};
        System.arraycopy(edge, 0, us, 0, edge.length);
        for (int i = edge.length; i < us.length; i++) {
            us[i] = r.nextLong() >>> r.nextInt(64);
        }
        String js2 = "const X = " + GraalJs.bigs(us) + ";\nArray.from(new BigUint64Array(new Float64Array(X.map(Number)).buffer)).join(',');";
        String[] nums = GraalJs.run(null, js2).split(",");
        for (int i = 0; i < us.length; i++) {
            assertEquals(Long.parseUnsignedLong(nums[i]), Double.doubleToRawLongBits(JsOps.bigToNumber(us[i])),
                    "Number(" + Long.toUnsignedString(us[i]) + "n)");
        }
    }

    private interface BigOp {
        long apply(long x, long y);
    }

    private record Big(String js, BigOp java) {}

    @Test
    void bigIntArithmeticIsExactOrARangeError() {
        List<Big> ops = List.of(new Big("x + y", JsOps::bigAdd), new Big("x - y", JsOps::bigSub),
                new Big("x * y", JsOps::bigMul), new Big("x / y", JsOps::bigDiv), new Big("x % y", JsOps::bigMod),
                new Big("x ** y", JsOps::bigPow), new Big("x << y", JsOps::bigShl), new Big("x >> y", JsOps::bigShr),
                new Big("x & ~y", JsOps::bigAndNot), new Big("BigInt.asUintN(64, x)", (x, y) -> JsOps.bigAsUintN64(x)),
                new Big("-x", (x, y) -> JsOps.bigNeg(x)), new Big("~x", (x, y) -> JsOps.bigNot(x)));
        Random r = new Random(7);
        List<long[]> pairs = new ArrayList<>();
        long[] edge = {0, 1, 2, 3, 63, 64, 65, 0xFFFF_FFFFL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1};
        for (long a : edge) {
            for (long b : edge) {
                pairs.add(new long[] {a, b});
            }
        }
        for (int k = 0; k < 3000; k++) {
            long a = r.nextLong() >>> r.nextInt(64);
            long b = r.nextLong() >>> r.nextInt(64);
            pairs.add(new long[] {a, b});
            pairs.add(new long[] {a, r.nextInt(80)});
            pairs.add(new long[] {r.nextInt(40), r.nextInt(70)});
        }
        long[] xs = new long[pairs.size()];
        long[] ys = new long[pairs.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = pairs.get(i)[0];
            ys[i] = pairs.get(i)[1];
        }
        StringBuilder js = new StringBuilder("const X = ").append(GraalJs.bigs(xs)).append(", Y = ").append(GraalJs.bigs(ys))
                .append(";\nconst out = [];\nconst M = 2n ** 64n;\nconst f = (g) => { try { const r = g(); return r >= 0n && r < M ? String(r) : 'R'; } catch (e) { return ")
                .append(GraalJs.ERR).append("; } };\nfor (let i = 0; i < X.length; i++) { const x = X[i], y = Y[i];\n");
        for (Big op : ops) {
            // a huge exponent or shift count: GraalJS gives up with its own RangeError, compiled code with the range one
            String guard = op.js().contains("**") ? "y > 4096n && x > 1n ? 'R' : " : op.js().contains("<<") ? "y > 4096n && x !== 0n ? 'R' : " : "";
            js.append("  out.push(").append(guard).append("f(() => ").append(op.js()).append("));\n");
        }
        js.append("}\nout.join('\\n');");
        String[] got = GraalJs.run(null, js.toString()).split("\n");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            for (int k = 0; k < ops.size(); k++) {
                String have;
                try {
                    have = Long.toUnsignedString(ops.get(k).java().apply(xs[i], ys[i]));
                } catch (JsError e) {
                    have = e.getMessage().equals(JsOps.BIG_RANGE) ? "R" : e.jsMessage();
                }
                String want = got[i * ops.size() + k];
                if (!want.equals(have) && bad.size() < 20) {
                    bad.add(ops.get(k).js() + " x=" + Long.toUnsignedString(xs[i]) + " y=" + Long.toUnsignedString(ys[i])
                            + ": js " + want + " java " + have);
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void bigIntNumberComparisonsAreExact() {
        Random r = new Random(8);
        int n = 4000;
        long[] xs = new long[n];
        double[] ds = new double[n];
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, -1, 0.5, TWO_64, TWO_63};
        for (int i = 0; i < n; i++) {
            long x = r.nextLong() >>> r.nextInt(64);
            xs[i] = x;
            double d = JsOps.bigToNumber(x);
            ds[i] = switch (i % 5) {
                case 0 -> d;
                case 1 -> Math.nextUp(d);
                case 2 -> Math.nextDown(d);
                case 3 -> d + 0.5;
                default -> special[r.nextInt(special.length)];
            };
        }
        String js = "const X = " + GraalJs.bigs(xs) + ", D = " + GraalJs.doubles(ds)
                + ";\nconst out = [];\nfor (let i = 0; i < X.length; i++) { const x = X[i], d = D[i];\n"
                + "  out.push([x < d, x <= d, x > d, x >= d, x == d, d < x, d > x].join(' '));\n}\nout.join('\\n');";
        String[] got = GraalJs.run(null, js).split("\n");
        for (int i = 0; i < n; i++) {
            long x = xs[i];
            double d = ds[i];
            String have = JsOps.bigLtNum(x, d) + " " + JsOps.bigLeNum(x, d) + " " + JsOps.bigGtNum(x, d) + " "
                    + JsOps.bigGeNum(x, d) + " " + JsOps.bigEqNum(x, d) + " " + JsOps.bigGtNum(x, d) + " " + JsOps.bigLtNum(x, d);
            assertEquals(got[i], have, Long.toUnsignedString(x) + "n vs " + d);
        }
    }

    @Test
    void hostLongsBeyondTwoToThe53AreExactLongsInGraalJs() {
        // What the API's host longs look like to a script: arithmetic rounds them to the nearest
        // double (as hostLongToNumber does), but String() prints the long's own digits. Compiled
        // code holds a double, so the two agree in String() only where hostLongIsExact says so.
        org.graalvm.polyglot.Context c = org.graalvm.polyglot.Context.newBuilder("js").build();
        try (c) {
            long[] vs = {(1L << 53) + 1, (1L << 56), Long.MAX_VALUE, -(1L << 53) - 3, 12345, -(1L << 53)};
            for (long v : vs) {
                org.graalvm.polyglot.Value f = c.eval("js", "(x) => [String(x), String(x + 0), String(x * 1)].join(' ')");
                String[] s = f.execute(v).asString().split(" ");
                assertEquals(Long.toString(v), s[0], "String() of a host long");
                assertEquals(JsOps.numberToString(JsOps.hostLongToNumber(v)), s[1], "arithmetic on a host long");
                assertEquals(JsOps.numberToString(JsOps.hostLongToNumber(v)), s[2]);
                assertEquals(JsOps.hostLongIsExact(v), s[0].equals(s[1]), "exact " + v);
            }
        }
    }

    @Test
    void rangeErrorsNameTheLimit() {
        JsError e = assertThrows(JsError.class, () -> JsOps.bigSub(1, 2));
        assertEquals("RangeError", e.kind());
        assertEquals("RangeError: " + JsOps.BIG_RANGE, e.jsMessage());
        assertEquals("RangeError: Division by zero", assertThrows(JsError.class, () -> JsOps.bigDiv(1, 0)).jsMessage());
        assertEquals("RangeError: BigInt(-1) is out of the 64-bit range of compiled code (run with --compile=never)",
                assertThrows(JsError.class, () -> JsOps.numberToBig(-1)).jsMessage());
        assertEquals(-2048L, JsOps.numberToBig(TWO_64 - 2048));
        assertEquals(Long.MIN_VALUE, JsOps.numberToBig(TWO_63));
    }

    @Test
    void addressesBecomeTheNumbersTheApiGivesScripts() {
        Random r = new Random(9);
        List<Long> as = new ArrayList<>(List.of(0L, -1L, 1L << 47, (1L << 56) - 4096, Long.MAX_VALUE, Long.MIN_VALUE, -4096L));
        for (int i = 0; i < 5000; i++) {
            as.add(r.nextLong() >>> r.nextInt(64));
            as.add(r.nextLong() & ~0xFFFL);
        }
        for (long a : as) {
            // Conv.addrToJs gives a host long below 2**63, which JS arithmetic rounds like (double).
            double api = ((Number) io.pagewalk.dsl.api.Conv.addrToJs(a)).doubleValue();
            assertTrue(GraalJs.same(api, JsOps.addrToNumber(a)), Long.toUnsignedString(a));
        }
        assertEquals(TWO_64, JsOps.addrToNumber(-1L));
    }
}
