package io.pagewalk.dsl.api;

import io.pagewalk.dsl.adapter.HookBinder;
import io.pagewalk.dsl.compiler.rt.CompiledHookException;
import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.MmapLock;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.thp.ThpPolicy;
import io.pagewalk.runtime.walk.FolioWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.builder.SyntheticConfig;
import io.pagewalk.runtime.builder.ThpMode;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.builder.SyscallException;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.PageWalkLock;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The host side of the prelude: the only object through which script code reaches Java. It is
 * visible to the prelude's closure only; its functions take handles and plain values.
 */
final class HostApi implements ProxyObject {
    private final ScriptSession session;
    private final Map<String, ProxyExecutable> functions = new HashMap<>();
    /** The address spaces this script made with mm_create() (or fork), and their builders. */
    private final Map<MmStruct, SyntheticProcess> synthetic = new java.util.IdentityHashMap<>();
    private SyntheticProcess lastSynthetic;

    HostApi(ScriptSession session) {
        this.session = session;
        fn("scratch", a -> session.resultBuffer());
        fn("vmas", a -> {
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, "mm.vmas");
            List<Object> out = new ArrayList<>();
            for (VmArea v : mm.vmas()) {
                out.add(session.vmaObject(v));
            }
            return ProxyArray.fromList(out);
        });
        fn("find_vma", a -> {
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, "find_vma");
            VmArea v = mm.findVma(Conv.addr(a[1], "find_vma"));
            return v == null ? null : session.vmaObject(v);
        });

        // What show_map_vma() and show_smap() print besides the walk's counters.
        fn("get_gate_vma", a -> {
            VmArea gate = Handle.unwrap(a[0], MmStruct.class, "get_gate_vma").gateVma();
            return gate == null ? null : session.vmaObject(gate);
        });
        fn("vma_kernel_pagesize", a -> Handle.unwrap(a[0], VmArea.class, "vma_kernel_pagesize").pageSize());
        fn("show_smap_vma_flags", a -> VmFlags.toSmapsString(Handle.unwrap(a[0], VmArea.class, "show_smap_vma_flags").flags()));
        fn("file_dev", a -> Handle.unwrap(a[0], AddressSpace.class, "file_dev").device());
        fn("mincore_page", a -> {
            AddressSpace mapping = Handle.unwrap(a[0], AddressSpace.class, "mincore_page");
            return mapping.pageCache().containsKey(Conv.number(a[1], "mincore_page index"));
        });

        fn("walk_page_range", a -> {
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, "walk_page_range");
            long start = Conv.addr(a[1], "walk_page_range start");
            long end = Conv.addr(a[2], "walk_page_range end");
            return walk(a[3], a[4], "walk_page_range", ops -> locked(mm, ops, null, start, end, false,
                    () -> PageWalk.walkPageRange(mm, start, end, ops, a[4])));
        });
        fn("walk_page_range_mm", a -> {
            requireWrite("walk_page_range_mm");
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, "walk_page_range_mm");
            long start = Conv.addr(a[1], "walk_page_range_mm start");
            long end = Conv.addr(a[2], "walk_page_range_mm end");
            return walk(a[3], a[4], "walk_page_range_mm", ops -> locked(mm, ops, null, start, end, false,
                    () -> PageWalk.walkPageRangeMm(mm, start, end, ops, a[4])));
        });
        fn("walk_page_range_novma", a -> {
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, "walk_page_range_novma");
            long start = Conv.addr(a[1], "walk_page_range_novma start");
            long end = Conv.addr(a[2], "walk_page_range_novma end");
            if (a[4] != null && !a[4].isNull()) {
                throw new IllegalArgumentException("walk_page_range_novma: pgd must be null (mm->pgd); other roots are not modelled");
            }
            return walk(a[3], a[5], "walk_page_range_novma", ops -> locked(mm, ops, null, start, end, true,
                    () -> PageWalk.walkPageRangeNovma(mm, start, end, ops, null, a[5])));
        });
        fn("walk_page_range_vma", a -> {
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "walk_page_range_vma");
            long start = Conv.addr(a[1], "walk_page_range_vma start");
            long end = Conv.addr(a[2], "walk_page_range_vma end");
            return walk(a[3], a[4], "walk_page_range_vma", ops -> locked(vma.mm(), ops, vma, start, end, false,
                    () -> PageWalk.walkPageRangeVma(vma, start, end, ops, a[4])));
        });
        fn("walk_page_vma", a -> {
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "walk_page_vma");
            return walk(a[1], a[2], "walk_page_vma", ops -> locked(vma.mm(), ops, vma, vma.start(), vma.end(), false,
                    () -> PageWalk.walkPageVma(vma, ops, a[2])));
        });
        fn("walk_page_mapping", a -> {
            AddressSpace mapping = Handle.unwrap(a[0], AddressSpace.class, "walk_page_mapping");
            long first = Conv.number(a[1], "walk_page_mapping first_index");
            long nr = Conv.number(a[2], "walk_page_mapping nr");
            return walk(a[3], a[4], "walk_page_mapping", ops -> {
                // The caller holds i_mmap_rwsem; pagewalk takes it for the script.
                mapping.iMmapLockRead();
                try {
                    return PageWalk.walkPageMapping(mapping, first, nr, ops, a[4]);
                } finally {
                    mapping.iMmapUnlockRead();
                }
            });
        });

        fn("folio_walk_start", a -> folioWalkStart(a));
        // The JavaScript error a compiled hook raised, for the prelude to throw as one: {kind, message}.
        fn("compiled_error", a -> {
            CompiledHookException e = session.takeCompiledErrorForScript();
            if (e == null) {
                return null;
            }
            Map<String, Object> r = new HashMap<>();
            r.put("kind", e.kind());
            r.put("message", e.plainMessage());
            return ProxyObject.fromMap(r);
        });
        fn("folio_walk_end", a -> {
            FolioWalk fw = Handle.unwrap(a[0], FolioWalk.class, "folio_walk_end");
            VmArea vma = Handle.unwrap(a[1], VmArea.class, "folio_walk_end");
            FolioWalkState st = fwState.remove(fw);
            if (st != null) {
                FolioWalk.folioWalkEnd(fw, vma);
                st.release();
            }
            return null;
        });

        fn("pgtableTest", a -> (boolean) invoke(PGTABLE_TESTS, a[0].asString(), Conv.bits(a[1], a[0].asString())));
        fn("pgtableNum", a -> (long) invoke(PGTABLE_NUMS, a[0].asString(), Conv.bits(a[1], a[0].asString())));
        fn("swapTest", a -> (boolean) invoke(SWAP_TESTS, a[0].asString(), Conv.bits(a[1], a[0].asString())));
        fn("swapNum", a -> {
            Object r = invoke(SWAP_NUMS, a[0].asString(), Conv.bits(a[1], a[0].asString()));
            return r;
        });
        fn("swap64", a -> {
            session.resultBuffer().putLong(0, (long) invoke(SWAP_64, a[0].asString(), Conv.bits(a[1], a[0].asString())));
            return null;
        });

        fn("vm_normal_page", a -> Memory.vm_normal_page(Handle.unwrap(a[0], VmArea.class, "vm_normal_page"),
                Conv.addr(a[1], "vm_normal_page"), Conv.bits(a[2], "vm_normal_page")));
        fn("vm_normal_page_pmd", a -> Memory.vm_normal_page_pmd(Handle.unwrap(a[0], VmArea.class, "vm_normal_page_pmd"),
                Conv.addr(a[1], "vm_normal_page_pmd"), Conv.bits(a[2], "vm_normal_page_pmd")));
        fn("vm_normal_folio", a -> {
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "vm_normal_folio");
            long pfn = Memory.vm_normal_page(vma, Conv.addr(a[1], "vm_normal_folio"), Conv.bits(a[2], "vm_normal_folio"));
            return pfn < 0 ? null : folio(vma.mm(), pfn);
        });
        fn("is_huge_zero_pmd", a -> Memory.is_huge_zero_pmd(model("is_huge_zero_pmd").memMap(),
                Conv.bits(a[0], "is_huge_zero_pmd")));
        fn("page_folio", a -> {
            long pfn = Conv.number(a[0], "page_folio");
            MmStruct mm = model("page_folio");
            return mm.memMap().pfnValid(pfn) ? folio(mm, pfn) : null;
        });
        fn("page_mapcount", a -> model("page_mapcount").memMap().mapcount(Conv.number(a[0], "page_mapcount")));
        fn("page_flags", a -> {
            session.resultBuffer().putLong(0, model("page_flags").memMap().flags(Conv.number(a[0], "page_flags")));
            return null;
        });
        fn("is_zero_pfn", a -> model("is_zero_pfn").memMap().is_zero_pfn(Conv.number(a[0], "is_zero_pfn")));
        fn("folio", a -> folioQuery(a[0].asString(), Handle.unwrap(a[1], FolioWalk.Folio.class, a[0].asString())));
        fn("folio_precise_page_mapcount", a -> {
            FolioWalk.Folio f = Handle.unwrap(a[0], FolioWalk.Folio.class, "folio_precise_page_mapcount");
            long pfn = Conv.number(a[1], "folio_precise_page_mapcount");
            if (pfn < f.pfn() || pfn >= f.pfn() + f.mm().memMap().folioNrPages(f.pfn())) {
                throw new IllegalArgumentException("folio_precise_page_mapcount: pfn 0x" + Long.toHexString(pfn)
                        + " is not in the folio at 0x" + Long.toHexString(f.pfn()));
            }
            return f.mm().memMap().mapcount(pfn);
        });
        fn("set_entry_at", a -> {
            int level = a[3].asInt();
            String name = level == PagingGeometry.PTE ? "set_pte_at" : "set_pmd_at";
            requireWrite(name);
            MmStruct mm = Handle.unwrap(a[0], MmStruct.class, name);
            long addr = Conv.addr(a[1], name);
            long value = Conv.bits(a[2], name);
            PageTables.set(mm, addr, level, value);
            session.entryWritten(mm, addr, level, value);
            return null;
        });
        builder();
        pluginHelpers();
    }

    /**
     * {@code mm_create()} and the system calls of the address spaces it makes: the synthetic
     * builder ({@link SyntheticProcess}) under the script's hands. They change only models the
     * script made itself, so they need no {@code --allow-write}; a live or loaded model refuses them.
     */
    private void builder() {
        fn("mm_create", a -> {
            SyntheticConfig config = SyntheticConfig.defaults();
            if (a.length > 0 && a[0] != null && a[0].hasMembers()) {
                Value o = a[0];
                if (o.hasMember("levels") && !o.getMember("levels").isNull()) {
                    config = config.withPagingLevels(Conv.integer(o.getMember("levels"), "mm_create: levels"));
                }
                if (o.hasMember("thp") && !o.getMember("thp").isNull()) {
                    config = config.withThpMode(ThpMode.valueOf(o.getMember("thp").asString().toUpperCase(java.util.Locale.ROOT)));
                }
                if (o.hasMember("zero_page") && !o.getMember("zero_page").isNull()) {
                    config = config.withZeroPage(o.getMember("zero_page").asBoolean());
                }
                if (o.hasMember("swap") && !o.getMember("swap").isNull()) {
                    config = config.withSwap(o.getMember("swap").asBoolean());
                }
            }
            return processObject(new SyntheticProcess(config));
        });
        fn("mm_syscall", a -> {
            String call = a[0].asString();
            SyntheticProcess p = synthetic.get(Handle.unwrap(a[1], MmStruct.class, "mm." + call));
            if (p == null) {
                throw new IllegalArgumentException("mm." + call + ": only address spaces made by mm_create() can be changed");
            }
            try {
                return switch (call) {
                    case "mmap" -> Conv.addrToJs(p.mmap(Conv.addr(a[2], "mm.mmap"), Conv.number(a[3], "mm.mmap: len"),
                            Conv.integer(a[4], "mm.mmap: prot"), Conv.integer(a[5], "mm.mmap: flags"), null, 0));
                    case "munmap" -> p.munmap(Conv.addr(a[2], "mm.munmap"), Conv.number(a[3], "mm.munmap: len"));
                    case "mprotect" -> p.mprotect(Conv.addr(a[2], "mm.mprotect"), Conv.number(a[3], "mm.mprotect: len"),
                            Conv.integer(a[4], "mm.mprotect: prot"));
                    case "madvise" -> p.madvise(Conv.addr(a[2], "mm.madvise"), Conv.number(a[3], "mm.madvise: len"),
                            Conv.integer(a[4], "mm.madvise: advice"));
                    case "mlock" -> p.mlock(Conv.addr(a[2], "mm.mlock"), Conv.number(a[3], "mm.mlock: len"));
                    case "munlock" -> p.munlock(Conv.addr(a[2], "mm.munlock"), Conv.number(a[3], "mm.munlock: len"));
                    case "touch" -> {
                        p.touch(Conv.addr(a[2], "mm.touch"), Conv.number(a[3], "mm.touch: len"), a[4].asBoolean());
                        yield 0;
                    }
                    case "fork" -> processObject(p.fork());
                    default -> throw new IllegalArgumentException("mm." + call + ": no such call");
                };
            } catch (SyscallException e) {
                // Scripts see the kernel's failure as an exception naming the call and the errno.
                throw new IllegalArgumentException("mm." + call + ": " + e.getMessage());
            }
        });
    }

    private Value processObject(SyntheticProcess p) {
        synthetic.put(p.mm(), p);
        lastSynthetic = p;
        return session.mmObject(p.mm());
    }

    /** Helpers the reference plugins need: THP eligibility, and the writes clear_refs and guard make. */
    private void pluginHelpers() {
        fn("thp_eligible", a -> {
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "thp_eligible");
            MmStruct mm = vma.mm();
            // Unknown settings (a snapshot without them): no answer rather than a guess.
            return mm.thpSettings() == null ? ThpPolicy.UNKNOWN : ThpPolicy.smapsEligible(vma, mm.thpSettings(), mm.thpDisabled());
        });
        fn("folio_clear_referenced", a -> {
            requireWrite("folio_clear_referenced");
            FolioWalk.Folio f = Handle.unwrap(a[0], FolioWalk.Folio.class, "folio_clear_referenced");
            f.mm().memMap().folioClearFlag(f.pfn(), PageFlags.REFERENCED);
            return null;
        });
        fn("zap_page_range_single", a -> {
            requireWrite("zap_page_range_single");
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "zap_page_range_single");
            ZapRange.zapPageRangeSingle(vma, Conv.addr(a[1], "zap_page_range_single address"),
                    Conv.addr(a[2], "zap_page_range_single size"));
            return null;
        });
        fn("vm_flags_mod", a -> {
            requireWrite("vm_flags_set");
            VmArea vma = Handle.unwrap(a[0], VmArea.class, "vm_flags_set");
            long set = Conv.bits(a[1], "vm_flags_set");
            long clear = Conv.bits(a[2], "vm_flags_clear");
            vma.setFlags((vma.flags() | set) & ~clear);
            session.vmaChanged(vma);
            return session.vmaObject(vma);
        });
    }

    private final Map<FolioWalk, FolioWalkState> fwState = new java.util.IdentityHashMap<>();

    /** The mmap lock folio_walk_start took for the script, released by folio_walk_end. */
    private record FolioWalkState(MmapLock.Held held, VmArea vma) {
        void release() {
            if (held != null) {
                held.close();
            }
        }
    }

    private Object folioWalkStart(Value[] a) {
        VmArea vma = Handle.unwrap(a[0], VmArea.class, "folio_walk_start");
        long addr = Conv.addr(a[1], "folio_walk_start");
        int flags = Conv.integer(a[2], "folio_walk_start flags");
        MmapLock lock = vma.mm().mmapLock();
        MmapLock.Held held = lock.isLocked() ? null : lock.read();
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio;
        try {
            folio = FolioWalk.folioWalkStart(fw, vma, addr, flags);
        } catch (RuntimeException e) {
            if (held != null) {
                held.close();
            }
            throw e;
        }
        if (folio == null) {
            if (held != null) {
                held.close();
            }
            return null;
        }
        fwState.put(fw, new FolioWalkState(held, vma));
        session.resultBuffer().putLong(0, fw.value);
        Map<String, Object> r = new HashMap<>();
        r.put("page", fw.page);
        r.put("level", fw.level.ordinal());
        r.put("levelName", switch (fw.level) {
            case FW_LEVEL_PTE -> "pte";
            case FW_LEVEL_PMD -> "pmd";
            case FW_LEVEL_PUD -> "pud";
        });
        r.put("handle", new Handle(fw));
        r.put("folio", folio(vma.mm(), folio.pfn()));
        return ProxyObject.fromMap(r);
    }

    /** Ends the folio walks a script left open (an error between start and end), and their locks. */
    void releaseFolioWalks() {
        for (var e : fwState.entrySet()) {
            if (e.getKey().ptl() != null) {
                FolioWalk.folioWalkEnd(e.getKey(), e.getValue().vma());
            }
            e.getValue().release();
        }
        fwState.clear();
    }

    private Value folio(MmStruct mm, long pfn) {
        return session.folioObject(mm, pfn);
    }

    private static Object folioQuery(String name, FolioWalk.Folio f) {
        MemMap mem = f.mm().memMap();
        long flags = mem.flags(f.pfn());
        return switch (name) {
            case "folio_mapcount" -> mem.folioMapcount(f.pfn());
            case "folio_nr_pages" -> mem.folioNrPages(f.pfn());
            case "folio_order" -> mem.folioOrder(f.pfn());
            case "folio_pfn" -> f.pfn();
            case "folio_test_large" -> mem.folioOrder(f.pfn()) > 0;
            case "folio_maybe_mapped_shared" -> mem.folioMaybeMappedShared(f.pfn());
            case "folio_test_anon" -> (flags & PageFlags.ANON) != 0;
            case "folio_test_ksm" -> (flags & PageFlags.KSM) != 0;
            case "folio_test_swapbacked" -> (flags & PageFlags.SWAPBACKED) != 0;
            case "folio_test_dirty" -> (flags & PageFlags.DIRTY) != 0;
            case "folio_test_referenced" -> (flags & PageFlags.REFERENCED) != 0;
            case "folio_test_lru" -> (flags & PageFlags.LRU) != 0;
            case "folio_test_mlocked" -> (flags & PageFlags.MLOCKED) != 0;
            default -> throw new IllegalArgumentException("no folio query " + name);
        };
    }

    /** The model PFN helpers use now, or null (the compiled path's intrinsics say it their way). */
    MmStruct modelOrNull() {
        return session.mm() != null ? session.mm() : lastSynthetic != null ? lastSynthetic.mm() : null;
    }

    /**
     * The machine PFN helpers look pages up in: the target's, or, in a script without a target,
     * the one of the address spaces it made with mm_create() (the last one made; forks share it).
     */
    private MmStruct model(String what) {
        if (session.mm() != null) {
            return session.mm();
        }
        if (lastSynthetic != null) {
            return lastSynthetic.mm();
        }
        throw new IllegalStateException(what + ": no address space (run with --pid or --snapshot, or make one with mm_create())");
    }

    private void requireWrite(String what) {
        if (!session.options().allowWrite()) {
            throw new IllegalStateException(what + ": the model is read-only (run with --allow-write)");
        }
    }

    @FunctionalInterface
    private interface WalkCall {
        int run(MmWalkOps ops);
    }

    /** Binds the script's ops and runs one walk with its own entry buffer. */
    private Object walk(Value ops, Value priv, String what, WalkCall call) {
        if (ops == null || !ops.hasMembers()) {
            throw new IllegalArgumentException(what + ": ops must be an object of hooks, got " + Conv.describe(ops));
        }
        ScriptSession.EntryBuffer buffer = session.enterWalk();
        long t0 = System.nanoTime();
        try {
            HookBinder.Bound bound = HookBinder.bind(session.hookContext(buffer), session.compiler(), ops, priv, what);
            long t1 = System.nanoTime();
            session.bindTime(t1 - t0);
            try {
                return call.run(bound.ops());
            } catch (CompiledHookException e) {
                // The script sees what GraalJS would have thrown: an API error is the host's
                // exception, a TypeError or RangeError is made one by the prelude (compiledError).
                session.compiledError(e);
                if (e.kind() == null) {
                    throw new IllegalArgumentException(e.plainMessage());
                }
                throw e;
            } finally {
                bound.finish().run();
                session.walkTime(System.nanoTime() - t1);
            }
        } finally {
            session.exitWalk();
        }
    }

    /**
     * Takes the locks the kernel's caller would hold for {@code ops.walk_lock}, unless the script is
     * already inside a walk that holds them: mmap_lock for read (RDLOCK) or write (WRLOCK*, novma),
     * the VMAs write-locked for WRLOCK_VERIFY, per-VMA read locks for VMA_RDLOCK_VERIFY.
     */
    private static int locked(MmStruct mm, MmWalkOps ops, VmArea only, long start, long end, boolean novma,
            IntSupplier walk) {
        MmapLock lock = mm.mmapLock();
        PageWalkLock kind = ops.walkLock();
        boolean write = novma || kind == PageWalkLock.PGWALK_WRLOCK || kind == PageWalkLock.PGWALK_WRLOCK_VERIFY;
        MmapLock.Held held = null;
        List<VmArea> readLocked = new ArrayList<>();
        try {
            if (write) {
                if (!lock.isWriteLocked()) {
                    held = lock.write();
                }
            } else if (kind != PageWalkLock.PGWALK_VMA_RDLOCK_VERIFY && !lock.isLocked()) {
                held = lock.read();
            }
            if (!novma && (kind == PageWalkLock.PGWALK_WRLOCK_VERIFY || kind == PageWalkLock.PGWALK_VMA_RDLOCK_VERIFY)) {
                for (VmArea v : only != null ? List.of(only) : mm.vmas()) {
                    if (Long.compareUnsigned(v.end(), start) <= 0 || (end != -1 && Long.compareUnsigned(v.start(), end) >= 0)) {
                        continue;
                    }
                    if (kind == PageWalkLock.PGWALK_WRLOCK_VERIFY) {
                        v.vmaStartWrite();
                    } else {
                        v.vmaStartRead();
                        readLocked.add(v);
                    }
                }
            }
            return walk.getAsInt();
        } finally {
            for (VmArea v : readLocked) {
                v.vmaEndRead();
            }
            if (held != null) {
                held.close();
            }
        }
    }

    // ---------------------------------------------------------------- runtime helpers by name

    private static final Map<String, MethodHandle> PGTABLE_TESTS = handles(Pgtable.class, boolean.class);
    private static final Map<String, MethodHandle> PGTABLE_NUMS = handles(Pgtable.class, long.class);
    private static final Map<String, MethodHandle> SWAP_TESTS = handles(Swapops.class, boolean.class);
    private static final Map<String, MethodHandle> SWAP_NUMS;
    private static final Map<String, MethodHandle> SWAP_64;

    static {
        Map<String, MethodHandle> nums = new HashMap<>(handles(Swapops.class, int.class));
        Map<String, MethodHandle> longs = handles(Swapops.class, long.class);
        nums.put("swp_offset", longs.get("swp_offset"));
        nums.put("swp_offset_pfn", longs.get("swp_offset_pfn"));
        SWAP_NUMS = Map.copyOf(nums);
        SWAP_64 = longs;
    }

    private static Map<String, MethodHandle> handles(Class<?> type, Class<?> result) {
        Map<String, MethodHandle> out = new HashMap<>();
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        for (var m : type.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getReturnType() == result
                    && m.getParameterCount() == 1 && m.getParameterTypes()[0] == long.class) {
                try {
                    out.put(m.getName(), lookup.findStatic(type, m.getName(), MethodType.methodType(result, long.class)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    private static Object invoke(Map<String, MethodHandle> table, String name, long arg) {
        MethodHandle h = table.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no helper " + name);
        }
        try {
            return h.invoke(arg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---------------------------------------------------------------- ProxyObject

    private void fn(String name, ProxyExecutable f) {
        functions.put(name, f);
    }

    @Override
    public Object getMember(String key) {
        return functions.get(key);
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray(functions.keySet().toArray());
    }

    @Override
    public boolean hasMember(String key) {
        return functions.containsKey(key);
    }

    @Override
    public void putMember(String key, Value value) {
        throw new UnsupportedOperationException("read-only");
    }

    /** Errno as a script sees it. */
    static int einval() {
        return -Errno.EINVAL;
    }
}
