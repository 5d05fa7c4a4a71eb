package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.P4D;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PGD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PMD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PTE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PUD;
import static io.pagewalk.runtime.walk.PageWalkAction.ACTION_AGAIN;
import static io.pagewalk.runtime.walk.PageWalkAction.ACTION_CONTINUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code walk->action}: SUBTREE, CONTINUE, AGAIN at PUD and PMD level (items 27-33). */
class ActionConformanceTest {

    /** VMA [0x400000, 0x800000): a page at 0x401000 (PMD 2), an anon THP at 0x600000 (PMD 3). */
    private static TestMm pageAndThp() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        t.page(0x401000);
        t.thp(0x600000);
        t.readLock();
        return t;
    }

    private static String pte(TestMm t, long addr) {
        return CallRecorder.hex(t.get(addr, PagingGeometry.PTE));
    }

    // ---- 27 ----

    @Test
    void pmdEntryContinue_noPteEntryForThatPmd_andNoSplit() {
        TestMm t = pageAndThp();
        long thp = t.get(0x600000, PagingGeometry.PMD);
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            w.setAction(ACTION_CONTINUE);
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x800000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of("pmd_entry 0x400000 0x600000", "pmd_entry 0x600000 0x800000"), r.calls);
        assertEquals(thp, t.get(0x600000, PagingGeometry.PMD));
    }

    @Test
    void pudEntryContinue_noPmdOrPteCallbacksBelowIt() {
        TestMm t = pageAndThp();
        CallRecorder r = new CallRecorder();
        r.on(PUD, (e, a, n, d, w) -> {
            w.setAction(ACTION_CONTINUE);
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x800000, r.ops(PUD, PMD, PTE, HOLE), null));
        assertEquals(List.of("pud_entry 0x400000 0x800000"), r.calls);
    }

    // ---- 28 ----

    @Test
    void pmdEntryAgainOnce_theSamePmdIsCalledTwice_thenDescended() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x402000);
        t.page(0x401000);
        t.readLock();
        AtomicInteger n = new AtomicInteger();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, nx, d, w) -> {
            if (n.getAndIncrement() == 0) {
                w.setAction(ACTION_AGAIN);
            }
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of(
                "pmd_entry 0x400000 0x402000",
                "pmd_entry 0x400000 0x402000",
                "pte_entry 0x400000 0x401000 0x0",
                "pte_entry 0x401000 0x402000 " + pte(t, 0x401000)), r.calls);
    }

    @Test
    void pmdEntryAgainAfterClearingThePmd_theRetryFindsAHoleOfDepth3() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x402000);
        t.page(0x401000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            e.set(0);
            w.setAction(ACTION_AGAIN);
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of("pmd_entry 0x400000 0x402000", "pte_hole 0x400000 0x402000 3 vma@0x400000"), r.calls);
    }

    @Test
    void pudEntryAgainOnce_theSamePudIsCalledTwice() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x401000);
        t.pte(0x400000, 0);
        t.readLock();
        AtomicInteger n = new AtomicInteger();
        CallRecorder r = new CallRecorder();
        r.on(PUD, (e, a, nx, d, w) -> {
            if (n.getAndIncrement() == 0) {
                w.setAction(ACTION_AGAIN);
            }
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, r.ops(PUD, PTE), null));
        assertEquals(List.of(
                "pud_entry 0x400000 0x401000",
                "pud_entry 0x400000 0x401000",
                "pte_entry 0x400000 0x401000 0x0"), r.calls);
    }

    // ---- 29 ----

    @Test
    void pteEntryAgain_restartsTheWholePmdRange_includingPmdEntry() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x403000);
        t.page(0x401000);
        t.readLock();
        AtomicInteger n = new AtomicInteger();
        CallRecorder r = new CallRecorder();
        r.on(PTE, (e, a, nx, d, w) -> {
            if (a == 0x401000 && n.getAndIncrement() == 0) {
                w.setAction(ACTION_AGAIN);
            }
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x403000, r.ops(PMD, PTE, HOLE), null));
        String p1 = "pte_entry 0x401000 0x402000 " + pte(t, 0x401000);
        assertEquals(List.of(
                "pmd_entry 0x400000 0x403000",
                "pte_entry 0x400000 0x401000 0x0",
                p1,
                "pte_entry 0x402000 0x403000 0x0",
                "pmd_entry 0x400000 0x403000",
                "pte_entry 0x400000 0x401000 0x0",
                p1,
                "pte_entry 0x402000 0x403000 0x0"), r.calls);
    }

    // ---- 30 ----

    @Test
    void action_isResetToSubtreeBeforeEveryPudAndPmdCallback() {
        TestMm t = new TestMm();
        t.anon(0x40000000L, 0x80400000L);
        t.page(0x40000000L);
        t.page(0x40200000L);
        t.page(0x80000000L);
        t.page(0x80200000L);
        t.readLock();
        List<String> seen = new ArrayList<>();
        CallRecorder r = new CallRecorder();
        CallRecorder.Reaction spoil = (e, a, n, d, w) -> {
            seen.add(CallRecorder.hex(a) + " " + w.action());
            w.setAction(ACTION_CONTINUE);
            return 0;
        };
        r.on(PUD, (e, a, n, d, w) -> {
            seen.add("pud " + CallRecorder.hex(a) + " " + w.action());
            return 0; // leaves SUBTREE
        });
        r.on(PMD, spoil);
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000L, 0x80400000L, r.ops(PUD, PMD), null));
        assertEquals(List.of(
                "pud 0x40000000 ACTION_SUBTREE",
                "0x40000000 ACTION_SUBTREE",
                "0x40200000 ACTION_SUBTREE",
                "pud 0x80000000 ACTION_SUBTREE",
                "0x80000000 ACTION_SUBTREE",
                "0x80200000 ACTION_SUBTREE"), seen);
    }

    @Test
    void action_6_18_isNotResetForNoneEntries_theHoleSeesThePreviousAction() {
        // 6.18/7.0 reset the action only for non-none entries; the mm tree resets it at the top of
        // every iteration. The model follows 6.18 (CONFORMANCE.md).
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        t.page(0x400000);
        t.readLock();
        List<PageWalkAction> seen = new ArrayList<>();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            w.setAction(ACTION_CONTINUE);
            return 0;
        });
        r.on(HOLE, (e, a, n, d, w) -> {
            seen.add(w.action());
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x800000, r.ops(PMD, HOLE), null));
        assertEquals(List.of("pmd_entry 0x400000 0x600000", "pte_hole 0x600000 0x800000 3 vma@0x400000"), r.calls);
        assertEquals(List.of(ACTION_CONTINUE), seen);
    }

    // ---- 31 ----

    @Test
    void actionSetInPgdOrP4dEntry_hasNoEffect() {
        for (PagingGeometry g : PagingGeometry.values()) {
            for (CallRecorder.Hook hook : List.of(PGD, P4D)) {
                for (PageWalkAction action : List.of(ACTION_CONTINUE, ACTION_AGAIN)) {
                    assertActionIgnored(g, hook, action);
                }
            }
        }
    }

    private static void assertActionIgnored(PagingGeometry g, CallRecorder.Hook hook, PageWalkAction action) {
        TestMm t = new TestMm(g);
        t.anon(0x400000, 0x401000);
        t.pte(0x400000, 0);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(hook, (e, a, n, d, w) -> {
            w.setAction(action);
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, r.ops(PGD, P4D, PMD, PTE), null));
        assertEquals(List.of(
                "pgd_entry 0x400000 0x401000",
                "p4d_entry 0x400000 0x401000",
                "pmd_entry 0x400000 0x401000",
                "pte_entry 0x400000 0x401000 0x0"), r.calls, g + " " + hook + " " + action);
    }

    // ---- 32 ----

    @Test
    void walkerRaisedAgain_pteTableGoneBeforeThePteWalk_retriesAndFindsAHole() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x402000);
        t.page(0x401000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            e.set(0); // the table goes away, the action stays SUBTREE
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of("pmd_entry 0x400000 0x402000", "pte_hole 0x400000 0x402000 3 vma@0x400000"), r.calls);
    }

    @Test
    void walkerRaisedAgain_pmdTurnedIntoAMigrationEntry_isSplitOnRetry() {
        // pmd_entry swaps the table for a PMD migration entry: split_huge_pmd() turns it back into
        // a table of PTE migration entries, which the PTE walk then sees.
        TestMm t = new TestMm();
        t.anon(0x400000, 0x600000);
        t.pte(0x400000, 0);
        t.readLock();
        long migration = io.pagewalk.runtime.pgtable.Swapops.swp_entry_to_pmd(
                io.pagewalk.runtime.pgtable.Swapops.make_migration_entry(
                        io.pagewalk.runtime.pgtable.Swapops.SWP_MIGRATION_READ, 0x200000));
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            e.set(migration);
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(3, r.calls.size());
        assertTrue(r.calls.get(1).startsWith("pte_entry 0x400000 0x401000 "), r.calls.toString());
        long pte = t.get(0x400000, PagingGeometry.PTE);
        assertTrue(io.pagewalk.runtime.pgtable.Swapops.is_migration_entry(
                io.pagewalk.runtime.pgtable.Swapops.pte_to_swp_entry(pte)));
    }

    // ---- 33 ----

    @Test
    void againForever_isStoppedAfterMaxAgainRetries_withEloop_deviation() {
        for (CallRecorder.Hook hook : List.of(PUD, PMD, PTE)) {
            TestMm t = new TestMm();
            t.anon(0x400000, 0x401000);
            t.pte(0x400000, 0);
            t.readLock();
            AtomicInteger calls = new AtomicInteger();
            CallRecorder r = new CallRecorder();
            r.on(hook, (e, a, n, d, w) -> {
                calls.incrementAndGet();
                w.setAction(ACTION_AGAIN);
                return 0;
            });
            MmWalkOps ops = r.ops(java.util.EnumSet.of(hook, PTE)).build();
            assertEquals(-Errno.ELOOP, PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, ops, null), hook.name());
            assertEquals(PageWalk.MAX_AGAIN_RETRIES + 1, calls.get(), hook.name());
        }
    }

    @Test
    void againGuard_countsPerEntry_soManyRetriesSpreadOverEntriesSucceed() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        t.pte(0x400000, 0);
        t.pte(0x600000, 0);
        t.readLock();
        java.util.Map<Long, Integer> perEntry = new java.util.HashMap<>();
        MmWalkOps ops = MmWalkOps.builder().pmdEntry((e, a, n, w) -> {
            if (perEntry.merge(a, 1, Integer::sum) <= PageWalk.MAX_AGAIN_RETRIES) {
                w.setAction(ACTION_AGAIN);
            }
            return 0;
        }).build();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x800000, ops, null));
        assertEquals(PageWalk.MAX_AGAIN_RETRIES + 1, perEntry.get(0x400000L));
        assertEquals(PageWalk.MAX_AGAIN_RETRIES + 1, perEntry.get(0x600000L));
        assertTrue(Pgtable.pmd_present(t.get(0x400000, PagingGeometry.PMD)));
    }
}
