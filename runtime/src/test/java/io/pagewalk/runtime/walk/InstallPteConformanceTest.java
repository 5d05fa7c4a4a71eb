package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.INSTALL;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.P4D;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PGD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PUD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@code install_pte} (items 41-44), including the guard-install protocol of mm/madvise.c. */
class InstallPteConformanceTest {
    private static final long GUARD = TestMm.guardMarker();

    // ---- 41 ----

    @Test
    void emptyVma_tablesAllocatedAtEveryLevel_installForEachPte_noHolesInsideButGapHolesStay() {
        for (PagingGeometry g : PagingGeometry.values()) {
            TestMm t = new TestMm(g);
            t.anon(0x400000, 0x402000);
            t.writeLock();
            CallRecorder r = new CallRecorder();
            r.installValue = GUARD;
            MmWalkOps ops = r.ops(java.util.EnumSet.of(PGD, P4D, PUD, CallRecorder.Hook.PMD,
                    CallRecorder.Hook.PTE, HOLE, INSTALL)).build();
            assertEquals(0, PageWalk.walkPageRangeMm(t.mm, 0x3ff000, 0x403000, ops, null));
            assertEquals(List.of(
                    "pte_hole 0x3ff000 0x400000 -1 novma",
                    "pgd_entry 0x400000 0x402000",
                    "p4d_entry 0x400000 0x402000",
                    "pud_entry 0x400000 0x402000",
                    "pmd_entry 0x400000 0x402000",
                    "install_pte 0x400000 0x401000",
                    "install_pte 0x401000 0x402000",
                    "pte_hole 0x402000 0x403000 -1 novma"), r.calls, g.name());
            assertEquals(GUARD, t.get(0x400000, PTE));
            assertEquals(GUARD, t.get(0x401000, PTE));
        }
    }

    // ---- 42 ----

    @Test
    void mixedRange_existingPtesGoToPteEntry_noneToInstall_anInstallErrorAbortsAndEarlierInstallsStay() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        long page = Pgtable.pfn_pte(t.page(0x401000), TestMm.PROT_RW);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        r.installValue = GUARD;
        r.on(INSTALL, (e, a, n, d, w) -> a == 0x402000 ? -Errno.ENOSPC : 0);
        assertEquals(-Errno.ENOSPC, PageWalk.walkPageRangeMm(t.mm, 0x400000, 0x404000,
                r.ops(CallRecorder.Hook.PTE, INSTALL), null));
        assertEquals(List.of(
                "install_pte 0x400000 0x401000",
                "pte_entry 0x401000 0x402000 " + CallRecorder.hex(page),
                "install_pte 0x402000 0x403000"), r.calls);
        assertEquals(GUARD, t.get(0x400000, PTE));
        assertEquals(page, t.get(0x401000, PTE));
        assertEquals(0, t.get(0x402000, PTE)); // the failed install is not written
        assertEquals(0, t.get(0x403000, PTE));
    }

    // ---- 43 ----

    @Test
    void tableAllocationFailure_abortsWithEnomem() {
        for (PagingGeometry g : PagingGeometry.values()) {
            for (int allowed = 0; allowed < g.pagingLevels() - 1; allowed++) {
                TestMm t = new TestMm(g);
                t.anon(0x400000, 0x402000);
                t.writeLock();
                t.mm.memMap().failTableAllocationsAfter(allowed);
                CallRecorder r = new CallRecorder();
                int ret = PageWalk.walkPageRangeMm(t.mm, 0x400000, 0x402000,
                        r.ops(CallRecorder.Hook.PTE, INSTALL, HOLE), null);
                assertEquals(-Errno.ENOMEM, ret, g + " after " + allowed);
                assertEquals(List.of(), r.calls, g + " after " + allowed);
            }
        }
    }

    // ---- 44 ----

    /** The guard-install ops of mm/madvise.c; {@code private} counts the pages now guarded. */
    private static MmWalkOps guardInstallOps() {
        return MmWalkOps.builder()
                .pudEntry((e, a, n, w) -> Pgtable.pud_trans_huge(e.get()) ? 1 : 0)
                .pmdEntry((e, a, n, w) -> Pgtable.pmd_trans_huge(e.get()) ? 1 : 0)
                .pteEntry((e, a, n, w) -> {
                    if (Swapops.is_guard_pte_marker(e.get())) {
                        ((long[]) w.privateData())[0]++;
                        return 0;
                    }
                    return 1;
                })
                .installPte((a, n, p, w) -> {
                    p.set(GUARD);
                    ((long[]) w.privateData())[0]++;
                    return 0;
                })
                .build();
    }

    private static final int MAX_MADVISE_GUARD_RETRIES = 3;
    private static final int RESTART = -513; // -ERESTARTNOINTR, what restart_syscall() returns

    /** {@code madvise_guard_install()}: walk, zap what is populated, retry, or ask for a restart. */
    private static int guardInstall(MmStruct mm, long start, long end, Consumer<long[]> zap, int[] walks) {
        for (int i = 0; i < MAX_MADVISE_GUARD_RETRIES; i++) {
            long[] nrPages = {0};
            walks[0]++;
            int err = PageWalk.walkPageRangeMm(mm, start, end, guardInstallOps(), nrPages);
            if (err < 0) {
                return err;
            }
            if (err == 0) {
                assertEquals((end - start) / PAGE_SIZE, nrPages[0]);
                return 0;
            }
            zap.accept(new long[] {start, end});
        }
        return RESTART;
    }

    /** {@code zap_page_range_single()} for the model: populated PTEs and huge PMDs become none. */
    private static Consumer<long[]> zapper(MmStruct mm) {
        return range -> {
            for (long a = range[0]; a < range[1]; a += PAGE_SIZE) {
                EntryPointer pmd = PageTables.entry(mm, a, PMD, false);
                if (pmd != null && Pgtable.pmd_trans_huge(pmd.get())) {
                    pmd.set(0);
                    continue;
                }
                EntryPointer pte = PageTables.entry(mm, a, PTE, false);
                if (pte != null && Pgtable.pte_present(pte.get())) {
                    pte.set(0);
                }
            }
        };
    }

    @Test
    void guardInstall_populatedPageAndThp_areZappedAndRetried_untilEveryPageIsGuarded() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        t.page(0x401000);
        t.thp(0x600000);
        t.readLock();
        int[] walks = {0};
        assertEquals(0, guardInstall(t.mm, 0x400000, 0x800000, zapper(t.mm), walks));
        // The first walk stops with 1 at the page; the zap clears the whole range (page and THP).
        assertEquals(2, walks[0]);
        for (long a = 0x400000; a < 0x800000; a += PAGE_SIZE) {
            assertEquals(GUARD, t.get(a, PTE), CallRecorder.hex(a));
        }
    }

    @Test
    void guardInstall_thp_pmdEntryReturns1WithoutSplitting_thenTheZapLetsTheRetryInstall() {
        TestMm t = new TestMm();
        t.anon(0x600000, 0x800000);
        t.thp(0x600000);
        long thp = t.get(0x600000, PMD);
        t.readLock();
        long[] nr = {0};
        assertEquals(1, PageWalk.walkPageRangeMm(t.mm, 0x600000, 0x800000, guardInstallOps(), nr));
        assertEquals(thp, t.get(0x600000, PMD));
        assertEquals(0, nr[0]);
        int[] walks = {0};
        assertEquals(0, guardInstall(t.mm, 0x600000, 0x800000, zapper(t.mm), walks));
        assertEquals(2, walks[0]);
        assertEquals(GUARD, t.get(0x7ff000, PTE));
    }

    @Test
    void guardInstall_pageThatKeepsComingBack_givesRestartAfterThreeWalks() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x402000);
        t.page(0x401000);
        t.readLock();
        int[] walks = {0};
        assertEquals(RESTART, guardInstall(t.mm, 0x400000, 0x402000, range -> { }, walks));
        assertEquals(MAX_MADVISE_GUARD_RETRIES, walks[0]);
        // The installs done before the populated page stay.
        assertEquals(GUARD, t.get(0x400000, PTE));
        assertTrue(Pgtable.pte_present(t.get(0x401000, PTE)));
    }
}
