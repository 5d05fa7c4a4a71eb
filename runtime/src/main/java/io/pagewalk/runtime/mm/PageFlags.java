package io.pagewalk.runtime.mm;

/**
 * Page flags in the numbering of {@code /proc/kpageflags} ({@code KPF_*}), which is the model's
 * own representation: it is the stable user-visible encoding, the one live imports read and
 * snapshots store, and kernel engineers know it from page-types. Bits 32-42 are the
 * kernel-hacker bits page-types shows with {@code -r}.
 */
public final class PageFlags {
    private PageFlags() {}

    public static final int KPF_LOCKED = 0;
    public static final int KPF_ERROR = 1;
    public static final int KPF_REFERENCED = 2;
    public static final int KPF_UPTODATE = 3;
    public static final int KPF_DIRTY = 4;
    public static final int KPF_LRU = 5;
    public static final int KPF_ACTIVE = 6;
    public static final int KPF_SLAB = 7;
    public static final int KPF_WRITEBACK = 8;
    public static final int KPF_RECLAIM = 9;
    public static final int KPF_BUDDY = 10;
    public static final int KPF_MMAP = 11;
    public static final int KPF_ANON = 12;
    public static final int KPF_SWAPCACHE = 13;
    public static final int KPF_SWAPBACKED = 14;
    public static final int KPF_COMPOUND_HEAD = 15;
    public static final int KPF_COMPOUND_TAIL = 16;
    public static final int KPF_HUGE = 17;
    public static final int KPF_UNEVICTABLE = 18;
    public static final int KPF_HWPOISON = 19;
    public static final int KPF_NOPAGE = 20;
    public static final int KPF_KSM = 21;
    public static final int KPF_THP = 22;
    public static final int KPF_OFFLINE = 23;
    public static final int KPF_ZERO_PAGE = 24;
    public static final int KPF_IDLE = 25;
    public static final int KPF_PGTABLE = 26;
    public static final int KPF_RESERVED = 32;
    public static final int KPF_MLOCKED = 33;
    /** For anon pages: PG_anon_exclusive. */
    public static final int KPF_OWNER_2 = 34;
    public static final int KPF_PRIVATE = 35;
    public static final int KPF_PRIVATE_2 = 36;
    public static final int KPF_OWNER_PRIVATE = 37;
    public static final int KPF_ARCH = 38;
    public static final int KPF_UNCACHED = 39;
    public static final int KPF_SOFTDIRTY = 40;
    public static final int KPF_ARCH_2 = 41;
    public static final int KPF_ARCH_3 = 42;

    public static final long LOCKED = 1L << KPF_LOCKED;
    public static final long REFERENCED = 1L << KPF_REFERENCED;
    public static final long UPTODATE = 1L << KPF_UPTODATE;
    public static final long DIRTY = 1L << KPF_DIRTY;
    public static final long LRU = 1L << KPF_LRU;
    public static final long ACTIVE = 1L << KPF_ACTIVE;
    public static final long WRITEBACK = 1L << KPF_WRITEBACK;
    public static final long RECLAIM = 1L << KPF_RECLAIM;
    public static final long MMAP = 1L << KPF_MMAP;
    public static final long ANON = 1L << KPF_ANON;
    public static final long SWAPCACHE = 1L << KPF_SWAPCACHE;
    public static final long SWAPBACKED = 1L << KPF_SWAPBACKED;
    public static final long COMPOUND_HEAD = 1L << KPF_COMPOUND_HEAD;
    public static final long COMPOUND_TAIL = 1L << KPF_COMPOUND_TAIL;
    public static final long HUGE = 1L << KPF_HUGE;
    public static final long UNEVICTABLE = 1L << KPF_UNEVICTABLE;
    public static final long HWPOISON = 1L << KPF_HWPOISON;
    public static final long NOPAGE = 1L << KPF_NOPAGE;
    public static final long KSM = 1L << KPF_KSM;
    public static final long THP = 1L << KPF_THP;
    public static final long ZERO_PAGE = 1L << KPF_ZERO_PAGE;
    public static final long IDLE = 1L << KPF_IDLE;
    public static final long PGTABLE = 1L << KPF_PGTABLE;
    public static final long RESERVED = 1L << KPF_RESERVED;
    public static final long MLOCKED = 1L << KPF_MLOCKED;
    public static final long ANON_EXCLUSIVE = 1L << KPF_OWNER_2;
    public static final long SOFTDIRTY = 1L << KPF_SOFTDIRTY;

    private static final String[] NAMES = new String[64];

    static {
        String[] uapi = {"locked", "error", "referenced", "uptodate", "dirty", "lru", "active", "slab",
            "writeback", "reclaim", "buddy", "mmap", "anonymous", "swapcache", "swapbacked",
            "compound_head", "compound_tail", "huge", "unevictable", "hwpoison", "nopage", "ksm",
            "thp", "offline", "zero_page", "idle_page", "pgtable"};
        System.arraycopy(uapi, 0, NAMES, 0, uapi.length);
        String[] hacker = {"reserved", "mlocked", "owner_2", "private", "private_2", "owner_private",
            "arch", "uncached", "softdirty", "arch_2", "arch_3"};
        System.arraycopy(hacker, 0, NAMES, KPF_RESERVED, hacker.length);
    }

    /** The long name page-types uses for a bit, or null. */
    public static String name(int bit) {
        return NAMES[bit];
    }
}
