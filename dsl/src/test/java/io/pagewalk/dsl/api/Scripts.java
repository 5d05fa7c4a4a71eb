package io.pagewalk.dsl.api;

import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.MmStruct;
import org.graalvm.polyglot.Value;

/** Test helper: runs a script text on a model and returns its completion value as a string. */
final class Scripts {
    private Scripts() {}

    static String run(MmStruct mm, ScriptSession.Options options, String name, String text) {
        try (ScriptSession s = new ScriptSession(mm, options)) {
            Value v = s.run(ScriptEngine.shared().snippet(name, text));
            return v.isString() ? v.asString() : v.toString();
        }
    }

    static String run(MmStruct mm, String text) {
        return run(mm, ScriptSession.Options.defaults(), "test.js", text);
    }
}
