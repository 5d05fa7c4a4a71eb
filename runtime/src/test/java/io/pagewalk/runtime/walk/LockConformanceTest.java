package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HUGETLB;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.INSTALL;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PMD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.TEST_WALK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.LockAssertionError;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code walk_lock} modes, the lock each entry point asserts, and what callbacks run under (45-47). */
class LockConformanceTest {

    private static MmWalkOps ops(PageWalkLock lock) {
        return MmWalkOps.builder().pteEntry((e, a, n, w) -> 0).walkLock(lock).build();
    }

    /** Three VMAs: [0x400000,0x401000), [0x600000,0x601000), [0x800000,0x801000). */
    private static TestMm threeVmas() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x401000);
        t.anon(0x600000, 0x601000);
        t.anon(0x800000, 0x801000);
        return t;
    }

    // ---- 45 ----

    @Test
    void rdlock_assertsTheMmapLockHeldForReadOrWrite() {
        TestMm t = threeVmas();
        MmWalkOps ops = ops(PageWalkLock.PGWALK_RDLOCK);
        LockAssertionError e = assertThrows(LockAssertionError.class,
                () -> PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, ops, null));
        assertTrue(e.getMessage().contains("mmap_assert_locked"), e.getMessage());
        try (var l = t.mm.mmapLock().read()) {
            assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, ops, null));
        }
        try (var l = t.mm.mmapLock().write()) {
            assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x401000, ops, null));
        }
    }

    @Test
    void wrlock_assertsWrite_andWriteLocksEachVmaEntered_evenOneTestWalkSkips_butNoOther() {
        TestMm t = threeVmas();
        List<VmArea> v = t.mm.vmas();
        MmWalkOps ops = MmWalkOps.builder().walkLock(PageWalkLock.PGWALK_WRLOCK)
                .testWalk((s, e, w) -> w.vma() == v.get(0) ? 1 : 0).pteEntry((e, a, n, w) -> 0).build();
        try (var l = t.mm.mmapLock().read()) {
            assertThrows(LockAssertionError.class, () -> PageWalk.walkPageRange(t.mm, 0x400000, 0x700000, ops, null));
        }
        try (var l = t.mm.mmapLock().write()) {
            assertEquals(0, PageWalk.walkPageRange(t.mm, 0x3ff000, 0x700000, ops, null));
            assertTrue(v.get(0).isWriteLocked());
            assertTrue(v.get(1).isWriteLocked());
            assertFalse(v.get(2).isWriteLocked());
        }
        assertFalse(v.get(0).isWriteLocked()); // mmap_write_unlock() releases every VMA write lock
    }

    @Test
    void wrlockVerify_assertsTheVmaIsAlreadyWriteLocked() {
        TestMm t = threeVmas();
        VmArea vma = t.mm.findVma(0x600000);
        MmWalkOps ops = ops(PageWalkLock.PGWALK_WRLOCK_VERIFY);
        try (var l = t.mm.mmapLock().write()) {
            LockAssertionError e = assertThrows(LockAssertionError.class,
                    () -> PageWalk.walkPageRange(t.mm, 0x600000, 0x601000, ops, null));
            assertTrue(e.getMessage().contains("vma_assert_write_locked"), e.getMessage());
            vma.vmaStartWrite();
            assertEquals(0, PageWalk.walkPageRange(t.mm, 0x600000, 0x601000, ops, null));
            assertEquals(0, PageWalk.walkPageVma(vma, ops, null));
        }
        try (var l = t.mm.mmapLock().read()) {
            assertThrows(LockAssertionError.class, () -> PageWalk.walkPageVma(vma, ops, null));
        }
    }

    @Test
    void vmaRdlockVerify_assertsNothingOnTheMmapLock_andAssertsTheVmaLock() {
        TestMm t = threeVmas();
        VmArea vma = t.mm.findVma(0x600000);
        MmWalkOps ops = ops(PageWalkLock.PGWALK_VMA_RDLOCK_VERIFY);
        LockAssertionError e = assertThrows(LockAssertionError.class,
                () -> PageWalk.walkPageRangeVma(vma, 0x600000, 0x601000, ops, null));
        assertTrue(e.getMessage().contains("vma_assert_locked"), e.getMessage());
        vma.vmaStartRead();
        assertEquals(0, PageWalk.walkPageRangeVma(vma, 0x600000, 0x601000, ops, null));
        assertEquals(0, PageWalk.walkPageVma(vma, ops, null));
        // Gaps need no lock; only the VMA entered is asserted.
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x500000, 0x601000, ops, null));
        assertThrows(LockAssertionError.class, () -> PageWalk.walkPageRange(t.mm, 0x500000, 0x801000, ops, null));
        vma.vmaEndRead();
    }

    // ---- 46 ----

    @Test
    void walkPageMapping_assertsOnlyIMmapRwsem() {
        TestMm t = new TestMm();
        AddressSpace file = new AddressSpace("/f", 1, 2, false);
        t.file(0x400000, 0x402000, TestMm.RW_ANON, file, 0);
        MmWalkOps ops = ops(PageWalkLock.PGWALK_WRLOCK); // walk_lock is not looked at
        LockAssertionError e = assertThrows(LockAssertionError.class,
                () -> PageWalk.walkPageMapping(file, 0, 2, ops, null));
        assertTrue(e.getMessage().contains("i_mmap_rwsem"), e.getMessage());
        file.iMmapLockWrite();
        assertEquals(0, PageWalk.walkPageMapping(file, 0, 2, ops, null));
        assertFalse(t.mm.findVma(0x400000).isWriteLocked());
        file.iMmapUnlockWrite();
    }

    @Test
    void kernelWalks_assertTheInitMmLock_lockless_assertsNothing_debugWalk_assertsWrite() {
        TestMm init = new TestMm();
        init.pte(0xffff888000000000L, 0);
        MmWalkOps ops = ops(PageWalkLock.PGWALK_RDLOCK);
        long a = 0xffff888000000000L;
        assertThrows(LockAssertionError.class,
                () -> PageWalk.walkKernelPageTableRange(init.mm, a, a + 0x1000, ops, null, null));
        assertEquals(0, PageWalk.walkKernelPageTableRangeLockless(init.mm, a, a + 0x1000, ops, null, null));
        assertEquals(-Errno.EINVAL, PageWalk.walkKernelPageTableRangeLockless(init.mm, a, a, ops, null, null));
        try (var l = init.mm.mmapLock().read()) {
            assertEquals(0, PageWalk.walkKernelPageTableRange(init.mm, a, a + 0x1000, ops, null, null));
            // walk_page_range_debug() (the no_vma walk of a user mm) needs the write lock.
            assertThrows(LockAssertionError.class,
                    () -> PageWalk.walkPageRangeNovma(init.mm, a, a + 0x1000, ops, null, null));
        }
        try (var l = init.mm.mmapLock().write()) {
            assertEquals(0, PageWalk.walkPageRangeNovma(init.mm, a, a + 0x1000, ops, null, null));
        }
    }

    // ---- 47 ----

    @Test
    void pteEntryAndInstallRunUnderThePtl_pmdEntryAndHolesDoNot_andThePtlIsReleasedEvenOnError() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x403000);
        t.page(0x401000);
        t.writeLock();
        List<String> seen = new ArrayList<>();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            seen.add("pmd ptl=" + e.lowerTable().ptlHeld());
            return 0;
        });
        r.on(CallRecorder.Hook.PTE, (e, a, n, d, w) -> {
            seen.add("pte ptl=" + e.table().ptlHeld());
            return 0;
        });
        r.on(INSTALL, (e, a, n, d, w) -> {
            seen.add("install ptl=" + PageTables.entry(w.mm(), a, PTE, false).table().ptlHeld());
            return a == 0x402000 ? -5 /* EIO */ : 0;
        });
        r.on(HOLE, (e, a, n, d, w) -> {
            seen.add("hole");
            return 0;
        });
        int ret = PageWalk.walkPageRangeMm(t.mm, 0x3ff000, 0x403000,
                r.ops(PMD, CallRecorder.Hook.PTE, INSTALL, HOLE), null);
        assertEquals(-5, ret);
        assertEquals(List.of("hole", "pmd ptl=false", "install ptl=true", "pte ptl=true", "install ptl=true"), seen);
        assertFalse(PageTables.entry(t.mm, 0x400000, PTE, false).table().ptlHeld());
    }

    @Test
    void hugetlbEntry_runsUnderTheHugetlbVmaLock_releasedAfterTheWalk() {
        TestMm t = new TestMm();
        VmArea vma = t.hugetlb(0x40000000L, 0x40400000L, PMD_SHIFT);
        t.hugetlbPage(0x40000000L, PMD_SHIFT);
        t.readLock();
        List<Boolean> locked = new ArrayList<>();
        CallRecorder r = new CallRecorder();
        CallRecorder.Reaction probe = (e, a, n, d, w) -> {
            locked.add(w.vma().hugetlbVmaLocked());
            return 0;
        };
        r.on(HUGETLB, probe).on(TEST_WALK, probe);
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000L, 0x40400000L, r.ops(HUGETLB, TEST_WALK), null));
        assertEquals(List.of(false, true, true), locked);
        assertFalse(vma.hugetlbVmaLocked());
    }
}
