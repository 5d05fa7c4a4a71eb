package io.pagewalk.runtime.mm;

import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.HashMap;
import java.util.Map;

/**
 * The physical pages of a machine ({@code mem_map}, the {@code struct page} array), indexed by
 * PFN: per-page flags ({@link PageFlags}), the page's mapcount (what {@code /proc/kpagecount}
 * reports: every mapping of the page, a PMD mapping counting for each subpage), a refcount, and for
 * the head of each folio its order, entire (PMD/PUD) mapcount, mapping and index.
 *
 * <p>Storage is struct-of-arrays in sections of 32768 pages, made on first use, so a sparse
 * real machine (PFNs spread over many GiB) costs only the sections it touches. Several
 * {@link MmStruct}s share one {@code MemMap} (fork, shared files).
 */
public final class MemMap {
    static final int SECTION_SHIFT = 15;
    static final int SECTION_PAGES = 1 << SECTION_SHIFT;
    private static final long VALID = 1L << 63;

    /** Page-table pages get PFNs from here up, far above any memory the model imports. */
    public static final long TABLE_PFN_BASE = 1L << 36;
    private static final long DEFAULT_ZERO_PFN = 0x3b34;

    private final Map<Long, Section> sections = new HashMap<>();
    private long zeroPfn = DEFAULT_ZERO_PFN;
    private long hugeZeroPfn = -1;
    private long nextTablePfn = TABLE_PFN_BASE;
    private long tableAllocationsLeft = Long.MAX_VALUE;
    private boolean flagsKnown = true;
    private boolean countsKnown = true;
    private final Map<Integer, AddressSpace> addressSpaces = new HashMap<>();

    private static final class Section {
        final long key;
        final long[] flags;
        final int[] mapcount;
        final int[] refcount;
        /** pfn - head pfn, for every page of a folio (0 for heads and small pages). */
        final int[] headOffset;
        /** Valid at folio heads. */
        final byte[] order;
        int[] entireMapcount;
        int[] mapping;
        long[] index;

        Section(long key) {
            this(key, new long[SECTION_PAGES], new int[SECTION_PAGES], new int[SECTION_PAGES],
                    new int[SECTION_PAGES], new byte[SECTION_PAGES]);
        }

        Section(long key, long[] flags, int[] mapcount, int[] refcount, int[] headOffset, byte[] order) {
            this.key = key;
            this.flags = flags;
            this.mapcount = mapcount;
            this.refcount = refcount;
            this.headOffset = headOffset;
            this.order = order;
        }
    }

    /** The section last looked up: PFN-ordered loops (imports, walks) stay in one section for 32768 pages. */
    private Section lastSection;
    /**
     * Sections below {@link #DIRECT_SECTIONS} (8 TiB of PFN space) also by key in an array, so
     * that lookups in PFN-random order (the pages of a VMA) need no hashing or boxing.
     */
    private Section[] direct = new Section[0];
    private static final int DIRECT_SECTIONS = 1 << 16;

    private Section section(long pfn, boolean create) {
        long key = pfn >>> SECTION_SHIFT;
        Section s = lastSection;
        if (s != null && s.key == key) {
            return s;
        }
        if (key < direct.length) {
            s = direct[(int) key];
        } else if (key >= DIRECT_SECTIONS) {
            s = sections.get(key);
        } else {
            s = null; // below DIRECT_SECTIONS every section is in the array: this one does not exist
        }
        if (s == null && create) {
            s = new Section(key);
            install(s);
        }
        if (s != null) {
            lastSection = s;
        }
        return s;
    }

    /** Adds (or replaces) a section in both lookups. */
    private void install(Section s) {
        sections.put(s.key, s);
        if (s.key < DIRECT_SECTIONS) {
            if (s.key >= direct.length) {
                direct = java.util.Arrays.copyOf(direct, (int) Math.min(DIRECT_SECTIONS, Math.max(s.key + 1, 2L * direct.length)));
            }
            direct[(int) s.key] = s;
        }
        if (lastSection != null && lastSection.key == s.key) {
            lastSection = s;
        }
    }

    private static int slot(long pfn) {
        return (int) (pfn & (SECTION_PAGES - 1));
    }

    // ---- special pages ----

    /** {@code my_zero_pfn()}: the shared zero page read faults map. */
    public long zeroPfn() {
        return zeroPfn;
    }

    public void setZeroPfn(long pfn) {
        this.zeroPfn = pfn;
        setPage(pfn, PageFlags.ZERO_PAGE | PageFlags.RESERVED, 0, 1);
    }

    public boolean is_zero_pfn(long pfn) {
        return pfn == zeroPfn;
    }

    /** The head PFN of the huge zero folio, or -1 when none was made yet. */
    public long hugeZeroPfn() {
        return hugeZeroPfn;
    }

    public void setHugeZeroPfn(long pfn) {
        this.hugeZeroPfn = pfn;
        setFolio(pfn, PagingGeometry.PMD_SHIFT - PagingGeometry.PAGE_SHIFT,
                PageFlags.ZERO_PAGE | PageFlags.THP | PageFlags.RESERVED, 0, 1);
    }

    public boolean is_huge_zero_pfn(long pfn) {
        return hugeZeroPfn >= 0 && pfn == hugeZeroPfn;
    }

    // ---- pages and folios ----

    /** {@code pfn_valid()}: the PFN has a struct page in this model. */
    public boolean pfnValid(long pfn) {
        Section s = section(pfn, false);
        return s != null && (s.flags[slot(pfn)] & VALID) != 0;
    }

    /** Creates or overwrites one small (order-0) page. */
    public void setPage(long pfn, long flags, int mapcount, int refcount) {
        Section s = section(pfn, true);
        int i = slot(pfn);
        s.flags[i] = (flags & ~(PageFlags.COMPOUND_HEAD | PageFlags.COMPOUND_TAIL)) | VALID;
        s.mapcount[i] = mapcount;
        s.refcount[i] = refcount;
        s.headOffset[i] = 0;
        s.order[i] = 0;
        if (s.entireMapcount != null) {
            s.entireMapcount[i] = 0;
        }
    }

    /**
     * Creates a folio of {@code 2^order} pages at {@code headPfn} with the same flags on every page
     * (COMPOUND_HEAD/TAIL are set here for order > 0), each page with {@code mapcount}.
     */
    public void setFolio(long headPfn, int order, long flags, int mapcount, int refcount) {
        if (order == 0) {
            setPage(headPfn, flags, mapcount, refcount);
            return;
        }
        if ((headPfn & ((1L << order) - 1)) != 0) {
            throw new IllegalArgumentException("folio head pfn 0x" + Long.toHexString(headPfn)
                    + " not aligned to order " + order);
        }
        long base = flags & ~(PageFlags.COMPOUND_HEAD | PageFlags.COMPOUND_TAIL);
        long n = 1L << order;
        for (long k = 0; k < n; k++) {
            long pfn = headPfn + k;
            Section s = section(pfn, true);
            int i = slot(pfn);
            s.flags[i] = base | (k == 0 ? PageFlags.COMPOUND_HEAD : PageFlags.COMPOUND_TAIL) | VALID;
            s.mapcount[i] = mapcount;
            s.refcount[i] = k == 0 ? refcount : 0;
            s.headOffset[i] = (int) k;
            s.order[i] = (byte) (k == 0 ? order : 0);
            if (s.entireMapcount != null) {
                s.entireMapcount[i] = 0;
            }
        }
    }

    /** Sets the raw flags of one page, keeping its compound bits (import of kpageflags). */
    public void setFlags(long pfn, long flags) {
        Section s = section(pfn, true);
        int i = slot(pfn);
        s.flags[i] = flags | VALID;
    }

    /** Flags of one page as kpageflags would report them; NOPAGE for a PFN with no page. */
    public long flags(long pfn) {
        Section s = section(pfn, false);
        if (s == null || (s.flags[slot(pfn)] & VALID) == 0) {
            return PageFlags.NOPAGE;
        }
        return s.flags[slot(pfn)] & ~VALID;
    }

    public boolean test(long pfn, long flag) {
        return (flags(pfn) & flag) != 0;
    }

    public void setFlag(long pfn, long flag) {
        Section s = section(pfn, true);
        s.flags[slot(pfn)] |= flag | VALID;
    }

    public void clearFlag(long pfn, long flag) {
        Section s = section(pfn, false);
        if (s != null) {
            s.flags[slot(pfn)] &= ~flag;
        }
    }

    /** Sets a flag on every page of the folio at {@code pfn}. */
    public void folioSetFlag(long pfn, long flag) {
        long head = folioHead(pfn);
        long n = folioNrPages(head);
        for (long k = 0; k < n; k++) {
            setFlag(head + k, flag);
        }
    }

    public void folioClearFlag(long pfn, long flag) {
        long head = folioHead(pfn);
        long n = folioNrPages(head);
        for (long k = 0; k < n; k++) {
            clearFlag(head + k, flag);
        }
    }

    /** The page's mapcount as {@code /proc/kpagecount} reports it. */
    public int mapcount(long pfn) {
        Section s = section(pfn, false);
        return s == null ? 0 : s.mapcount[slot(pfn)];
    }

    public void setMapcount(long pfn, int mapcount) {
        section(pfn, true).mapcount[slot(pfn)] = mapcount;
    }

    public void addMapcount(long pfn, int delta) {
        section(pfn, true).mapcount[slot(pfn)] += delta;
    }

    /** Reference count of the folio (stored at its head). */
    public int refcount(long pfn) {
        long head = folioHead(pfn);
        Section s = section(head, false);
        return s == null ? 0 : s.refcount[slot(head)];
    }

    public void setRefcount(long pfn, int refcount) {
        long head = folioHead(pfn);
        section(head, true).refcount[slot(head)] = refcount;
    }

    public void addRefcount(long pfn, int delta) {
        long head = folioHead(pfn);
        section(head, true).refcount[slot(head)] += delta;
    }

    /** {@code page_folio()}: the PFN of the head page of the folio holding {@code pfn}. */
    public long folioHead(long pfn) {
        Section s = section(pfn, false);
        return s == null ? pfn : pfn - s.headOffset[slot(pfn)];
    }

    /** {@code folio_order()}. */
    public int folioOrder(long pfn) {
        long head = folioHead(pfn);
        Section s = section(head, false);
        return s == null ? 0 : s.order[slot(head)];
    }

    public long folioNrPages(long pfn) {
        return 1L << folioOrder(pfn);
    }

    /** Number of PMD/PUD mappings of the whole folio ({@code folio_entire_mapcount()}). */
    public int entireMapcount(long pfn) {
        long head = folioHead(pfn);
        Section s = section(head, false);
        return s == null || s.entireMapcount == null ? 0 : s.entireMapcount[slot(head)];
    }

    public void addEntireMapcount(long pfn, int delta) {
        long head = folioHead(pfn);
        Section s = section(head, true);
        if (s.entireMapcount == null) {
            s.entireMapcount = new int[SECTION_PAGES];
        }
        s.entireMapcount[slot(head)] += delta;
    }

    /**
     * {@code folio_mapcount()}: mappings of the folio, each PTE mapping and each PMD/PUD mapping
     * counting once (per-page mapcounts already include the entire mappings, so they are taken
     * out before summing).
     */
    public int folioMapcount(long pfn) {
        long head = folioHead(pfn);
        long n = folioNrPages(head);
        int entire = entireMapcount(head);
        if (n == 1) {
            return mapcount(head);
        }
        long sum = entire;
        for (long k = 0; k < n; k++) {
            sum += mapcount(head + k) - entire;
        }
        return (int) sum;
    }

    /** {@code folio_maybe_mapped_shared()} with exact per-page counts. */
    public boolean folioMaybeMappedShared(long pfn) {
        long head = folioHead(pfn);
        long n = folioNrPages(head);
        for (long k = 0; k < n; k++) {
            if (mapcount(head + k) > 1) {
                return true;
            }
        }
        return false;
    }

    /** The file a page-cache page belongs to, or null for anon and unknown pages. */
    public AddressSpace mapping(long pfn) {
        long head = folioHead(pfn);
        Section s = section(head, false);
        return s == null || s.mapping == null ? null : addressSpaces.get(s.mapping[slot(head)]);
    }

    /** The page offset ({@code folio->index}) of the folio in its file or anon VMA. */
    public long index(long pfn) {
        long head = folioHead(pfn);
        Section s = section(head, false);
        return s == null || s.index == null ? 0 : s.index[slot(head)] + (pfn - head);
    }

    public void setMapping(long pfn, AddressSpace mapping, long index) {
        long head = folioHead(pfn);
        Section s = section(head, true);
        if (s.mapping == null) {
            s.mapping = new int[SECTION_PAGES];
            s.index = new long[SECTION_PAGES];
        }
        s.mapping[slot(head)] = mapping == null ? 0 : mapping.id();
        if (mapping != null) {
            addressSpaces.putIfAbsent(mapping.id(), mapping);
        }
        s.index[slot(head)] = index;
    }

    /** Forgets a page (freed): its PFN reads as NOPAGE afterwards. */
    public void freePage(long pfn) {
        Section s = section(pfn, false);
        if (s != null) {
            int i = slot(pfn);
            s.flags[i] = 0;
            s.mapcount[i] = 0;
            s.refcount[i] = 0;
            s.headOffset[i] = 0;
            s.order[i] = 0;
        }
    }

    /** Frees every page of the folio at {@code pfn}. */
    public void freeFolio(long pfn) {
        long head = folioHead(pfn);
        long n = folioNrPages(head);
        for (long k = n - 1; k >= 0; k--) {
            freePage(head + k);
        }
    }

    /**
     * Splits the folio at {@code pfn} into order-0 pages ({@code split_folio()}): flags and per-page
     * mapcounts stay, compound bits and THP go, the head's refcount is spread one per mapping.
     */
    public void splitFolio(long pfn) {
        long head = folioHead(pfn);
        int order = folioOrder(head);
        if (order == 0) {
            return;
        }
        AddressSpace mapping = mapping(head);
        long index = index(head);
        long n = 1L << order;
        for (long k = 0; k < n; k++) {
            long p = head + k;
            Section s = section(p, true);
            int i = slot(p);
            s.flags[i] &= ~(PageFlags.COMPOUND_HEAD | PageFlags.COMPOUND_TAIL | PageFlags.THP);
            s.headOffset[i] = 0;
            s.order[i] = 0;
            s.refcount[i] = Math.max(1, s.mapcount[i]);
            if (s.entireMapcount != null) {
                s.entireMapcount[i] = 0;
            }
            if (mapping != null) {
                setMapping(p, mapping, index + k);
            }
        }
    }

    // ---- page-table pages ----

    /** Allocates the PFN of a new page-table page, or -1 when allocation is made to fail. */
    public long allocTablePfn() {
        if (tableAllocationsLeft <= 0) {
            return -1;
        }
        tableAllocationsLeft--;
        return nextTablePfn++;
    }

    /**
     * Makes the next {@code n} page-table allocations succeed and later ones fail, to exercise the
     * kernel's -ENOMEM paths ({@code __pte_alloc()} failing).
     */
    public void failTableAllocationsAfter(long n) {
        this.tableAllocationsLeft = n;
    }

    // ---- what the source could see ----

    /** False when page flags could not be read (kpageflags unreadable): flags are unknown, not zero. */
    public boolean flagsKnown() {
        return flagsKnown;
    }

    public void setFlagsKnown(boolean known) {
        this.flagsKnown = known;
    }

    /** False when mapcounts could not be read (kpagecount unreadable). */
    public boolean countsKnown() {
        return countsKnown;
    }

    public void setCountsKnown(boolean known) {
        this.countsKnown = known;
    }

    public void registerAddressSpace(AddressSpace mapping) {
        addressSpaces.putIfAbsent(mapping.id(), mapping);
    }

    public AddressSpace addressSpace(int id) {
        return addressSpaces.get(id);
    }

    // ---- raw state, for snapshots ----

    /** Pages per section: the length of every column of a {@link RawSection}. */
    public static final int RAW_SECTION_PAGES = SECTION_PAGES;

    /**
     * The columns of one section exactly as stored (flags carry a validity bit, bit 63; mapping
     * holds {@link AddressSpace#id()}s, 0 for none; the last three columns may be null when never
     * used). The arrays are shared, not copied: snapshot code reads or hands them over, nothing else.
     */
    public record RawSection(long number, long[] flags, int[] mapcount, int[] refcount, int[] headOffset,
            byte[] order, int[] entireMapcount, int[] mapping, long[] index) {}

    /** Every section made so far, by ascending section number. */
    public java.util.List<RawSection> rawSections() {
        java.util.List<Long> keys = new java.util.ArrayList<>(sections.keySet());
        keys.sort(null);
        java.util.List<RawSection> out = new java.util.ArrayList<>(keys.size());
        for (long key : keys) {
            Section s = sections.get(key);
            out.add(new RawSection(key, s.flags, s.mapcount, s.refcount, s.headOffset, s.order,
                    s.entireMapcount, s.mapping, s.index));
        }
        return out;
    }

    /** Installs a section from its columns (taken over, not copied), replacing any section there. */
    public void restoreRawSection(RawSection raw) {
        requireColumn(raw.flags(), false);
        requireColumn(raw.mapcount(), false);
        requireColumn(raw.refcount(), false);
        requireColumn(raw.headOffset(), false);
        requireColumn(raw.order(), false);
        requireColumn(raw.entireMapcount(), true);
        requireColumn(raw.mapping(), true);
        requireColumn(raw.index(), true);
        if (raw.number() < 0 || raw.number() > (Long.MAX_VALUE >>> SECTION_SHIFT)) {
            throw new IllegalArgumentException("section number " + raw.number() + " out of range");
        }
        Section s = new Section(raw.number(), raw.flags(), raw.mapcount(), raw.refcount(), raw.headOffset(), raw.order());
        s.entireMapcount = raw.entireMapcount();
        s.mapping = raw.mapping();
        s.index = raw.index();
        install(s);
    }

    private static void requireColumn(Object column, boolean optional) {
        if (column == null ? !optional : java.lang.reflect.Array.getLength(column) != SECTION_PAGES) {
            throw new IllegalArgumentException("a section column must have " + SECTION_PAGES + " entries");
        }
    }

    /** The PFN the next page-table allocation gets. */
    public long nextTablePfn() {
        return nextTablePfn;
    }

    /** Page-table allocations left before they fail ({@link Long#MAX_VALUE}: unlimited). */
    public long tableAllocationsLeft() {
        return tableAllocationsLeft;
    }

    /** Sets the page-table allocator's state as a snapshot recorded it. */
    public void restoreTableAllocator(long nextTablePfn, long allocationsLeft) {
        this.nextTablePfn = nextTablePfn;
        this.tableAllocationsLeft = allocationsLeft;
    }

    /** Sets the zero and huge zero PFNs without touching their pages (a snapshot restores those). */
    public void restoreSpecialPfns(long zeroPfn, long hugeZeroPfn) {
        this.zeroPfn = zeroPfn;
        this.hugeZeroPfn = hugeZeroPfn;
    }

    /** Every registered file, by ascending {@link AddressSpace#id()}. */
    public java.util.List<AddressSpace> addressSpaces() {
        java.util.List<AddressSpace> out = new java.util.ArrayList<>(addressSpaces.values());
        out.sort(java.util.Comparator.comparingInt(AddressSpace::id));
        return out;
    }

    /** Calls {@code visitor} for every valid PFN, in no particular order. */
    public void forEachPfn(java.util.function.LongConsumer visitor) {
        for (Map.Entry<Long, Section> e : sections.entrySet()) {
            long base = e.getKey() << SECTION_SHIFT;
            long[] flags = e.getValue().flags;
            for (int i = 0; i < SECTION_PAGES; i++) {
                if ((flags[i] & VALID) != 0) {
                    visitor.accept(base + i);
                }
            }
        }
    }
}
