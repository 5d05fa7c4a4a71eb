package io.pagewalk.runtime.walk;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Builds ops whose chosen callbacks record every call (name, addresses in hex, depth, whether a VMA
 * was set) and return 0, so tests can compare the exact callback sequence with the kernel's.
 */
public final class CallRecorder {
    public enum Hook { PGD, P4D, PUD, PMD, PTE, HOLE, HUGETLB, TEST_WALK, PRE_VMA, POST_VMA }

    public final List<String> calls = new ArrayList<>();

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private String vma(MmWalk walk) {
        return walk.vma() == null ? "novma" : "vma@" + hex(walk.vma().start());
    }

    public MmWalkOps.Builder ops(Set<Hook> hooks) {
        MmWalkOps.Builder b = MmWalkOps.builder();
        if (hooks.contains(Hook.PGD)) {
            b.pgdEntry((e, a, n, w) -> record("pgd_entry " + hex(a) + " " + hex(n)));
        }
        if (hooks.contains(Hook.P4D)) {
            b.p4dEntry((e, a, n, w) -> record("p4d_entry " + hex(a) + " " + hex(n)));
        }
        if (hooks.contains(Hook.PUD)) {
            b.pudEntry((e, a, n, w) -> record("pud_entry " + hex(a) + " " + hex(n)));
        }
        if (hooks.contains(Hook.PMD)) {
            b.pmdEntry((e, a, n, w) -> record("pmd_entry " + hex(a) + " " + hex(n)));
        }
        if (hooks.contains(Hook.PTE)) {
            b.pteEntry((e, a, n, w) -> record("pte_entry " + hex(a) + " " + hex(n) + " " + hex(e.get())));
        }
        if (hooks.contains(Hook.HOLE)) {
            b.pteHole((a, n, d, w) -> record("pte_hole " + hex(a) + " " + hex(n) + " " + d + " " + vma(w)));
        }
        if (hooks.contains(Hook.HUGETLB)) {
            b.hugetlbEntry((e, m, a, n, w) -> record("hugetlb_entry " + hex(a) + " " + hex(n) + " " + hex(e.get())));
        }
        if (hooks.contains(Hook.TEST_WALK)) {
            b.testWalk((s, e, w) -> record("test_walk " + hex(s) + " " + hex(e)));
        }
        if (hooks.contains(Hook.PRE_VMA)) {
            b.preVma((s, e, w) -> record("pre_vma " + hex(s) + " " + hex(e)));
        }
        if (hooks.contains(Hook.POST_VMA)) {
            b.postVma(w -> calls.add("post_vma " + vma(w)));
        }
        return b;
    }

    public MmWalkOps ops(Hook first, Hook... rest) {
        return ops(EnumSet.of(first, rest)).build();
    }

    private int record(String call) {
        calls.add(call);
        return 0;
    }
}
