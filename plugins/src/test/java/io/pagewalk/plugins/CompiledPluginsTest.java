package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.compiler.CompileMode;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.snapshot.SnapshotFile;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.ModelEquality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every reference plugin runs the same with its hooks compiled (--compile=auto) and on GraalJS
 * (--compile=never): the same output or the same error, and for the plugins that write, the same
 * model afterwards. On an import of a real process (the fixture with every part), on random
 * synthetic processes ({@link RandomProcess}), and on models holding the entries no system call
 * makes ({@link EdgeModel}). And each plugin's walk is compiled, or not, as {@link #COMPILED}
 * says: a change that sends a plugin back to GraalJS (or a DSL change that lets one in) shows here.
 * A difference between the two ways is a bug of the compiler (or of GraalJS).
 */
class CompiledPluginsTest {
    /** The plugins whose every walk is compiled with --compile=auto. */
    static final Set<String> COMPILED = Set.of("smaps", "smaps_rollup", "numa_maps", "mincore", "pagemap", "pagemap_scan",
            "page_types", "clear_refs", "guard");
    /** The plugins that stay on GraalJS (their READMEs say why): thp builds Maps of objects and strings in its hooks. */
    static final Set<String> GRAALJS = Set.of("thp");
    static final Set<String> WRITING = Set.of("clear_refs", "guard");
    static final long[] SEEDS = {1, 2, 3, 4, 5, 6, 7, 8};

    private static final long PAGE = 4096;
    private static FixtureProcess fx;

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void everyPluginFolderIsListedAsCompiledOrNot() throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(PluginHarness.pluginsDir())) {
            dirs.filter(d -> Files.exists(d.resolve("plugin.json"))).forEach(d -> all.add(d.getFileName().toString()));
        }
        assertEquals(Set.copyOf(all), union(COMPILED, GRAALJS));
        assertTrue(COMPILED.stream().noneMatch(GRAALJS::contains));
    }

    @TestFactory
    Stream<DynamicNode> onARealProcess() throws Exception {
        fx = FixtureProcess.start("all");
        // One import for every plugin and both modes: the mapcounts of shared libraries move
        // between imports. The writing plugins run on copies of it.
        MmStruct mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
        return Stream.of(model("fixture all (pid " + fx.pid() + ")", mm));
    }

    @TestFactory
    Stream<DynamicNode> onRandomSyntheticProcesses() {
        List<MmStruct> models = Arrays.stream(SEEDS).mapToObj(RandomProcess::build).toList();
        DynamicTest coverage = DynamicTest.dynamicTest("the random processes hold every kind of mapping", () -> {
            Set<String> seen = new TreeSet<>();
            models.forEach(mm -> seen.addAll(kinds(mm)));
            assertEquals(new TreeSet<>(Set.of("5-level", "file page", "guard marker", "huge PMD", "hugetlb page",
                    "shared anon page", "swap entry", "zero page")), seen);
        });
        return Stream.concat(Stream.of(coverage), IntStream.range(0, SEEDS.length)
                .mapToObj(i -> model("random process, seed " + SEEDS[i], models.get(i))));
    }

    @TestFactory
    Stream<DynamicNode> onModelsWithEveryKindOfEntry() {
        return Stream.of(PagingGeometry.X86_64_4LEVEL, PagingGeometry.X86_64_5LEVEL)
                .map(g -> model("every kind of entry, " + g, EdgeModel.build(g)));
    }

    /** What the model holds, of what the plugins treat differently. */
    private static Set<String> kinds(MmStruct mm) {
        Set<String> k = new HashSet<>();
        if (mm.geometry() == PagingGeometry.X86_64_5LEVEL) {
            k.add("5-level");
        }
        for (VmArea v : mm.vmas()) {
            for (long a = v.start(); Long.compareUnsigned(a, v.end()) < 0; a += PAGE) {
                long pmd = PageTables.get(mm, a, PagingGeometry.PMD);
                if (v.isHugetlb()) {
                    if (Pgtable.pte_present(pmd)) {
                        k.add("hugetlb page");
                    }
                    continue;
                }
                if (Pgtable.pmd_trans_huge(pmd)) {
                    k.add("huge PMD");
                    continue;
                }
                long pte = PageTables.get(mm, a, PagingGeometry.PTE);
                if (Swapops.is_guard_pte_marker(pte)) {
                    k.add("guard marker");
                } else if (Pgtable.is_swap_pte(pte) && !Swapops.is_pte_marker(pte)) {
                    k.add("swap entry");
                } else if (Pgtable.pte_present(pte)) {
                    long pfn = Pgtable.pte_pfn(pte);
                    if (mm.memMap().is_zero_pfn(pfn)) {
                        k.add("zero page");
                    } else if (v.isAnonymous() && mm.memMap().mapcount(pfn) > 1) {
                        k.add("shared anon page");
                    } else if (!v.isAnonymous()) {
                        k.add("file page");
                    }
                }
            }
        }
        return k;
    }

    private static DynamicContainer model(String name, MmStruct mm) {
        List<DynamicNode> tests = new ArrayList<>();
        for (String plugin : union(COMPILED, GRAALJS).stream().sorted().toList()) {
            tests.add(DynamicTest.dynamicTest(plugin, () -> {
                List<String> explanations = new ArrayList<>();
                if (WRITING.contains(plugin)) {
                    for (List<List<String>> runs : writeRuns(plugin, mm)) {
                        sameWriteBothWays(plugin, mm, runs, explanations);
                    }
                } else {
                    for (List<String> args : readRuns(plugin, mm)) {
                        explanations.addAll(sameBothWays(plugin, mm, mm, args));
                    }
                }
                assertFalse(explanations.isEmpty(), plugin + " walked nothing with --compile=auto");
                for (String e : explanations) {
                    if (COMPILED.contains(plugin)) {
                        assertTrue(e.endsWith(": compiled"), plugin + " is listed as compiled: " + e);
                    } else {
                        assertTrue(e.contains(": GraalJS, "), plugin + " is listed as GraalJS (a compiled plugin belongs in COMPILED): "
                                + e);
                    }
                }
            }));
        }
        return DynamicContainer.dynamicContainer(name, tests);
    }

    /** Runs the plugin both ways (GraalJS on {@code never}, auto on {@code auto}); the auto run's explanations. */
    private static List<String> sameBothWays(String plugin, MmStruct never, MmStruct auto, List<String> args) throws Exception {
        PluginHarness.Outcome g = PluginHarness.runPlugin(plugin, never, CompileMode.NEVER, args);
        PluginHarness.Outcome c = PluginHarness.runPlugin(plugin, auto, CompileMode.AUTO, args);
        String what = plugin + " " + String.join(" ", args);
        assertEquals(g.error(), c.error(), what + ": the error");
        if (!g.out().equals(c.out())) {
            throw new AssertionError(what + ": the output differs, first at " + firstDifference(g.out(), c.out()));
        }
        assertTrue(g.explanations().stream().noneMatch(e -> e.endsWith(": compiled")), "--compile=never compiles nothing: "
                + g.explanations());
        return c.explanations();
    }

    /** Runs a writing plugin's runs in order, each way on its own copy of {@code mm}; compares after each. */
    private static void sameWriteBothWays(String plugin, MmStruct mm, List<List<String>> runs, List<String> explanations)
            throws Exception {
        MmStruct never = copy(mm);
        MmStruct auto = copy(mm);
        ModelEquality.assertSameModel(never, auto);
        for (List<String> args : runs) {
            explanations.addAll(sameBothWays(plugin, never, auto, args));
            List<String> d = ModelEquality.differences(never, auto);
            assertTrue(d.isEmpty(), plugin + " " + String.join(" ", args) + ": the models differ afterwards:\n  "
                    + String.join("\n  ", d));
        }
    }

    private static String firstDifference(String a, String b) {
        List<String> la = a.lines().toList();
        List<String> lb = b.lines().toList();
        for (int i = 0; i < Math.max(la.size(), lb.size()); i++) {
            String x = i < la.size() ? la.get(i) : "<none>";
            String y = i < lb.size() ? lb.get(i) : "<none>";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ":\n  GraalJS:  " + x + "\n  compiled: " + y;
            }
        }
        return "the line ends";
    }

    private static MmStruct copy(MmStruct mm) throws Exception {
        Path f = Files.createTempFile("pagewalk-compiled-", ".pwsnap");
        try {
            SnapshotFile.write(mm, f);
            return SnapshotFile.read(f);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    // ---------------------------------------------------------------- arguments from the model

    private static List<List<String>> readRuns(String plugin, MmStruct mm) {
        List<VmArea> vmas = mm.vmas();
        VmArea first = vmas.getFirst();
        VmArea last = vmas.getLast();
        VmArea mid = vmas.get(vmas.size() / 2);
        return switch (plugin) {
            case "pagemap" -> List.of(List.of(), acrossAGap(vmas), List.of(hex(first.start()), "0x10"), List.of("1"));
            case "pagemap_scan" -> {
                String end = hex(last.end());
                String s = hex(first.start());
                yield List.of(List.of("0", end), List.of(s, end, "mask=0x8"), List.of(s, end, "anyof=0x150", "return=0x54"),
                        List.of(s, end, "inverted=0x8", "mask=0x8", "return=0xf"), List.of(s, end, "return=0x8"),
                        List.of(s, end, "max_pages=37"), List.of(s, end, "vec_len=3"), List.of(s, end, "vec_len=0"),
                        List.of(hex(mid.start()), hex(mid.end() + 5 * PAGE), "anyof=0x18"),
                        List.of(s, end, "flags=0x2"), List.of(s, end, "flags=0x1"), List.of(hex(first.start() + 8), end));
            }
            case "mincore" -> {
                List<List<String>> runs = new ArrayList<>();
                int step = Math.max(1, vmas.size() / 8);
                for (int i = 0; i < vmas.size(); i += step) {
                    VmArea v = vmas.get(i);
                    runs.add(List.of(hex(v.start()), hex(v.end() - v.start())));
                }
                // Past the last VMA: -ENOMEM after its pages; an unaligned start: -EINVAL.
                runs.add(List.of(hex(last.start()), hex(last.end() - last.start() + 3 * PAGE)));
                runs.add(List.of(hex(first.start() + 1), "0x1000"));
                yield runs;
            }
            case "page_types" -> List.of(List.of(), List.of("-r"),
                    List.of("-r", "-a", (mid.start() / PAGE) + "," + (last.end() / PAGE)), List.of("-a", "0x10+junk"));
            default -> List.of(List.of());
        };
    }

    /**
     * From the middle of a VMA into the next one across a gap of at most 16 MiB (pagemap prints a
     * line per page of it), or from the middle of a VMA to a little past its end.
     */
    private static List<String> acrossAGap(List<VmArea> vmas) {
        for (int i = 0; i + 1 < vmas.size(); i++) {
            VmArea v = vmas.get(i);
            VmArea w = vmas.get(i + 1);
            long gap = w.start() - v.end();
            if (gap > 0 && gap <= 16L << 20) {
                return List.of(hex(middle(v)), hex(w.start() + Math.min(w.end() - w.start(), 64 * PAGE)));
            }
        }
        VmArea v = vmas.get(vmas.size() / 2);
        return List.of(hex(middle(v)), hex(v.end() + 5 * PAGE));
    }

    private static long middle(VmArea v) {
        return v.start() + ((v.end() - v.start()) / 2 & -PAGE);
    }

    /** Per copy of the model, the runs made one after the other on it. */
    private static List<List<List<String>>> writeRuns(String plugin, MmStruct mm) {
        if (plugin.equals("clear_refs")) {
            return List.of(List.of(List.of("1")), List.of(List.of("2"), List.of("3")), List.of(List.of("4"), List.of("1")),
                    List.of(List.of("5"), List.of("6")));
        }
        // guard: inside the biggest anonymous VMA, over a THP if there is one, and running into a gap.
        VmArea big = null;
        for (VmArea v : mm.vmas()) {
            if (v.isAnonymous() && !v.isHugetlb() && (big == null || v.end() - v.start() > big.end() - big.start())) {
                big = v;
            }
        }
        List<List<String>> runs = new ArrayList<>();
        if (big != null) {
            long pages = (big.end() - big.start()) / PAGE;
            long s = big.start() + PAGE * (pages / 3);
            runs.add(List.of("install", hex(s), hex(PAGE * Math.max(1, pages / 3))));
            runs.add(List.of("remove", hex(s + PAGE), hex(PAGE * Math.max(1, pages / 4))));
        }
        long thp = hugePmd(mm);
        if (thp != 0) {
            runs.add(List.of("install", hex(thp + 3 * PAGE), "0x2000"));
        }
        VmArea last = mm.vmas().getLast();
        runs.add(List.of("install", hex(last.end() - 2 * PAGE), "0x4000"));
        runs.add(List.of("remove", hex(mm.vmas().getFirst().start()), hex(last.end() - mm.vmas().getFirst().start())));
        runs.add(List.of("install", hex(last.start() + 8), "0x1000"));
        return List.of(runs);
    }

    /** The start of the first PMD-mapped THP in an anonymous VMA, or 0. */
    private static long hugePmd(MmStruct mm) {
        for (VmArea v : mm.vmas()) {
            if (!v.isAnonymous() || v.isHugetlb()) {
                continue;
            }
            for (long a = (v.start() + PagingGeometry.PMD_SIZE - 1) & -PagingGeometry.PMD_SIZE;
                    Long.compareUnsigned(a + PagingGeometry.PMD_SIZE, v.end()) <= 0; a += PagingGeometry.PMD_SIZE) {
                if (Pgtable.pmd_trans_huge(PageTables.get(mm, a, PagingGeometry.PMD))) {
                    return a;
                }
            }
        }
        return 0;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
