package io.pagewalk.runtime.procfs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two-letter {@code VmFlags:} codes of /proc/PID/smaps and the kernel's {@code VM_*} bit
 * values on x86-64 for Linux 6.18 (include/linux/mm.h, show_smap_vma_flags() in
 * fs/proc/task_mmu.c), for the configuration of the test machine.
 *
 * <p>The model keeps VMA flags as a {@code long} with the kernel's own bit numbers, so a VMA
 * imported from smaps carries exactly the bits the kernel had. Codes that have no bit on this
 * configuration (architecture- or config-dependent) cannot be put into the mask; they are kept
 * as strings ({@link Parsed#unmapped()}) so that nothing the kernel printed is lost.
 */
public final class VmFlagMnemonics {
    public static final long VM_READ = 1L << 0;
    public static final long VM_WRITE = 1L << 1;
    public static final long VM_EXEC = 1L << 2;
    public static final long VM_SHARED = 1L << 3;
    public static final long VM_MAYREAD = 1L << 4;
    public static final long VM_MAYWRITE = 1L << 5;
    public static final long VM_MAYEXEC = 1L << 6;
    public static final long VM_MAYSHARE = 1L << 7;
    public static final long VM_GROWSDOWN = 1L << 8;
    public static final long VM_UFFD_MISSING = 1L << 9;
    public static final long VM_PFNMAP = 1L << 10;
    /**
     * "gu": the VMA may contain guard regions. Upstream this arrived in 6.19 (bit 11); the
     * 6.18.44 kernel of the test machine already prints it after MADV_GUARD_INSTALL.
     */
    public static final long VM_MAYBE_GUARD = 1L << 11;
    public static final long VM_UFFD_WP = 1L << 12;
    public static final long VM_LOCKED = 1L << 13;
    public static final long VM_IO = 1L << 14;
    public static final long VM_SEQ_READ = 1L << 15;
    public static final long VM_RAND_READ = 1L << 16;
    public static final long VM_DONTCOPY = 1L << 17;
    public static final long VM_DONTEXPAND = 1L << 18;
    public static final long VM_LOCKONFAULT = 1L << 19;
    public static final long VM_ACCOUNT = 1L << 20;
    public static final long VM_NORESERVE = 1L << 21;
    public static final long VM_HUGETLB = 1L << 22;
    public static final long VM_SYNC = 1L << 23;
    /** "ar": the architecture-specific flag 1 (on x86 it was VM_PAT). */
    public static final long VM_ARCH_1 = 1L << 24;
    public static final long VM_WIPEONFORK = 1L << 25;
    public static final long VM_DONTDUMP = 1L << 26;
    public static final long VM_MIXEDMAP = 1L << 28;
    public static final long VM_HUGEPAGE = 1L << 29;
    public static final long VM_NOHUGEPAGE = 1L << 30;
    public static final long VM_MERGEABLE = 1L << 31;
    /** Bits 32..35 hold the protection key (ARCH_PKEY_BITS = 4); smaps prints it as ProtectionKey. */
    public static final long VM_PKEY_MASK = 0xfL << 32;
    /** 64-bit only, bit 40 since 6.11. */
    public static final long VM_DROPPABLE = 1L << 40;
    /** Bit 41 since the 2025 fix that moved it off the arm64 shadow-stack bit (was 38). */
    public static final long VM_UFFD_MINOR = 1L << 41;
    /** 64-bit only, bit 63 (mseal, 6.10+). */
    public static final long VM_SEALED = 1L << 63;

    /** Code to bit. */
    private static final Map<String, Long> BITS = new LinkedHashMap<>();

    /**
     * Codes the kernel knows but that have no bit on this configuration (x86-64 6.18, the test
     * machine's config); such a code is never printed here but may appear in smaps text taken
     * from another machine:
     * <ul>
     * <li>{@code bt}: VM_ARM64_BTI, arm64 only (VM_ARCH_1 there).</li>
     * <li>{@code mt}: VM_MTE, arm64 only.</li>
     * <li>{@code sd}: VM_SOFTDIRTY is bit 27 only with CONFIG_MEM_SOFT_DIRTY, off here (0).</li>
     * <li>{@code ss}: VM_SHADOW_STACK is bit 37 only with CONFIG_X86_USER_SHADOW_STACK, off here.</li>
     * </ul>
     */
    public static final Set<String> NO_BIT_ON_THIS_CONFIG = Set.of("bt", "mt", "sd", "ss");

    static {
        put("rd", VM_READ);
        put("wr", VM_WRITE);
        put("ex", VM_EXEC);
        put("sh", VM_SHARED);
        put("mr", VM_MAYREAD);
        put("mw", VM_MAYWRITE);
        put("me", VM_MAYEXEC);
        put("ms", VM_MAYSHARE);
        put("gd", VM_GROWSDOWN);
        put("pf", VM_PFNMAP);
        put("gu", VM_MAYBE_GUARD);
        put("lo", VM_LOCKED);
        put("io", VM_IO);
        put("sr", VM_SEQ_READ);
        put("rr", VM_RAND_READ);
        put("dc", VM_DONTCOPY);
        put("de", VM_DONTEXPAND);
        put("lf", VM_LOCKONFAULT);
        put("ac", VM_ACCOUNT);
        put("nr", VM_NORESERVE);
        put("ht", VM_HUGETLB);
        put("sf", VM_SYNC);
        put("ar", VM_ARCH_1);
        put("wf", VM_WIPEONFORK);
        put("dd", VM_DONTDUMP);
        put("mm", VM_MIXEDMAP);
        put("hg", VM_HUGEPAGE);
        put("nh", VM_NOHUGEPAGE);
        put("mg", VM_MERGEABLE);
        put("um", VM_UFFD_MISSING);
        put("uw", VM_UFFD_WP);
        put("ui", VM_UFFD_MINOR);
        put("dp", VM_DROPPABLE);
        put("sl", VM_SEALED);
    }

    private static void put(String code, long bit) {
        BITS.put(code, bit);
    }

    private VmFlagMnemonics() {
    }

    /** The result of parsing a {@code VmFlags:} value. */
    public record Parsed(long flags, Set<String> unmapped) {
        public Parsed {
            unmapped = Collections.unmodifiableSet(new LinkedHashSet<>(unmapped));
        }
    }

    /** The bit of a code, or 0 if it has none on this configuration (or is unknown). */
    public static long bitOf(String code) {
        Long bit = BITS.get(code);
        return bit == null ? 0 : bit;
    }

    /**
     * Parses the value of a {@code VmFlags:} line ("rd wr mr mw me ac"). Codes without a bit
     * here, and codes this table does not know (a newer kernel), go to {@link Parsed#unmapped()}.
     */
    public static Parsed parse(String value) {
        long flags = 0;
        Set<String> unmapped = new LinkedHashSet<>();
        for (String code : value.trim().split("\\s+")) {
            if (code.isEmpty()) {
                continue;
            }
            Long bit = BITS.get(code);
            if (bit == null) {
                unmapped.add(code);
            } else {
                flags |= bit;
            }
        }
        return new Parsed(flags, unmapped);
    }

    /**
     * The codes for {@code flags} in the kernel's printing order, which is bit order (bits
     * without a code, such as the protection key, are dropped).
     */
    public static List<String> codes(long flags) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0) {
                for (Map.Entry<String, Long> e : BITS.entrySet()) {
                    if (e.getValue() == 1L << bit) {
                        out.add(e.getKey());
                    }
                }
            }
        }
        return out;
    }

    /** The codes with a bit on this configuration, in printing (bit) order. */
    public static List<String> knownCodes() {
        long all = 0;
        for (long bit : BITS.values()) {
            all |= bit;
        }
        return codes(all);
    }
}
