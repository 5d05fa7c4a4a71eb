package io.pagewalk.runtime.walk.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.walk.PageWalkAction;
import io.pagewalk.runtime.walk.reference.FlatScanWalker.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Anchors the differential test's reference to the documented kernel behaviour
 * (pagewalk-semantics.md, conformance items 4, 5, 9, 18, 20, 21, 24, 25), independently of
 * {@code PageWalk}: if both walkers shared a misreading, these would catch it.
 */
class FlatScanWalkerTest {
    private static final long A = 0x400000;

    /** Records calls as text; returns 0 and sets no action. */
    static final class Log implements FlatScanWalker.Callbacks {
        final Set<Op> ops;
        final List<String> calls = new ArrayList<>();

        Log(Op first, Op... rest) {
            this.ops = EnumSet.of(first, rest);
        }

        private int add(String s) {
            calls.add(s);
            return 0;
        }

        private static String h(long v) {
            return "0x" + Long.toHexString(v);
        }

        private static String v(VmArea vma) {
            return vma == null ? "novma" : "vma";
        }

        @Override
        public Set<Op> ops() {
            return ops;
        }

        @Override
        public int pgdEntry(long entry, long addr, long next, VmArea vma) {
            return add("pgd " + h(addr) + " " + h(next));
        }

        @Override
        public int p4dEntry(long entry, long addr, long next, VmArea vma) {
            return add("p4d " + h(addr) + " " + h(next));
        }

        @Override
        public int pudEntry(long entry, long addr, long next, VmArea vma) {
            return add("pud " + h(addr) + " " + h(next));
        }

        @Override
        public int pmdEntry(long entry, long addr, long next, VmArea vma) {
            return add("pmd " + h(addr) + " " + h(next));
        }

        @Override
        public int pteEntry(long entry, long addr, long next, VmArea vma) {
            return add("pte " + h(addr) + " " + h(next) + (Pgtable.pte_none(entry) ? "" : " present"));
        }

        @Override
        public int pteHole(long addr, long next, int depth, VmArea vma) {
            return add("hole " + h(addr) + " " + h(next) + " " + depth + " " + v(vma));
        }

        @Override
        public int hugetlbEntry(long entry, long hmask, long addr, long next, VmArea vma) {
            return add("hugetlb " + h(addr) + " " + h(next));
        }

        @Override
        public int testWalk(long start, long end, VmArea vma) {
            return add("test_walk " + h(start) + " " + h(end));
        }

        @Override
        public int preVma(long start, long end, VmArea vma) {
            return add("pre_vma " + h(start) + " " + h(end));
        }

        @Override
        public void postVma(VmArea vma) {
            add("post_vma");
        }

        @Override
        public int installPte(long addr, long next, long[] newPte, VmArea vma) {
            return add("install " + h(addr));
        }

        @Override
        public PageWalkAction takeAction() {
            return null;
        }

        @Override
        public boolean takeClear() {
            return false;
        }
    }

    @Test
    void ptesOfAVmaAndGapHolesAround() {
        TestMm t = new TestMm();
        t.anon(A, A + 0x3000);
        t.page(A + 0x1000);
        Log log = new Log(Op.PTE, Op.HOLE);
        assertEquals(0, new FlatScanWalker(t.mm, log).walkPageRange(A - 0x1000, -1, true));
        assertEquals(List.of("hole 0x3ff000 0x400000 -1 novma", "pte 0x400000 0x401000",
                "pte 0x401000 0x402000 present", "pte 0x402000 0x403000", "hole 0x403000 0xffffffffffffffff -1 novma"),
                log.calls);
    }

    @Test
    void onlyPteHoleOnFourLevelsSeesGapsOnly() {
        TestMm t = new TestMm();
        t.anon(A, A + 0x3000);
        Log log = new Log(Op.HOLE);
        new FlatScanWalker(t.mm, log).walkPageRange(A - 0x1000, A + 0x4000, true);
        assertEquals(List.of("hole 0x3ff000 0x400000 -1 novma", "hole 0x403000 0x404000 -1 novma"), log.calls);

        TestMm five = new TestMm(PagingGeometry.X86_64_5LEVEL);
        five.anon(A, A + 0x3000);
        Log log5 = new Log(Op.HOLE);
        new FlatScanWalker(five.mm, log5).walkPageRange(A, A + 0x3000, true);
        assertEquals(List.of("hole 0x400000 0x403000 0 vma"), log5.calls);
    }

    @Test
    void foldedP4dCallsPgdAndP4dEntryAndEmptyTopSlotsGetPgdEntryAndDepthZeroHoles() {
        TestMm t = new TestMm();
        t.anon(A, A + 0x2000);
        t.page(A);
        Log log = new Log(Op.PGD, Op.P4D, Op.PMD, Op.HOLE);
        new FlatScanWalker(t.mm, log).walkPageRange(A, A + 0x2000, true);
        assertEquals(List.of("pgd 0x400000 0x402000", "p4d 0x400000 0x402000", "pmd 0x400000 0x402000"), log.calls);

        TestMm empty = new TestMm();
        empty.anon(A, A + 0x2000);
        Log holes = new Log(Op.PGD, Op.PMD, Op.HOLE);
        new FlatScanWalker(empty.mm, holes).walkPageRange(A, A + 0x2000, true);
        assertEquals(List.of("pgd 0x400000 0x402000", "hole 0x400000 0x402000 0 vma"), holes.calls);
    }

    @Test
    void holesAtEachDepthOnFourLevels() {
        TestMm t = new TestMm();
        long gib = PagingGeometry.PUD_SIZE;
        t.anon(gib - 0x200000, gib + 0x400000);
        t.page(gib + 0x200000); // PUD 1, PMD 1 populated; PMD 0 of PUD 1 none; PUD 0 none
        Log log = new Log(Op.PMD, Op.HOLE);
        new FlatScanWalker(t.mm, log).walkPageRange(gib - 0x200000, gib + 0x400000, true);
        assertEquals(List.of("hole 0x3fe00000 0x40000000 2 vma", "hole 0x40000000 0x40200000 3 vma",
                "pmd 0x40200000 0x40400000"), log.calls);
    }

    @Test
    void unalignedEndsVisitPartialPagesAndUnalignedStartsPropagate() {
        TestMm t = new TestMm();
        t.anon(A, A + 0x3000);
        t.page(A);
        Log one = new Log(Op.PTE);
        new FlatScanWalker(t.mm, one).walkPageRange(A, A + 1, true);
        assertEquals(List.of("pte 0x400000 0x401000 present"), one.calls);
        Log two = new Log(Op.PTE);
        new FlatScanWalker(t.mm, two).walkPageRange(A, A + 0x1001, true);
        assertEquals(List.of("pte 0x400000 0x401000 present", "pte 0x401000 0x402000"), two.calls);
        Log off = new Log(Op.PTE);
        new FlatScanWalker(t.mm, off).walkPageRange(A + 0x10, A + 0x2000, true);
        assertEquals(List.of("pte 0x400010 0x401010 present", "pte 0x401010 0x402010"), off.calls);
    }

    @Test
    void pfnmapWithoutTestWalkIsOneHoleWithTheVmaSet() {
        TestMm t = new TestMm();
        t.vma(A, A + 0x3000, TestMm.RW_ANON | io.pagewalk.runtime.mm.VmFlags.VM_PFNMAP);
        t.page(A);
        Log log = new Log(Op.PTE, Op.HOLE, Op.PRE_VMA);
        new FlatScanWalker(t.mm, log).walkPageRange(A, A + 0x3000, true);
        assertEquals(List.of("hole 0x400000 0x403000 -1 vma"), log.calls);
    }
}
