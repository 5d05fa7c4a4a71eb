package io.pagewalk.runtime.walk;

import io.pagewalk.runtime.pgtable.EntryPointer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds ops whose chosen callbacks record every call (name, addresses in hex, depth, whether a VMA
 * was set) and return 0, so tests can compare the exact callback sequence with the kernel's.
 *
 * <p>Formats: {@code "pgd_entry A N"} (likewise p4d/pud/pmd; {@code "... VALUE"} with
 * {@link #withValues}), {@code "pte_entry A N VALUE"},
 * {@code "pte_hole A N DEPTH vma@START|novma"}, {@code "hugetlb_entry A N VALUE"},
 * {@code "install_pte A N"}, {@code "test_walk S E"}, {@code "pre_vma S E"},
 * {@code "post_vma vma@START"}. A {@link Reaction} registered with {@link #on} runs after the
 * record and its result is what the callback returns (to set actions, change entries, fail).
 */
public final class CallRecorder {
    public enum Hook { PGD, P4D, PUD, PMD, PTE, HOLE, HUGETLB, TEST_WALK, PRE_VMA, POST_VMA, INSTALL }

    /**
     * What a hook does after being recorded. {@code entry} is null for hooks without one
     * (pte_hole, test_walk, pre_vma); {@code depth} is the hole depth, else 0.
     */
    @FunctionalInterface
    public interface Reaction {
        int react(EntryPointer entry, long addr, long next, int depth, MmWalk walk);
    }

    public final List<String> calls = new ArrayList<>();
    private final Map<Hook, Reaction> reactions = new EnumMap<>(Hook.class);
    /** The value {@code install_pte} writes (a guard marker in the tests that use it). */
    public long installValue;
    /** Append the entry's value to pgd/p4d/pud/pmd_entry records too ({@code "pmd_entry A N VALUE"}). */
    public boolean withValues;

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public static String vma(MmWalk walk) {
        return walk.vma() == null ? "novma" : "vma@" + hex(walk.vma().start());
    }

    /** Registers what {@code hook} does after recording; returns this. */
    public CallRecorder on(Hook hook, Reaction reaction) {
        reactions.put(hook, reaction);
        return this;
    }

    private int react(Hook hook, EntryPointer e, long a, long n, int depth, MmWalk w) {
        Reaction r = reactions.get(hook);
        return r == null ? 0 : r.react(e, a, n, depth, w);
    }

    public MmWalkOps.Builder ops(Set<Hook> hooks) {
        MmWalkOps.Builder b = MmWalkOps.builder();
        if (hooks.contains(Hook.PGD)) {
            b.pgdEntry((e, a, n, w) -> entry(Hook.PGD, "pgd_entry", e, a, n, w));
        }
        if (hooks.contains(Hook.P4D)) {
            b.p4dEntry((e, a, n, w) -> entry(Hook.P4D, "p4d_entry", e, a, n, w));
        }
        if (hooks.contains(Hook.PUD)) {
            b.pudEntry((e, a, n, w) -> entry(Hook.PUD, "pud_entry", e, a, n, w));
        }
        if (hooks.contains(Hook.PMD)) {
            b.pmdEntry((e, a, n, w) -> entry(Hook.PMD, "pmd_entry", e, a, n, w));
        }
        if (hooks.contains(Hook.PTE)) {
            b.pteEntry((e, a, n, w) -> {
                calls.add("pte_entry " + hex(a) + " " + hex(n) + " " + hex(e.get()));
                return react(Hook.PTE, e, a, n, 0, w);
            });
        }
        if (hooks.contains(Hook.HOLE)) {
            b.pteHole((a, n, d, w) -> {
                calls.add("pte_hole " + hex(a) + " " + hex(n) + " " + d + " " + vma(w));
                return react(Hook.HOLE, null, a, n, d, w);
            });
        }
        if (hooks.contains(Hook.HUGETLB)) {
            b.hugetlbEntry((e, m, a, n, w) -> {
                calls.add("hugetlb_entry " + hex(a) + " " + hex(n) + " " + hex(e.get()) + " hmask=" + hex(m));
                return react(Hook.HUGETLB, e, a, n, 0, w);
            });
        }
        if (hooks.contains(Hook.TEST_WALK)) {
            b.testWalk((s, e, w) -> {
                calls.add("test_walk " + hex(s) + " " + hex(e));
                return react(Hook.TEST_WALK, null, s, e, 0, w);
            });
        }
        if (hooks.contains(Hook.PRE_VMA)) {
            b.preVma((s, e, w) -> {
                calls.add("pre_vma " + hex(s) + " " + hex(e));
                return react(Hook.PRE_VMA, null, s, e, 0, w);
            });
        }
        if (hooks.contains(Hook.POST_VMA)) {
            b.postVma(w -> calls.add("post_vma " + vma(w)));
        }
        if (hooks.contains(Hook.INSTALL)) {
            b.installPte((a, n, p, w) -> {
                calls.add("install_pte " + hex(a) + " " + hex(n));
                p.set(installValue);
                return react(Hook.INSTALL, p, a, n, 0, w);
            });
        }
        return b;
    }

    public MmWalkOps ops(Hook first, Hook... rest) {
        return ops(EnumSet.of(first, rest)).build();
    }

    private int entry(Hook hook, String name, EntryPointer e, long a, long n, MmWalk w) {
        calls.add(name + " " + hex(a) + " " + hex(n) + (withValues ? " " + hex(e.get()) : ""));
        return react(hook, e, a, n, 0, w);
    }

    /** The calls whose text starts with {@code prefix}. */
    public List<String> only(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).toList();
    }
}
