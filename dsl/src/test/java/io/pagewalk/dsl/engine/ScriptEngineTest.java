package io.pagewalk.dsl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ScriptEngineTest {
    /** surefire runs with the JVMCI flags and target/jvmci: GraalJS must be compiling, not interpreting. */
    @Test
    void optimizingRuntimeIsEnabledUnderSurefire() {
        ScriptEngine e = ScriptEngine.shared();
        assertEquals("GraalVM CE", e.implementationName());
        assertEquals(true, e.optimizing());
    }

    @Test
    void sourcesAreParsedOnce() {
        ScriptEngine e = ScriptEngine.shared();
        assertSame(e.snippet("a.js", "1+1"), e.snippet("a.js", "1+1"));
    }
}
