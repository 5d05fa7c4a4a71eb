package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.testing.TestMm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo's smaps-rollup.js counts as task_mmu.c does: PTE pages, PMD-mapped THPs, shared Pss. */
class SmapsRollupScriptTest {
    @Test
    void countsPagesThpAndSharedPss() throws IOException {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x410000);
        t.page(0x400000);
        long shared = t.page(0x401000);
        t.mm.memMap().setMapcount(shared, 4);
        t.anon(0x600000, 0xa00000);
        t.thp(0x800000);
        String script;
        try (InputStream in = io.pagewalk.dsl.cli.PagewalkCli.class.getResourceAsStream("smaps-rollup.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String json = Scripts.run(t.mm, ScriptSession.Options.defaults(), "smaps-rollup.js", script);
        // Rss: two 4 kB pages + one 2 MiB THP; Pss: the shared page counts a quarter.
        assertEquals("{\"Rss\":2056,\"Pss\":2053,\"Anonymous\":2056,\"kinds\":{\"anon\":2056}}", json);
    }
}
