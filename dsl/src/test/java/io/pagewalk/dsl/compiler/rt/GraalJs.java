package io.pagewalk.dsl.compiler.rt;

import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.MmStruct;
import org.graalvm.polyglot.Value;

/** Test helper: the reference answers, from a real script session (the GraalJS path). */
final class GraalJs {
    private GraalJs() {}

    /** Runs {@code text} with {@code mm} as the target and returns its completion value as a string. */
    static String run(MmStruct mm, String text) {
        try (ScriptSession s = new ScriptSession(mm, ScriptSession.Options.defaults())) {
            Value v = s.run(ScriptEngine.shared().snippet("ref.js", text));
            return v.isString() ? v.asString() : v.toString();
        }
    }

    /** A JavaScript expression for a Float64Array holding exactly these doubles (-0 and NaNs included). */
    static String doubles(double[] values) {
        StringBuilder b = new StringBuilder("new Float64Array(new BigUint64Array([");
        for (double d : values) {
            b.append(Long.toUnsignedString(Double.doubleToRawLongBits(d))).append("n,");
        }
        return b.append("]).buffer)").toString();
    }

    /** A JavaScript array literal of BigInts 0..2**64-1. */
    static String bigs(long[] values) {
        StringBuilder b = new StringBuilder("[");
        for (long v : values) {
            b.append(Long.toUnsignedString(v)).append("n,");
        }
        return b.append(']').toString();
    }

    /**
     * What a JS catch block prints for an error: "TypeError: m" for JavaScript's errors, the bare
     * message of an API error (a host exception, which GraalJS also makes an instanceof Error).
     */
    static final String ERR = "(e instanceof TypeError || e instanceof RangeError ? String(e) : e.message)";

    /** The same for a JsError. */
    static String err(JsError e) {
        return e.jsMessage();
    }

    /** Equal as Object.is: NaNs equal, -0 and +0 differ. */
    static boolean same(double a, double b) {
        return Double.isNaN(a) ? Double.isNaN(b) : Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }
}
