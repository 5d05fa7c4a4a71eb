package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.walk.FolioWalk.FW_ZEROPAGE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.TestMm;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Item 55: {@code move_pages(pid, n, addrs, NULL, status)} reports what {@code folio_walk_start(...,
 * FW_ZEROPAGE)} finds ({@code do_pages_stat_array()} in mm/migrate.c): a folio gives its node, the
 * zero page -EFAULT, nothing -ENOENT. Checked on the real kernel against the fixture, and the
 * model's folio walk must give the same answer for the same kind of entry.
 */
class FolioWalkMovePagesTest {
    private static final long SYS_MOVE_PAGES = 279; // x86-64

    /** What kind of entry each probed address has. */
    private enum Kind { WRITTEN, READ, UNTOUCHED, GUARD }

    private static int[] movePages(int pid, long[] addrs) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pages = arena.allocate(JAVA_LONG, addrs.length);
            for (int i = 0; i < addrs.length; i++) {
                pages.setAtIndex(JAVA_LONG, i, addrs[i]);
            }
            MemorySegment status = arena.allocate(JAVA_INT, addrs.length);
            long ret = (long) syscall.invokeExact(SYS_MOVE_PAGES, (long) pid, (long) addrs.length, pages,
                    MemorySegment.NULL, status, 0L);
            assertEquals(0, ret, "move_pages");
            int[] out = new int[addrs.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = status.getAtIndex(JAVA_INT, i);
            }
            return out;
        }
    }

    /** {@code do_pages_stat_array()} on the model: node 0, -EFAULT for zero pages, -ENOENT for nothing. */
    private static int modelStatus(Kind kind, boolean readMapsZeroPage) {
        TestMm t = new TestMm();
        VmArea vma = t.anon(0x400000, 0x401000);
        switch (kind) {
            case WRITTEN -> t.page(0x400000);
            case READ -> {
                if (readMapsZeroPage) {
                    t.zeroPage(0x400000);
                } else {
                    t.page(0x400000);
                }
            }
            case UNTOUCHED -> { }
            case GUARD -> t.pte(0x400000, TestMm.guardMarker());
        }
        t.readLock();
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x400000, FW_ZEROPAGE);
        if (folio == null) {
            return -Errno.ENOENT;
        }
        boolean zero = t.mm.memMap().is_zero_pfn(folio.pfn()) || t.mm.memMap().is_huge_zero_pfn(folio.pfn());
        FolioWalk.folioWalkEnd(fw, vma);
        return zero ? -Errno.EFAULT : 0;
    }

    @Test
    void movePagesStatus_writtenIsANode_zeroPageEfault_untouchedAndGuardEnoent_andTheModelAgrees() throws Throwable {
        try (FixtureProcess fx = FixtureProcess.start("anon", "zero", "guard")) {
            boolean zeroMapped = fx.readFaultsMapZeroPage();
            List<Long> addrs = new ArrayList<>();
            List<Kind> kinds = new ArrayList<>();
            addrs.add(fx.region("anon").page(0));
            kinds.add(Kind.WRITTEN);
            addrs.add(fx.region("zero.read").page(0));
            kinds.add(Kind.READ);
            addrs.add(fx.region("zero.untouched").page(0));
            kinds.add(Kind.UNTOUCHED);
            addrs.add(fx.region("guard.markers").page(0));
            kinds.add(Kind.GUARD);
            addrs.add(fx.region("guard.untouched").page(0));
            kinds.add(Kind.UNTOUCHED);
            addrs.add(fx.region("guard.written").page(0));
            kinds.add(Kind.WRITTEN);

            int[] status = movePages(fx.pid(), addrs.stream().mapToLong(Long::longValue).toArray());
            for (int i = 0; i < status.length; i++) {
                int expected = switch (kinds.get(i)) {
                    case WRITTEN -> 0;
                    case READ -> zeroMapped ? -Errno.EFAULT : 0;
                    case UNTOUCHED, GUARD -> -Errno.ENOENT;
                };
                // A node id is >= 0; the test machine may have more than one node.
                int kernel = status[i] >= 0 ? 0 : status[i];
                assertEquals(expected, kernel, kinds.get(i) + " " + CallRecorder.hex(addrs.get(i)) + " " + fx.report());
                assertEquals(kernel, modelStatus(kinds.get(i), zeroMapped), kinds.get(i) + " (model)");
            }
        }
    }
}
