package io.pagewalk.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks two models the same way and asserts the same callback sequences: every level's entry
 * callback with the raw entry, holes with their depth and VMA, hugetlb entries, test_walk,
 * pre_vma and post_vma; first without {@code pte_entry} (nothing splits), then with every
 * callback (huge PMDs split as the kernel would, on both), then {@code walk_page_mapping} of every
 * file. The models are compared again afterwards, since the walks changed them alike.
 */
public final class WalkEquality {
    private WalkEquality() {}

    public static void assertSameWalks(MmStruct a, MmStruct b) {
        assertEquals(walks(a), walks(b), "walk call sequences");
        ModelEquality.assertSameModel(a, b);
    }

    /** The call sequences of the three walks on {@code mm} (which they may change). */
    public static List<String> walks(MmStruct mm) {
        List<String> calls = new ArrayList<>();
        long end = mm.taskSize();
        mm.mmapLock().readLock();
        try {
            calls.add("walk_page_range without pte_entry = "
                    + PageWalk.walkPageRange(mm, 0, end, ops(calls, false), null));
            calls.add("walk_page_range with every callback = "
                    + PageWalk.walkPageRange(mm, 0, end, ops(calls, true), null));
        } finally {
            mm.mmapLock().readUnlock();
        }
        List<AddressSpace> files = mm.memMap().addressSpaces();
        for (int i = 0; i < files.size(); i++) {
            AddressSpace f = files.get(i);
            f.iMmapLockRead();
            try {
                calls.add("walk_page_mapping file[" + i + "] = "
                        + PageWalk.walkPageMapping(f, 0, 1L << 40, ops(calls, true), null));
            } finally {
                f.iMmapUnlockRead();
            }
        }
        return calls;
    }

    private static String hex(long v) {
        return Long.toHexString(v);
    }

    private static String vma(MmWalk w) {
        return w.vma() == null ? "novma" : "vma@" + hex(w.vma().start());
    }

    private static MmWalkOps ops(List<String> calls, boolean withPte) {
        MmWalkOps.Builder b = MmWalkOps.builder()
                .pgdEntry((e, a, n, w) -> add(calls, "pgd " + hex(a) + " " + hex(n) + " " + hex(e.get())))
                .p4dEntry((e, a, n, w) -> add(calls, "p4d " + hex(a) + " " + hex(n) + " " + hex(e.get())))
                .pudEntry((e, a, n, w) -> add(calls, "pud " + hex(a) + " " + hex(n) + " " + hex(e.get())))
                .pmdEntry((e, a, n, w) -> add(calls, "pmd " + hex(a) + " " + hex(n) + " " + hex(e.get())))
                .pteHole((a, n, d, w) -> add(calls, "hole " + hex(a) + " " + hex(n) + " " + d + " " + vma(w)))
                .hugetlbEntry((e, m, a, n, w) -> add(calls,
                        "hugetlb " + hex(a) + " " + hex(n) + " " + hex(m) + " " + hex(e.get())))
                .testWalk((s, e, w) -> add(calls, "test_walk " + hex(s) + " " + hex(e)))
                .preVma((s, e, w) -> add(calls, "pre_vma " + hex(s) + " " + hex(e)))
                .postVma(w -> calls.add("post_vma " + vma(w)));
        if (withPte) {
            b.pteEntry((e, a, n, w) -> add(calls, "pte " + hex(a) + " " + hex(e.get())));
        }
        return b.build();
    }

    private static int add(List<String> calls, String call) {
        calls.add(call);
        return 0;
    }
}
