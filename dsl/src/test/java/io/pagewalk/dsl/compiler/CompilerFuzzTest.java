package io.pagewalk.dsl.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the hook compiler: random programs inside the compiled subset
 * ({@link HookProgramGenerator}) run as hooks over random 64-bit entries (NX and high bits set,
 * swap entries, real pages) with {@code --compile=always} and {@code --compile=never}, and must
 * print exactly the same digest of everything they computed. The one accepted difference is the
 * documented one: a BigInt leaving 0..2^64-1 stops compiled code with a RangeError, and then
 * GraalJS must really have gone out of range (an instrumented GraalJS run counts it).
 *
 * <p>-Dpagewalk.compilerfuzz.programs=N runs more programs, -Dpagewalk.compilerfuzz.seed=S
 * starts elsewhere (a failure prints its seed and program).
 */
class CompilerFuzzTest {
    private static final String REFUSED = "--compile=always, but";
    private static final String OVERFLOW = "out of the 64-bit range of compiled code";
    private static final String HOST_ERROR = io.pagewalk.dsl.compiler.rt.CompiledHookException.class.getName() + ": ";
    private static final Pattern WHERE = Pattern.compile("[\\w.-]+\\.js:\\d+: ");

    /** A random model: 16 PTEs of random values beside real pages and swap entries, and random PMDs. */
    static TestMm model(long seed) {
        Random r = new Random(seed);
        TestMm t = new TestMm();
        long a = 0x400000;
        t.anon(a, a + 16 * 4096L);
        for (int i = 0; i < 16; i++) {
            long addr = a + i * 4096L;
            switch (r.nextInt(8)) {
                case 0 -> { } // pte_none
                case 1, 2 -> t.page(addr);
                case 3 -> PageTables.setPte(t.mm, addr, r.nextLong());
                case 4 -> PageTables.setPte(t.mm, addr, r.nextLong() | Pgtable._PAGE_NX);
                case 5 -> {
                    long pfn = t.page(addr);
                    // a real page with NX and random high (software and protection-key) bits
                    PageTables.setPte(t.mm, addr, Pgtable.pfn_pte(pfn, TestMm.PROT_RW) | (r.nextLong() & 0xfff0_0000_0000_0000L));
                }
                case 6 -> PageTables.setPte(t.mm, addr, Swapops.swp_entry_to_pte(Swapops.swp_entry(r.nextInt(4), r.nextInt(1 << 20))));
                default -> PageTables.setPte(t.mm, addr, r.nextLong() & 0x8000_0000_ffff_ffffL | 1);
            }
        }
        // PMD entries of random value: walked by pmd_entry only (no lower hook, no descent).
        t.anon(0x40000000L, 0x40800000L);
        for (int i = 0; i < 3; i++) {
            PageTables.set(t.mm, 0x40000000L + i * 0x200000L, PagingGeometry.PMD, r.nextLong() | (i == 0 ? Pgtable._PAGE_NX : 0));
        }
        // hugetlb: a real 2 MiB page, and a random entry with PSE and present set
        t.hugetlb(0x80000000L, 0x80400000L, 21);
        t.hugetlbPage(0x80000000L, 21);
        PageTables.set(t.mm, 0x80200000L, PagingGeometry.PMD, r.nextLong() | Pgtable._PAGE_PSE | Pgtable._PAGE_PRESENT);
        return t;
    }

    /** What a run gave: the script's value, or the one-line error it stopped with. */
    record Outcome(String value, String error) {
        String normalized() {
            // A script that catches a compiled hook's error sees the host exception (its class
            // name and "file:line: " before the message): compared by the message itself.
            return error != null ? "error " + WHERE.matcher(error).replaceFirst("")
                    : WHERE.matcher(value.replace(HOST_ERROR, "")).replaceAll("");
        }
    }

    static Outcome run(long seed, CompileMode mode, String name, String text) {
        try (ScriptSession s = new ScriptSession(model(seed).mm, ScriptSession.Options.defaults().withCompile(mode))) {
            Value v = s.run(ScriptEngine.shared().snippet(name, text));
            return new Outcome(v.isString() ? v.asString() : v.toString(), null);
        } catch (ScriptException | IllegalArgumentException e) {
            return new Outcome(null, e.getMessage());
        }
    }

    /** Counts of one fuzz run. */
    static final class Tally {
        int programs;
        int same;
        int refused;
        int overflow;
        int constantOverflow;
        long graalNanos;
        long compiledNanos;
        int errors;
        final List<String> refusals = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
    }

    static void check(long seed, Tally tally) {
        HookProgramGenerator.Program p = HookProgramGenerator.generate(seed);
        String name = "fuzz" + seed + ".js";
        long t0 = System.nanoTime();
        Outcome graal = run(seed, CompileMode.NEVER, name, p.text());
        long t1 = System.nanoTime();
        Outcome compiled = run(seed, CompileMode.ALWAYS, name, p.text());
        tally.graalNanos += t1 - t0;
        tally.compiledNanos += System.nanoTime() - t1;
        tally.programs++;
        if (compiled.error != null && compiled.error.contains(REFUSED) || compiled.value != null && compiled.value.contains(REFUSED)) {
            String why = compiled.error != null ? compiled.error : compiled.value;
            if (why.contains("a BigInt constant outside 0..2**64-1")) {
                // A constant expression out of range: refused at compile time (it would be the RangeError).
                tally.constantOverflow++;
                return;
            }
            tally.refused++;
            tally.refusals.add("seed " + seed + ": " + why);
            failure(p, "refused", graal, compiled); // (written out, not counted as a failure)
            return;
        }
        if (compiled.value != null && compiled.value.contains(OVERFLOW)) {
            // Accepted only when GraalJS really computed a BigInt outside 0..2^64-1.
            Outcome checked = run(seed, CompileMode.NEVER, name, p.instrumented());
            if (checked.value != null && !checked.value.startsWith("{\"ovf\":0,")) {
                tally.overflow++;
                return;
            }
            tally.failures.add(failure(p, "compiled overflowed, GraalJS stayed in range", graal, compiled));
            return;
        }
        if (graal.error != null || graal.value.contains("\"err\":\"")) {
            tally.errors++;
        }
        if (graal.normalized().equals(compiled.normalized())) {
            tally.same++;
        } else {
            tally.failures.add(failure(p, "different results", graal, compiled));
        }
    }

    static String failure(HookProgramGenerator.Program p, String what, Outcome graal, Outcome compiled) {
        try {
            // The failing program beside the surefire reports, to run again by hand.
            java.nio.file.Path dir = java.nio.file.Path.of("target", "compilerfuzz");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve("fuzz" + p.seed() + ".js"), p.text() + "\n// GraalJS:  " + graal
                    + "\n// compiled: " + compiled + "\n");
        } catch (java.io.IOException e) {
            // only a convenience
        }
        return "seed " + p.seed() + " (" + p.variant() + "): " + what + "\n  GraalJS:  " + graal + "\n  compiled: " + compiled
                + "\n--- program ---\n" + p.text();
    }

    @Test
    void randomHooksGiveGraalJsResultsWhenCompiled() {
        int programs = Integer.getInteger("pagewalk.compilerfuzz.programs", 200);
        long base = Long.getLong("pagewalk.compilerfuzz.seed", 20_261_202L);
        Tally t = new Tally();
        for (int i = 0; i < programs; i++) {
            check(base + i, t);
        }
        System.out.printf("compiler fuzz: %d programs, %d identical, %d with a script error on both sides, "
                + "%d BigInt overflows (accepted), %d BigInt constants out of range (refused, accepted), %d refused by the checker, %d failures%n",
                t.programs, t.same, t.errors, t.overflow, t.constantOverflow, t.refused, t.failures.size());
        System.out.printf("  time: %d ms on GraalJS, %d ms compiled%n", t.graalNanos / 1_000_000, t.compiledNanos / 1_000_000);
        t.refusals.stream().limit(20).forEach(s -> System.out.println("  refused: " + s.substring(0, Math.min(s.length(), 300))));
        t.failures.stream().limit(10).forEach(s -> System.out.println("  FAILED: " + s.substring(0, s.indexOf('\n'))));
        if (!t.failures.isEmpty()) {
            fail(t.failures.size() + " of " + programs + " programs differ; the first:\n" + t.failures.get(0));
        }
        assertTrue(t.refused == 0, t.refused + " generated programs outside the subset, the first: " + (t.refused == 0 ? "" : t.refusals.get(0)));
        assertTrue(t.same > programs / 2, "too few programs ran to the end on both paths: " + t.same);
    }
}
