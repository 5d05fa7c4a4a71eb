package io.pagewalk.dsl.compiler.rt;

import static io.pagewalk.runtime.builder.SyntheticProcess.MADV_GUARD_INSTALL;
import static io.pagewalk.runtime.builder.SyntheticProcess.MADV_PAGEOUT;
import static io.pagewalk.runtime.builder.SyntheticProcess.MAP_ANONYMOUS;
import static io.pagewalk.runtime.builder.SyntheticProcess.MAP_PRIVATE;
import static io.pagewalk.runtime.builder.SyntheticProcess.MAP_SHARED;
import static io.pagewalk.runtime.builder.SyntheticProcess.PROT_READ;
import static io.pagewalk.runtime.builder.SyntheticProcess.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.builder.FileHandle;
import io.pagewalk.runtime.builder.SyntheticConfig;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.builder.ThpMode;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.walk.FolioWalk.Folio;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Intrinsics against the GraalJS API on the same values and the same model: results and errors. */
class IntrinsicsTest {
    private static final long PAGE = 4096;

    /** Every API function of one entry argument (pte_none ... is_pmd_migration_entry). */
    static List<Method> entryFunctions() {
        List<Method> out = new ArrayList<>();
        for (Method m : Intrinsics.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1 && m.getParameterTypes()[0] == long.class
                    && m.getDeclaringClass() == Intrinsics.class) {
                out.add(m);
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    /** A result as the test scripts print it: Numbers as String(n + 0), BigInts and booleans with String(). */
    static String show(Object r, Class<?> type) {
        if (r == null) {
            return "null";
        }
        if (type == double.class) {
            return JsOps.numberToString((Double) r);
        }
        if (type == long.class) {
            return Long.toUnsignedString((Long) r);
        }
        if (r instanceof Folio f) {
            return folioInfo(f);
        }
        return String.valueOf(r);
    }

    static String n(double d) {
        return JsOps.numberToString(d);
    }

    static String folioInfo(Folio f) {
        return String.join(",", n(Intrinsics.folioField_pfn(f)), n(Intrinsics.folioField_nr_pages(f)),
                n(Intrinsics.folioField_order(f)), n(Intrinsics.folio_mapcount(f)), n(Intrinsics.folio_nr_pages(f)),
                n(Intrinsics.folio_order(f)), n(Intrinsics.folio_pfn(f)), "" + Intrinsics.folio_test_large(f),
                "" + Intrinsics.folio_maybe_mapped_shared(f), "" + Intrinsics.folio_test_anon(f),
                "" + Intrinsics.folio_test_ksm(f), "" + Intrinsics.folio_test_swapbacked(f),
                "" + Intrinsics.folio_test_dirty(f), "" + Intrinsics.folio_test_referenced(f),
                "" + Intrinsics.folio_test_lru(f), "" + Intrinsics.folio_test_mlocked(f));
    }

    private static final String JS_HELPERS = """
            const folioInfo = (f) => [f.pfn, f.nr_pages, f.order, folio_mapcount(f), folio_nr_pages(f), folio_order(f),
                folio_pfn(f), folio_test_large(f), folio_maybe_mapped_shared(f), folio_test_anon(f), folio_test_ksm(f),
                folio_test_swapbacked(f), folio_test_dirty(f), folio_test_referenced(f), folio_test_lru(f),
                folio_test_mlocked(f)].map(String).join(',');
            const S = (r) => r === null ? 'null' : typeof r === 'number' ? String(r + 0)
                : typeof r === 'object' ? folioInfo(r) : String(r);
            """;

    private static Object call(Method m, Object... args) {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof JsError j) {
                throw j;
            }
            throw new AssertionError(e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    static Env env(MmStruct mm) {
        return new Env() {
            {
                model = mm;
            }

            @Override
            public void poll() {}
        };
    }

    /** Entries of every kind: present, protnone, NX and high bits, swap and migration entries, markers, random. */
    static long[] entries(long seed, int random) {
        List<Long> v = new ArrayList<>(List.of(0L, -1L, Pgtable._PAGE_NX, Pgtable._PAGE_PROTNONE,
                Pgtable._PAGE_DIRTY | Pgtable._PAGE_ACCESSED, Pgtable.pfn_pte(0x1234, Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW),
                Pgtable.pfn_pte(0x1234, Pgtable._PAGE_PROTNONE) | Pgtable._PAGE_NX,
                Pgtable.pfn_pmd(0x200, Pgtable._PAGE_PRESENT | Pgtable._PAGE_PSE),
                Swapops.swp_entry_to_pte(Swapops.swp_entry(2, 0x777)),
                Swapops.swp_entry_to_pte(Swapops.swp_entry(0, (1L << 50) - 1)),
                Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_WRITE, 0x4321)),
                Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, 0x4321)) | Pgtable._PAGE_PSE,
                Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD), Swapops.make_pte_marker(Swapops.PTE_MARKER_UFFD_WP),
                Swapops.make_pte_marker(Swapops.PTE_MARKER_POISONED)));
        Random r = new Random(seed);
        for (int i = 0; i < random; i++) {
            long x = r.nextLong();
            v.add(switch (i % 4) {
                case 0 -> x;
                case 1 -> x & ~(Pgtable._PAGE_PRESENT | Pgtable._PAGE_PROTNONE); // not present: swap-like
                case 2 -> Swapops.swp_entry_to_pte(Swapops.swp_entry(r.nextInt(32), x >>> r.nextInt(64)));
                default -> x >>> r.nextInt(64);
            });
        }
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void entryHelpersMatchGraalJsOnRandomAndEdgeEntries() {
        List<Method> fns = entryFunctions();
        assertTrue(fns.size() >= 55, "entry helpers: " + fns.size());
        long[] es = entries(11, 1200);
        StringBuilder js = new StringBuilder(JS_HELPERS).append("const E = ").append(GraalJs.bigs(es))
                .append(";\nconst out = [];\nfor (const e of E) {\n");
        for (Method m : fns) {
            js.append("  out.push(S(").append(m.getName()).append("(e)));\n");
        }
        js.append("}\nout.join('\\n');");
        String[] got = GraalJs.run(null, js.toString()).split("\n");
        List<String> bad = new ArrayList<>();
        int i = 0;
        for (long e : es) {
            for (Method m : fns) {
                String have = show(call(m, e), m.getReturnType());
                if (!got[i].equals(have) && bad.size() < 20) {
                    bad.add(m.getName() + "(" + Long.toUnsignedString(e) + "n): js " + got[i] + " java " + have);
                }
                i++;
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void numbersAsEntriesAreAcceptedOrRefusedAsTheNumberPreludeDoes() {
        List<Method> fns = entryFunctions();
        Random r = new Random(12);
        List<Double> v = new ArrayList<>(List.of(0.0, -0.0, 1.0, 1.5, -1.0, 9007199254740991.0, 9007199254740992.0,
                Double.NaN, Double.POSITIVE_INFINITY, 4096.0 * 0x1234 + 0x67, 1e300));
        for (int i = 0; i < 40; i++) {
            v.add((double) (r.nextLong() >>> 11));
        }
        double[] ds = v.stream().mapToDouble(Double::doubleValue).toArray();
        StringBuilder js = new StringBuilder(JS_HELPERS).append("const D = ").append(GraalJs.doubles(ds))
                .append(";\nconst out = [];\nfor (const d of D) {\n");
        for (Method m : fns) {
            js.append("  try { out.push(S(").append(m.getName()).append("(d))); } catch (e) { out.push(")
                    .append(GraalJs.ERR).append("); }\n");
        }
        js.append("}\nout.join('\\n');");
        String[] got = GraalJs.run(null, js.toString()).split("\n");
        int i = 0;
        for (double d : ds) {
            for (Method m : fns) {
                String have;
                try {
                    Method overload = Intrinsics.class.getMethod(m.getName(), double.class);
                    have = show(call(overload, d), overload.getReturnType());
                } catch (JsError e) {
                    have = e.jsMessage();
                } catch (NoSuchMethodException e) {
                    throw new AssertionError("no Number overload of " + m.getName());
                }
                assertEquals(got[i], have, m.getName() + "(" + d + ")");
                i++;
            }
        }
    }

    /** A model with anonymous, THP, private and shared file pages, swap entries, guard markers and a fork. */
    static SyntheticProcess model(boolean zeroPage) {
        SyntheticProcess p = new SyntheticProcess(SyntheticConfig.defaults().withThpMode(ThpMode.ALWAYS)
                .withSwap(true).withZeroPage(zeroPage));
        int rw = PROT_READ | PROT_WRITE;
        long anon = p.mmap(0, 64 * PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        p.touch(anon, 40 * PAGE, true);
        p.touch(anon + 40 * PAGE, 8 * PAGE, false);
        p.madvise(anon + 8 * PAGE, 8 * PAGE, MADV_PAGEOUT);
        p.madvise(anon + 56 * PAGE, 4 * PAGE, MADV_GUARD_INSTALL);
        long thp = p.mmap(0, 8L << 20, rw, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        p.touch(thp, 4L << 20, true);
        p.touch(thp + (4L << 20), 4L << 20, false);
        FileHandle f = p.createFile("/data/file", 32);
        long file = p.mmap(0, 32 * PAGE, PROT_READ, MAP_PRIVATE, f, 0);
        p.touch(file, 16 * PAGE, false);
        long shared = p.mmap(0, 16 * PAGE, rw, MAP_SHARED, f, 4 * PAGE);
        p.touch(shared, 8 * PAGE, true);
        SyntheticProcess child = p.fork();
        child.touch(anon, 4 * PAGE, true);
        return p;
    }

    @Test
    void pagesFoliosAndVmasMatchGraalJsOnAModel() {
        for (boolean zeroPage : new boolean[] {false, true}) {
            SyntheticProcess p = model(zeroPage);
            MmStruct mm = p.mm();
            String js = JS_HELPERS + """
                    const out = [];
                    const pfns = new Set([0, 1, -1, 2 ** 40]);
                    for (const vma of mm.vmas) {
                      walk_page_vma(vma, {
                        walk_lock: PGWALK_RDLOCK,
                        pmd_entry(pmd, addr, next, walk) {
                          if (pmd_trans_huge(pmd) || is_swap_pmd(pmd)) {
                            walk.action = ACTION_CONTINUE;
                            out.push(['pmd', addr, pmd, S(vm_normal_page_pmd(walk.vma, addr, pmd)), S(is_huge_zero_pmd(pmd)),
                              S(pmd_pfn(pmd)), S(pmd_present(pmd)), S(is_pmd_migration_entry(pmd))].join(' '));
                            if (pmd_present(pmd)) { pfns.add(pmd_pfn(pmd)); pfns.add(pmd_pfn(pmd) + 3); }
                          }
                          return 0;
                        },
                        pte_entry(pte, addr, next, walk) {
                          const v = walk.vma;
                          const page = vm_normal_page(v, addr, pte);
                          const f = vm_normal_folio(v, addr, pte);
                          const m = v.vm_file;
                          out.push(['pte', addr, pte, S(page), S(f), f === null ? '-' : S(folio_precise_page_mapcount(f, page)),
                            S(v.vm_start), S(v.vm_end), S(v.vm_flags), S(v.vm_pgoff), S(v.anonymous), S(v.hugetlb), v.name,
                            m === null ? 'null' : [m.path, m.inode, m.shmem, file_dev(m), MAJOR(file_dev(m)), MINOR(file_dev(m)),
                              mincore_page(m, (addr - v.vm_start) / 4096 + v.vm_pgoff), mincore_page(m, 1000)].map(String).join(','),
                            S(vma_kernel_pagesize(v)), S(vma_mmu_pagesize(v)), S(thp_eligible(v)), S(find_vma(mm, addr).vm_start),
                            S(is_swap_pte(pte)), S(pte_to_swp_entry(pte)), show_smap_vma_flags(v),
                            get_gate_vma(mm) === null ? 'null' : S(get_gate_vma(mm).vm_start)].join(' '));
                          if (pte_present(pte)) pfns.add(pte_pfn(pte));
                          return 0;
                        }
                      });
                    }
                    for (const pfn of pfns) {
                      out.push(['pfn', pfn, S(page_folio(pfn)), S(page_mapcount(pfn)), S(page_flags(pfn)), S(is_zero_pfn(pfn))].join(' '));
                    }
                    out.join('\\n');
                    """;
            String[] got = GraalJs.run(mm, js).split("\n");
            Env env = env(mm);
            int ptes = 0;
            int pmds = 0;
            int folios = 0;
            for (String line : got) {
                String[] t = line.split(" ");
                String have = switch (t[0]) {
                    case "pte" -> {
                        ptes++;
                        double addr = Double.parseDouble(t[1]);
                        long pte = new BigInteger(t[2]).longValue();
                        VmArea v = mm.findVma((long) addr);
                        double page = Intrinsics.vm_normal_page(v, addr, pte);
                        Folio f = Intrinsics.vm_normal_folio(v, addr, pte);
                        folios += f == null ? 0 : 1;
                        AddressSpace m = Intrinsics.vmaField_vm_file(v);
                        String file = m == null ? "null" : String.join(",", Intrinsics.mappingField_path(m),
                                n(Intrinsics.mappingField_inode(m)), "" + Intrinsics.mappingField_shmem(m),
                                n(Intrinsics.file_dev(m)), n(Intrinsics.MAJOR(Intrinsics.file_dev(m))),
                                n(Intrinsics.MINOR(Intrinsics.file_dev(m))),
                                "" + Intrinsics.mincore_page(m, (addr - Intrinsics.vmaField_vm_start(v)) / 4096
                                        + Intrinsics.vmaField_vm_pgoff(v)),
                                "" + Intrinsics.mincore_page(m, 1000.0));
                        yield String.join(" ", "pte", t[1], t[2], n(page), show(f, Folio.class),
                                f == null ? "-" : n(Intrinsics.folio_precise_page_mapcount(f, page)),
                                n(Intrinsics.vmaField_vm_start(v)), n(Intrinsics.vmaField_vm_end(v)),
                                Long.toUnsignedString(Intrinsics.vmaField_vm_flags(v)), n(Intrinsics.vmaField_vm_pgoff(v)),
                                "" + Intrinsics.vmaField_anonymous(v), "" + Intrinsics.vmaField_hugetlb(v),
                                String.valueOf(Intrinsics.vmaField_name(v)), file, n(Intrinsics.vma_kernel_pagesize(v)),
                                n(Intrinsics.vma_mmu_pagesize(v)), n(Intrinsics.thp_eligible(v)),
                                n(Intrinsics.vmaField_vm_start(Intrinsics.find_vma(mm, addr))),
                                "" + Intrinsics.is_swap_pte(pte), Long.toUnsignedString(Intrinsics.pte_to_swp_entry(pte)),
                                Intrinsics.show_smap_vma_flags(v), Intrinsics.get_gate_vma(mm) == null ? "null"
                                        : n(Intrinsics.vmaField_vm_start(Intrinsics.get_gate_vma(mm))));
                    }
                    case "pmd" -> {
                        pmds++;
                        double addr = Double.parseDouble(t[1]);
                        long pmd = new BigInteger(t[2]).longValue();
                        VmArea v = mm.findVma((long) addr);
                        yield String.join(" ", "pmd", t[1], t[2], n(Intrinsics.vm_normal_page_pmd(v, addr, pmd)),
                                "" + Intrinsics.is_huge_zero_pmd(env, pmd), n(Intrinsics.pmd_pfn(pmd)),
                                "" + Intrinsics.pmd_present(pmd), "" + Intrinsics.is_pmd_migration_entry(pmd));
                    }
                    default -> {
                        double pfn = Double.parseDouble(t[1]);
                        Folio f = Intrinsics.page_folio(env, pfn);
                        yield String.join(" ", "pfn", t[1], show(f, Folio.class), n(Intrinsics.page_mapcount(env, pfn)),
                                Long.toUnsignedString(Intrinsics.page_flags(env, pfn)), "" + Intrinsics.is_zero_pfn(env, pfn));
                    }
                };
                assertEquals(line, have, "zeroPage=" + zeroPage);
            }
            assertTrue(ptes > 100 && pmds >= 1 && folios > 50, "the model has pages: " + ptes + " ptes, " + pmds + " huge pmds, " + folios + " folios");
        }
    }

    /** The first present PTE of the model. */
    static long presentPte(MmStruct mm) {
        for (VmArea v : mm.vmas()) {
            for (long a = v.start(); a != v.end(); a += PAGE) {
                long e = io.pagewalk.runtime.mm.PageTables.get(mm, a, 4);
                if (Pgtable.pte_present(e) && !Pgtable.pte_special(e)) {
                    return e;
                }
            }
        }
        throw new AssertionError("no present PTE");
    }

    private record Case(String js, Supplier<Object> java) {}

    @Test
    void badArgumentsGiveTheSameErrors() {
        SyntheticProcess p = model(false);
        MmStruct mm = p.mm();
        Env env = env(mm);
        VmArea v = mm.vmas().get(0);
        AddressSpace file = mm.vmas().stream().filter(x -> x.file() != null).findFirst().orElseThrow().file();
        long pte = presentPte(mm);
        Folio f = Intrinsics.page_folio(env, (double) Pgtable.pte_pfn(pte));
        assertTrue(f != null, "a mapped page");
        List<Case> cases = List.of(
                new Case("vm_normal_page(null, 0, 0n)", () -> Intrinsics.vm_normal_page(null, 0.0, 0L)),
                new Case("vm_normal_page(v, 1.5, 1.5)", () -> Intrinsics.vm_normal_page(v, 1.5, 1.5)),
                new Case("vm_normal_page(v, 1.5, 0n)", () -> Intrinsics.vm_normal_page(v, 1.5, 0L)),
                new Case("vm_normal_page(v, -5, 0n)", () -> Intrinsics.vm_normal_page(v, -5.0, 0L)),
                new Case("vm_normal_page(v, -0, 0n)", () -> Intrinsics.vm_normal_page(v, -0.0, 0L)),
                new Case("vm_normal_page(v, 2**64, 0n)", () -> Intrinsics.vm_normal_page(v, 18446744073709551616.0, 0L)),
                new Case("vm_normal_page(v, 2**63 + 2**12, 4096n + 1n)", () -> Intrinsics.vm_normal_page(v, 9223372036854779904.0, 4097L)),
                new Case("vm_normal_page(v, 1e21, 0n)", () -> Intrinsics.vm_normal_page(v, 1e21, 0L)),
                new Case("vm_normal_page(v, -(2**63) - 4096, 0n)", () -> Intrinsics.vm_normal_page(v, -9223372036854779904.0, 0L)),
                new Case("vm_normal_page_pmd(null, 0, 0n)", () -> Intrinsics.vm_normal_page_pmd(null, 0.0, 0L)),
                new Case("vm_normal_folio(v, NaN, 0n)", () -> Intrinsics.vm_normal_folio(v, Double.NaN, 0L)),
                new Case("vm_normal_folio(v, 0, -1)", () -> Intrinsics.vm_normal_folio(v, 0.0, -1.0)),
                new Case("page_folio(1.5)", () -> Intrinsics.page_folio(env, 1.5)),
                new Case("page_folio(-0)", () -> Intrinsics.page_folio(env, -0.0)),
                new Case("page_folio(2n**63n)", () -> Intrinsics.page_folio(env, Long.MIN_VALUE)),
                new Case("page_mapcount(2**63)", () -> Intrinsics.page_mapcount(env, 9223372036854775808.0)),
                new Case("page_mapcount(-1)", () -> Intrinsics.page_mapcount(env, -1.0)),
                new Case("page_flags(1e-7)", () -> Intrinsics.page_flags(env, 1e-7)),
                new Case("page_flags(2n**64n - 1n)", () -> Intrinsics.page_flags(env, -1L)),
                new Case("is_zero_pfn(Infinity)", () -> Intrinsics.is_zero_pfn(env, Double.POSITIVE_INFINITY)),
                new Case("is_huge_zero_pmd(1.5)", () -> Intrinsics.is_huge_zero_pmd(env, 1.5)),
                new Case("pte_none(-1)", () -> Intrinsics.pte_none(-1.0)),
                new Case("is_swap_pte(1.5)", () -> Intrinsics.is_swap_pte(1.5)),
                new Case("pte_write(2**53)", () -> Intrinsics.pte_write(9007199254740992.0)),
                new Case("find_vma(null, 0)", () -> Intrinsics.find_vma(null, 0.0)),
                new Case("find_vma(mm, -2)", () -> Intrinsics.find_vma(mm, -2.0)),
                new Case("find_vma(mm, 123456789.125)", () -> Intrinsics.find_vma(mm, 123456789.125)),
                new Case("find_vma(mm, -1)", () -> Intrinsics.find_vma(mm, -1.0)),
                new Case("folio_mapcount(null)", () -> Intrinsics.folio_mapcount(null)),
                new Case("folio_test_anon(null)", () -> Intrinsics.folio_test_anon(null)),
                new Case("folio_precise_page_mapcount(null, 0)", () -> Intrinsics.folio_precise_page_mapcount(null, 0.0)),
                new Case("folio_precise_page_mapcount(f, f.pfn + 4096)", () -> Intrinsics.folio_precise_page_mapcount(f, f.pfn() + 4096.0)),
                new Case("folio_precise_page_mapcount(f, 0.5)", () -> Intrinsics.folio_precise_page_mapcount(f, 0.5)),
                new Case("file_dev(null)", () -> Intrinsics.file_dev(null)),
                new Case("mincore_page(null, 0)", () -> Intrinsics.mincore_page(null, 0.0)),
                new Case("mincore_page(m, -0)", () -> Intrinsics.mincore_page(file, -0.0)),
                new Case("mincore_page(m, 2n)", () -> Intrinsics.mincore_page(file, 2L)),
                new Case("thp_eligible(null)", () -> Intrinsics.thp_eligible(null)),
                new Case("vma_mmu_pagesize(null)", () -> Intrinsics.vma_mmu_pagesize(null)),
                new Case("vma_kernel_pagesize(null)", () -> Intrinsics.vma_kernel_pagesize(null)),
                new Case("show_smap_vma_flags(null)", () -> Intrinsics.show_smap_vma_flags(null)),
                new Case("get_gate_vma(null)", () -> Intrinsics.get_gate_vma(null)),
                new Case("MAJOR(0x1234567)", () -> Intrinsics.MAJOR(0x1234567)),
                new Case("MINOR(-0x1234567)", () -> Intrinsics.MINOR(-0x1234567)),
                new Case("MINOR(-0)", () -> Intrinsics.MINOR(-0.0)),
                new Case("page_flags(2**53 + 2)", () -> Intrinsics.page_flags(env, 9007199254740994.0)),
                new Case("find_vma(mm, 2**63)", () -> Intrinsics.find_vma(mm, 9223372036854775808.0)),
                new Case("find_vma(mm, 2n**64n - 1n)", () -> Intrinsics.find_vma(mm, -1L)),
                new Case("vm_normal_folio(v, 0, 2**53 - 1)", () -> Intrinsics.vm_normal_folio(v, 0.0, 9007199254740991.0)),
                new Case("folio_precise_page_mapcount(f, 2n**63n)", () -> Intrinsics.folio_precise_page_mapcount(f, Long.MIN_VALUE)),
                new Case("page_mapcount(2n)", () -> Intrinsics.page_mapcount(env, 2L)),
                new Case("is_zero_pfn(3n)", () -> Intrinsics.is_zero_pfn(env, 3L)),
                new Case("mincore_page(m, 1.5)", () -> Intrinsics.mincore_page(file, 1.5)));
        StringBuilder js = new StringBuilder(JS_HELPERS).append("""
                const v = mm.vmas[0];
                const m = mm.vmas.find(x => x.vm_file !== null).vm_file;
                const f = page_folio(pte_pfn(%sn));
                const out = [];
                """.formatted(Long.toUnsignedString(pte)));
        for (Case c : cases) {
            js.append("try { out.push(S(").append(c.js()).append(")); } catch (e) { out.push(").append(GraalJs.ERR).append("); }\n");
        }
        js.append("out.join('\\n');");
        String[] got = GraalJs.run(mm, js.toString()).split("\n");
        for (int i = 0; i < cases.size(); i++) {
            String have;
            try {
                Object r = cases.get(i).java().get();
                have = r instanceof Double d ? n(d) : r instanceof VmArea a ? "[object Object]" : show(r, Object.class);
            } catch (JsError e) {
                have = e.jsMessage();
            }
            assertEquals(got[i], have, cases.get(i).js());
        }
    }

    @Test
    void withoutAModelThePfnHelpersFailAsTheHostDoes() {
        Env none = env(null);
        String got = GraalJs.run(null, "const out = [];\n"
                + Arrays.stream(new String[] {"page_flags(0)", "page_mapcount(0)", "page_folio(0)", "is_zero_pfn(0)", "is_huge_zero_pmd(0n)",
                    "page_folio(0.5)", "page_mapcount(0.5)", "is_huge_zero_pmd(0.5)"})
                        .map(s -> "try { out.push(String(" + s + ")); } catch (e) { out.push(" + GraalJs.ERR + "); }\n")
                        .reduce("", String::concat)
                + "out.join('\\n');");
        List<Supplier<Object>> java = List.of(() -> Intrinsics.page_flags(none, 0.0), () -> Intrinsics.page_mapcount(none, 0.0),
                () -> Intrinsics.page_folio(none, 0.0), () -> Intrinsics.is_zero_pfn(none, 0.0),
                () -> Intrinsics.is_huge_zero_pmd(none, 0L), () -> Intrinsics.page_folio(none, 0.5),
                () -> Intrinsics.page_mapcount(none, 0.5), () -> Intrinsics.is_huge_zero_pmd(none, 0.5));
        String[] lines = got.split("\n");
        for (int i = 0; i < java.size(); i++) {
            String have;
            try {
                have = String.valueOf(java.get(i).get());
            } catch (JsError e) {
                have = e.jsMessage();
            }
            assertEquals(lines[i], have);
        }
    }
}
