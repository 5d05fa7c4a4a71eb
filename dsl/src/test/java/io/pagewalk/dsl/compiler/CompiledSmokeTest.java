package io.pagewalk.dsl.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.mm.MmStruct;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

class CompiledSmokeTest {
    static String run(MmStruct mm, CompileMode mode, String text, StringBuilder explain) {
        try (ScriptSession s = new ScriptSession(mm, ScriptSession.Options.defaults().withCompile(mode))) {
            Value v = s.run(ScriptEngine.shared().snippet("smoke.js", text));
            if (explain != null) {
                s.compileExplanations().forEach(l -> explain.append(l).append('\n'));
            }
            return v.isString() ? v.asString() : v.toString();
        }
    }

    @Test
    void smaps_like() {
        SyntheticProcess p = new SyntheticProcess(io.pagewalk.runtime.builder.SyntheticConfig.defaults());
        long a = p.mmap(0, 64 << 12, SyntheticProcess.PROT_READ | SyntheticProcess.PROT_WRITE,
                SyntheticProcess.MAP_PRIVATE | SyntheticProcess.MAP_ANONYMOUS, null, 0);
        p.touch(a, 32 << 12, true);
        String script = """
                const st = { n: 0, pss: 0, flagsOr: 0n };
                let lastAddr = -1;
                function acc(s, pfn, d) {
                    const m = page_mapcount(pfn);
                    s.pss += m >= 2 ? Math.floor(4096 / m) : 4096;
                    if (d) s.n++;
                }
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        if (!pte_present(pte)) return 0;
                        const pfn = vm_normal_page(walk.vma, addr, pte);
                        if (pfn < 0) return 0;
                        st.flagsOr |= page_flags(pfn);
                        acc(st, pfn, pte_dirty(pte));
                        lastAddr = addr;
                        for (let i = 0; i < 3; i++) { st.pss += i; }
                        return 0;
                    },
                };
                for (const v of mm.vmas) walk_page_vma(v, ops, null);
                JSON.stringify([st.n, st.pss, st.flagsOr.toString(16), lastAddr]);
                """;
        StringBuilder ex = new StringBuilder();
        String compiled = run(p.mm(), CompileMode.ALWAYS, script, ex);
        String graal = run(p.mm(), CompileMode.NEVER, script, null);
        System.out.println(ex + compiled);
        assertEquals(graal, compiled);
    }
}
