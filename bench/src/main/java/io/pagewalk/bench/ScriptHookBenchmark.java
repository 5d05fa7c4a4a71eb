package io.pagewalk.bench;

import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.compiler.CompileMode;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Counting present PTEs over a 256 MiB anonymous VMA (65536 PTEs, every other one present, NX
 * set) with: a plain Java hook, a JavaScript pte_entry on GraalJS called once per PTE, the same
 * hook on GraalJS through the batching adapter (one crossing per PTE table), and the same hook
 * compiled to JVM bytecode ({@code --compile}). Scores are ns per PTE; the {@code first*}
 * benchmarks time the first walk of a fresh JVM (single shot).
 *
 * <p>Run with the optimizing runtime: {@code ./pagewalk bench ScriptHookBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScriptHookBenchmark {
    static final long START = 0x7f00_0000_0000L;
    static final int PTES = 65536;

    static final String SCRIPT = """
            const ops = { pte_entry(pte) { if (pte_present(pte)) present++; } };
            let present = 0;
            () => { present = 0; walk_page_range(mm, 0x7f0000000000, 0x7f0010000000, ops, null); return present; };
            """;

    MmStruct mm;
    MmWalkOps javaOps;
    long javaCount;
    ScriptSession perPte;
    ScriptSession batched;
    ScriptSession compiled;
    Value perPteWalk;
    Value batchedWalk;
    Value compiledWalk;

    static MmStruct model() {
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        long flags = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE;
        mm.insertVma(START, START + (long) PTES * 4096, flags, START >>> 12, null, "");
        long prot = Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW | Pgtable._PAGE_USER | Pgtable._PAGE_ACCESSED
                | Pgtable._PAGE_DIRTY | Pgtable._PAGE_NX;
        for (int i = 0; i < PTES; i += 2) {
            PageTables.setPte(mm, START + (long) i * 4096, Pgtable.pfn_pte(0x100000 + i, prot));
        }
        return mm;
    }

    @Setup(Level.Trial)
    public void setUp() {
        mm = model();
        javaOps = MmWalkOps.builder().pteEntry((e, a, n, w) -> {
            if (Pgtable.pte_present(e.get())) {
                javaCount++;
            }
            return 0;
        }).build();
        ScriptSession.Options o = ScriptSession.Options.defaults().withTimeout(java.time.Duration.ofHours(1))
                .withCompile(CompileMode.NEVER);
        perPte = new ScriptSession(mm, o.withBatch(false));
        perPteWalk = perPte.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
        batched = new ScriptSession(mm, o.withBatch(true));
        batchedWalk = batched.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
        compiled = new ScriptSession(mm, o.withCompile(CompileMode.ALWAYS));
        compiledWalk = compiled.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
        if (javaWalk() != PTES / 2 || perPteWalk.execute().asLong() != PTES / 2 || batchedWalk.execute().asLong() != PTES / 2
                || compiledWalk.execute().asLong() != PTES / 2) {
            throw new IllegalStateException("the four hooks disagree");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        perPte.close();
        batched.close();
        compiled.close();
    }

    long javaWalk() {
        javaCount = 0;
        try (var l = mm.mmapLock().read()) {
            PageWalk.walkPageRange(mm, START, START + (long) PTES * 4096, javaOps, null);
        }
        return javaCount;
    }

    @Benchmark
    @OperationsPerInvocation(PTES)
    public long javaHook() {
        return javaWalk();
    }

    @Benchmark
    @OperationsPerInvocation(PTES)
    public long jsPerPte() {
        return perPteWalk.execute().asLong();
    }

    @Benchmark
    @OperationsPerInvocation(PTES)
    public long jsBatched() {
        return batchedWalk.execute().asLong();
    }

    @Benchmark
    @OperationsPerInvocation(PTES)
    public long jsCompiled() {
        return compiledWalk.execute().asLong();
    }

    /** First walks: a fresh JVM, one shot each (setUp already did one walk of each to check). */
    @State(Scope.Benchmark)
    public static class Fresh {
        MmStruct mm;
        Value perPte;
        Value batched;
        Value compiled;
        ScriptSession a;
        ScriptSession b;
        ScriptSession c;

        @Setup(Level.Trial)
        public void setUp() {
            mm = model();
            ScriptSession.Options o = ScriptSession.Options.defaults().withTimeout(java.time.Duration.ofHours(1))
                    .withCompile(CompileMode.NEVER);
            a = new ScriptSession(mm, o.withBatch(false));
            perPte = a.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
            b = new ScriptSession(mm, o.withBatch(true));
            batched = b.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
            c = new ScriptSession(mm, o.withCompile(CompileMode.ALWAYS));
            compiled = c.run(ScriptEngine.shared().snippet("count.js", SCRIPT));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            a.close();
            b.close();
            c.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(3)
    @OperationsPerInvocation(PTES)
    public long firstWalkJsPerPte(Fresh f) {
        return f.perPte.execute().asLong();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(3)
    @OperationsPerInvocation(PTES)
    public long firstWalkJsBatched(Fresh f) {
        return f.batched.execute().asLong();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(3)
    @OperationsPerInvocation(PTES)
    public long firstWalkJsCompiled(Fresh f) {
        return f.compiled.execute().asLong();
    }
}
