package io.pagewalk.runtime.procfs;

/**
 * The bits of /proc/kpageflags: the stable UAPI bits 0..26
 * (include/uapi/linux/kernel-page-flags.h) and the "kernel hacker" bits 32..42
 * (include/linux/kernel-page-flags.h), with the one-letter and long names that
 * tools/mm/page-types prints ({@code "U:uptodate"}).
 *
 * <p>page-types also shows a few bits that kpageflags itself never sets: the overloaded
 * meanings it derives (47 anon_exclusive = ANON and OWNER_2, 48 readahead, 50/51 slub) and the
 * pagemap-derived pseudo flags (61 file, 62 swap, 63 mmap_exclusive). They are listed here
 * with the same numbers so a combined word prints the same way.
 */
public final class KPageFlags {
    public static final int LOCKED = 0;
    /** No longer set since PG_error was removed (6.12). */
    public static final int ERROR = 1;
    public static final int REFERENCED = 2;
    public static final int UPTODATE = 3;
    /** PG_dirty only: written anonymous pages usually lack it (the PTE dirty bit is not exported). */
    public static final int DIRTY = 4;
    public static final int LRU = 5;
    public static final int ACTIVE = 6;
    public static final int SLAB = 7;
    public static final int WRITEBACK = 8;
    public static final int RECLAIM = 9;
    public static final int BUDDY = 10;
    public static final int MMAP = 11;
    public static final int ANON = 12;
    public static final int SWAPCACHE = 13;
    public static final int SWAPBACKED = 14;
    public static final int COMPOUND_HEAD = 15;
    public static final int COMPOUND_TAIL = 16;
    /** hugetlb. */
    public static final int HUGE = 17;
    public static final int UNEVICTABLE = 18;
    public static final int HWPOISON = 19;
    public static final int NOPAGE = 20;
    public static final int KSM = 21;
    /** Any large rmappable folio that is not hugetlb (any THP size; also the huge zero page). */
    public static final int THP = 22;
    public static final int OFFLINE = 23;
    public static final int ZERO_PAGE = 24;
    public static final int IDLE = 25;
    public static final int PGTABLE = 26;

    public static final int RESERVED = 32;
    public static final int MLOCKED = 33;
    /** For anonymous pages PG_anon_exclusive (formerly MAPPEDTODISK). */
    public static final int OWNER_2 = 34;
    public static final int PRIVATE = 35;
    public static final int PRIVATE_2 = 36;
    public static final int OWNER_PRIVATE = 37;
    public static final int ARCH = 38;
    /** Removed from the kernel; kept so old dumps decode. */
    public static final int UNCACHED = 39;
    /** page-types fills it from pagemap bit 55; kpageflags does not set it. */
    public static final int SOFTDIRTY = 40;
    public static final int ARCH_2 = 41;
    public static final int ARCH_3 = 42;

    public static final int ANON_EXCLUSIVE = 47;
    public static final int READAHEAD = 48;
    public static final int SLUB_FROZEN = 50;
    public static final int SLUB_DEBUG = 51;
    public static final int FILE = 61;
    public static final int SWAP = 62;
    public static final int MMAP_EXCLUSIVE = 63;

    private static final String[] NAMES = new String[64];

    static {
        NAMES[LOCKED] = "L:locked";
        NAMES[ERROR] = "E:error";
        NAMES[REFERENCED] = "R:referenced";
        NAMES[UPTODATE] = "U:uptodate";
        NAMES[DIRTY] = "D:dirty";
        NAMES[LRU] = "l:lru";
        NAMES[ACTIVE] = "A:active";
        NAMES[SLAB] = "S:slab";
        NAMES[WRITEBACK] = "W:writeback";
        NAMES[RECLAIM] = "I:reclaim";
        NAMES[BUDDY] = "B:buddy";
        NAMES[MMAP] = "M:mmap";
        NAMES[ANON] = "a:anonymous";
        NAMES[SWAPCACHE] = "s:swapcache";
        NAMES[SWAPBACKED] = "b:swapbacked";
        NAMES[COMPOUND_HEAD] = "H:compound_head";
        NAMES[COMPOUND_TAIL] = "T:compound_tail";
        NAMES[HUGE] = "G:huge";
        NAMES[UNEVICTABLE] = "u:unevictable";
        NAMES[HWPOISON] = "X:hwpoison";
        NAMES[NOPAGE] = "n:nopage";
        NAMES[KSM] = "x:ksm";
        NAMES[THP] = "t:thp";
        NAMES[OFFLINE] = "o:offline";
        NAMES[PGTABLE] = "g:pgtable";
        NAMES[ZERO_PAGE] = "z:zero_page";
        NAMES[IDLE] = "i:idle_page";
        NAMES[RESERVED] = "r:reserved";
        NAMES[MLOCKED] = "m:mlocked";
        NAMES[OWNER_2] = "d:owner_2";
        NAMES[PRIVATE] = "P:private";
        NAMES[PRIVATE_2] = "p:private_2";
        NAMES[OWNER_PRIVATE] = "O:owner_private";
        NAMES[ARCH] = "h:arch";
        NAMES[UNCACHED] = "c:uncached";
        NAMES[SOFTDIRTY] = "f:softdirty";
        NAMES[ARCH_2] = "H:arch_2";
        NAMES[ARCH_3] = "?:arch_3"; // page-types has no letter for it
        NAMES[ANON_EXCLUSIVE] = "d:anon_exclusive";
        NAMES[READAHEAD] = "I:readahead";
        NAMES[SLUB_FROZEN] = "A:slub_frozen";
        NAMES[SLUB_DEBUG] = "E:slub_debug";
        NAMES[FILE] = "F:file";
        NAMES[SWAP] = "w:swap";
        NAMES[MMAP_EXCLUSIVE] = "1:mmap_exclusive";
    }

    private KPageFlags() {
    }

    public static long mask(int bit) {
        return 1L << bit;
    }

    public static boolean has(long flags, int bit) {
        return (flags & (1L << bit)) != 0;
    }

    /** The long name of a bit ("uptodate"), or null if the bit has none. */
    public static String name(int bit) {
        String n = NAMES[bit];
        return n == null ? null : n.substring(2);
    }

    /** The page-types letter of a bit ('U'), or 0 if it has none. */
    public static char letter(int bit) {
        String n = NAMES[bit];
        return n == null || n.charAt(0) == '?' ? 0 : n.charAt(0);
    }

    /** page-types' long form: {@code "uptodate,lru,mmap,anonymous,swapbacked"} (bit order). */
    public static String longNames(long flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if (has(flags, bit)) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(NAMES[bit] == null ? "bit" + bit : NAMES[bit].substring(2));
            }
        }
        return sb.toString();
    }

    /**
     * page-types' one-letter form: one character per named bit in bit order, the letter when
     * set and '_' when clear (as {@code page_flag_name()} prints it).
     */
    public static String letters(long flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if (NAMES[bit] != null) {
                sb.append(has(flags, bit) ? NAMES[bit].charAt(0) : '_');
            }
        }
        return sb.toString();
    }
}
