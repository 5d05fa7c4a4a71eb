package io.pagewalk.runtime.mm;

/**
 * {@code vm_flags} bits with the values of x86-64 Linux 6.18 ({@code include/linux/mm.h}), and the
 * two-letter mnemonics {@code /proc/PID/smaps} prints for them ({@code show_smap_vma_flags()}), in
 * the kernel's print order.
 */
public final class VmFlags {
    private VmFlags() {}

    public static final long VM_NONE = 0;
    public static final long VM_READ = 0x1L;
    public static final long VM_WRITE = 0x2L;
    public static final long VM_EXEC = 0x4L;
    public static final long VM_SHARED = 0x8L;
    public static final long VM_MAYREAD = 0x10L;
    public static final long VM_MAYWRITE = 0x20L;
    public static final long VM_MAYEXEC = 0x40L;
    public static final long VM_MAYSHARE = 0x80L;
    public static final long VM_GROWSDOWN = 0x100L;
    public static final long VM_UFFD_MISSING = 0x200L;
    public static final long VM_PFNMAP = 0x400L;
    /** "gu": may contain guard regions (upstream 6.19; the 6.18.44 test kernel already prints it). */
    public static final long VM_MAYBE_GUARD = 0x800L;
    public static final long VM_UFFD_WP = 0x1000L;
    public static final long VM_LOCKED = 0x2000L;
    public static final long VM_IO = 0x4000L;
    public static final long VM_SEQ_READ = 0x8000L;
    public static final long VM_RAND_READ = 0x10000L;
    public static final long VM_DONTCOPY = 0x20000L;
    public static final long VM_DONTEXPAND = 0x40000L;
    public static final long VM_LOCKONFAULT = 0x80000L;
    public static final long VM_ACCOUNT = 0x100000L;
    public static final long VM_NORESERVE = 0x200000L;
    public static final long VM_HUGETLB = 0x400000L;
    public static final long VM_SYNC = 0x800000L;
    /** VM_ARCH_1 on x86: VM_PAT. */
    public static final long VM_PAT = 0x1000000L;
    public static final long VM_WIPEONFORK = 0x2000000L;
    public static final long VM_DONTDUMP = 0x4000000L;
    /** Only with CONFIG_MEM_SOFT_DIRTY (0 on a kernel without it; kept as a bit here). */
    public static final long VM_SOFTDIRTY = 0x8000000L;
    public static final long VM_MIXEDMAP = 0x10000000L;
    public static final long VM_HUGEPAGE = 0x20000000L;
    public static final long VM_NOHUGEPAGE = 0x40000000L;
    public static final long VM_MERGEABLE = 0x80000000L;
    public static final long VM_PKEY_BIT0 = 1L << 32;
    public static final long VM_PKEY_BIT1 = 1L << 33;
    public static final long VM_PKEY_BIT2 = 1L << 34;
    public static final long VM_PKEY_BIT3 = 1L << 35;
    public static final long VM_SHADOW_STACK = 1L << 37;
    /** Bit 41 since the 2025 fix that moved it off the arm64 shadow-stack bit (was 38). */
    public static final long VM_UFFD_MINOR = 1L << 41;
    public static final long VM_ALLOW_ANY_UNCACHED = 1L << 39;
    public static final long VM_DROPPABLE = 1L << 40;
    /** mseal (6.10+): bit 63 on 64-bit. */
    public static final long VM_SEALED = 1L << 63;

    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    public static final long VM_STACK = VM_GROWSDOWN;
    public static final long VM_PKEY_MASK = VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3;
    /** {@code VM_SPECIAL}: mappings the THP and merge code leave alone. */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;

    /**
     * smaps mnemonics by bit number. {@code show_smap_vma_flags()} prints them in bit order, each
     * followed by a space. Bits with no entry have no mnemonic on x86-64 (arm64's {@code bt} and
     * {@code mt}; the pkey bits, printed as {@code ProtectionKey:} instead).
     */
    private static final String[] MNEMONICS = new String[64];

    static {
        Object[][] table = {
            {"rd", VM_READ}, {"wr", VM_WRITE}, {"ex", VM_EXEC}, {"sh", VM_SHARED},
            {"mr", VM_MAYREAD}, {"mw", VM_MAYWRITE}, {"me", VM_MAYEXEC}, {"ms", VM_MAYSHARE},
            {"gd", VM_GROWSDOWN}, {"um", VM_UFFD_MISSING}, {"pf", VM_PFNMAP}, {"gu", VM_MAYBE_GUARD},
            {"uw", VM_UFFD_WP}, {"lo", VM_LOCKED}, {"io", VM_IO}, {"sr", VM_SEQ_READ},
            {"rr", VM_RAND_READ}, {"dc", VM_DONTCOPY}, {"de", VM_DONTEXPAND}, {"lf", VM_LOCKONFAULT},
            {"ac", VM_ACCOUNT}, {"nr", VM_NORESERVE}, {"ht", VM_HUGETLB}, {"sf", VM_SYNC},
            {"ar", VM_PAT}, {"wf", VM_WIPEONFORK}, {"dd", VM_DONTDUMP}, {"sd", VM_SOFTDIRTY},
            {"mm", VM_MIXEDMAP}, {"hg", VM_HUGEPAGE}, {"nh", VM_NOHUGEPAGE}, {"mg", VM_MERGEABLE},
            {"ss", VM_SHADOW_STACK}, {"ui", VM_UFFD_MINOR}, {"dp", VM_DROPPABLE}, {"sl", VM_SEALED},
        };
        for (Object[] m : table) {
            MNEMONICS[Long.numberOfTrailingZeros((Long) m[1])] = (String) m[0];
        }
    }

    /** The mnemonic of one flag bit, or null. */
    public static String mnemonic(long bit) {
        return Long.bitCount(bit) == 1 ? MNEMONICS[Long.numberOfTrailingZeros(bit)] : null;
    }

    /** The bit for a smaps mnemonic, or 0 for one this model does not hold (arm64's "bt", "mt"). */
    public static long fromMnemonic(String code) {
        for (int bit = 0; bit < 64; bit++) {
            if (code.equals(MNEMONICS[bit])) {
                return 1L << bit;
            }
        }
        return 0;
    }

    /** The {@code VmFlags:} line body as the kernel prints it: bit order, a space after each. */
    public static String toSmapsString(long flags) {
        StringBuilder out = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0 && MNEMONICS[bit] != null) {
                out.append(MNEMONICS[bit]).append(' ');
            }
        }
        return out.toString();
    }

    /** {@code VM_READ|VM_WRITE|VM_EXEC|VM_SHARED} as the maps permission string ("rw-p"). */
    public static String permissions(long flags) {
        return "" + ((flags & VM_READ) != 0 ? 'r' : '-') + ((flags & VM_WRITE) != 0 ? 'w' : '-')
                + ((flags & VM_EXEC) != 0 ? 'x' : '-') + ((flags & VM_MAYSHARE) != 0 ? 's' : 'p');
    }
}
