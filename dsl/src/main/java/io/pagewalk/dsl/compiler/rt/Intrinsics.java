package io.pagewalk.dsl.compiler.rt;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.thp.ThpPolicy;
import io.pagewalk.runtime.walk.FolioWalk.Folio;

/**
 * The pagewalk API functions compiled hooks call, named as in JavaScript, with the results and
 * errors of the GraalJS path (prelude.js + HostApi + Conv) on the same runtime calls.
 *
 * <p>Types: an entry or bit set is a {@code long} (BigInt, unsigned); the overload taking a
 * {@code double} is the prelude's {@code big()} for a Number (a non-negative safe integer, else
 * its TypeError). An address, PFN or index is a {@code double} (Number) checked as Conv checks it;
 * the overload taking a {@code long} is a BigInt there. Results the host returns as long/int are
 * Numbers ({@code double}); results the prelude returns through its BigUint64Array are BigInt
 * ({@code long}). Objects are the host objects themselves: VmArea, MmStruct, AddressSpace (a
 * mapping, vma.vm_file) and Folio (the head page's).
 *
 * <p>Differences from GraalJS, all documented where they arise: GraalJS keeps a host long as
 * such, so String() of a Number from the host above 2**53 (swp_offset_pfn of a huge offset,
 * vm_start of a VMA above 2**53 with 5-level paging) prints every digit where a double prints the
 * shortest; the script objects of VMAs and folios are snapshots taken when the object was made,
 * while the field readers here read the model now (they differ only after vm_flags_set/clear or a
 * folio split by the script itself).
 */
public final class Intrinsics {
    private Intrinsics() {}

    private static final double TWO_63 = 9223372036854775808.0;
    private static final double TWO_64 = 18446744073709551616.0;
    private static final double MAX_SAFE = 9007199254740991.0;

    // ---------------------------------------------------------------- argument checks

    /** The prelude's big() for a Number: a non-negative safe integer, else its TypeError. */
    static long entry(double x, String fn) {
        if (x >= 0.0 && x <= MAX_SAFE && x == Math.rint(x)) {
            return (long) x; // -0 passes as 0, as Number.isSafeInteger(-0) && -0 >= 0 does
        }
        throw JsError.typeError(fn + ": an entry (BigInt) expected, got number");
    }

    /** The prelude's handleOf(o, what, fn) for a null object. */
    // ---- writes (with --allow-write), in the GraalJS path's order of checks: the prelude's
    // (mm, entry), then the host's (read-only model, address)

    public static void set_pte_at(Env env, MmStruct mm, double addr, long pte) {
        setEntryAt(env, handle(mm, "mm", "set_pte_at"), addr, pte, PagingGeometry.PTE, "set_pte_at");
    }

    public static void set_pte_at(Env env, MmStruct mm, double addr, double pte) {
        handle(mm, "mm", "set_pte_at");
        setEntryAt(env, mm, addr, entry(pte, "set_pte_at"), PagingGeometry.PTE, "set_pte_at");
    }

    public static void set_pmd_at(Env env, MmStruct mm, double addr, long pmd) {
        setEntryAt(env, handle(mm, "mm", "set_pmd_at"), addr, pmd, PagingGeometry.PMD, "set_pmd_at");
    }

    public static void set_pmd_at(Env env, MmStruct mm, double addr, double pmd) {
        handle(mm, "mm", "set_pmd_at");
        setEntryAt(env, mm, addr, entry(pmd, "set_pmd_at"), PagingGeometry.PMD, "set_pmd_at");
    }

    private static void setEntryAt(Env env, MmStruct mm, double addr, long value, int level, String name) {
        env.requireWrite(name);
        long a = addr(addr, name);
        PageTables.set(mm, a, level, value);
        env.entryWritten(mm, a, level, value);
    }

    public static void folio_clear_referenced(Env env, Folio folio) {
        handle(folio, "folio", "folio_clear_referenced");
        env.requireWrite("folio_clear_referenced");
        folio.mm().memMap().folioClearFlag(folio.pfn(), PageFlags.REFERENCED);
    }

    static <T> T handle(T o, String what, String fn) {
        if (o == null) {
            throw JsError.typeError(fn + ": " + what + " expected, got null");
        }
        return o;
    }

    /** Whether the interop value of a JS Number d fits in a Java long: an integer, not -0, in [-2**63, 2**63). */
    static boolean fitsInLong(double d) {
        return d == Math.rint(d) && d >= -TWO_63 && d < TWO_63 && (d != 0.0 || 1.0 / d > 0.0);
    }

    /** Conv.number of a Number, with Conv's message. */
    static long number(double d, String what) {
        if (fitsInLong(d)) {
            return (long) d;
        }
        throw JsError.error(what + ": an integer expected, got the number " + io.pagewalk.dsl.api.Conv.jsNumber(d));
    }

    /** Conv.number of a BigInt 0..2**64-1. */
    static long number(long u64, String what) {
        if (u64 >= 0) {
            return u64;
        }
        throw JsError.error(what + ": an integer expected, got the number " + Long.toUnsignedString(u64) + "n");
    }

    /** Conv.addr of a Number: -1 and 2**64 are the top, 2**63..2**64-1 are exact. */
    static long addr(double d, String what) {
        if (fitsInLong(d)) {
            long l = (long) d;
            if (l < -1) {
                throw JsError.error(what + ": negative address " + l + " (only -1 means the top)");
            }
            return l;
        }
        if (d == TWO_64) {
            return -1L;
        }
        if (d >= TWO_63 && d < TWO_64 && d == Math.rint(d)) {
            return (long) (d - TWO_63) + Long.MIN_VALUE;
        }
        throw JsError.error(what + ": " + io.pagewalk.dsl.api.Conv.jsNumber(d) + " is not an address (an integer from 0 to 2**64-1)");
    }

    /** The Number of a host long (exact up to 2**53; see JsOps.hostLongToNumber). */
    private static double num(long v) {
        return v;
    }

    // ---------------------------------------------------------------- mm and VMAs

    public static VmArea find_vma(MmStruct mm, double addr) {
        return handle(mm, "mm", "find_vma").findVma(addr(addr, "find_vma"));
    }

    public static VmArea find_vma(MmStruct mm, long addr) {
        return handle(mm, "mm", "find_vma").findVma(addr);
    }

    /** The gate VMA (vsyscall) of an mm, or null. */
    public static VmArea get_gate_vma(MmStruct mm) {
        return handle(mm, "mm", "get_gate_vma").gateVma();
    }

    /** The VmFlags mnemonics in bit order, each followed by a space. */
    public static String show_smap_vma_flags(VmArea vma) {
        return VmFlags.toSmapsString(handle(vma, "vma", "show_smap_vma_flags").flags());
    }

    public static double vma_kernel_pagesize(VmArea vma) {
        return handle(vma, "vma", "vma_kernel_pagesize").pageSize();
    }

    public static double vma_mmu_pagesize(VmArea vma) {
        return handle(vma, "vma", "vma_mmu_pagesize").pageSize();
    }

    /** smaps' THPeligible: 1, 0, or -1 (ThpPolicy.UNKNOWN) without THP settings. */
    public static double thp_eligible(VmArea vma) {
        handle(vma, "vma", "thp_eligible");
        MmStruct mm = vma.mm();
        return mm.thpSettings() == null ? ThpPolicy.UNKNOWN : ThpPolicy.smapsEligible(vma, mm.thpSettings(), mm.thpDisabled());
    }

    public static double file_dev(AddressSpace mapping) {
        return num(handle(mapping, "mapping (vma.vm_file)", "file_dev").device());
    }

    public static double MAJOR(double dev) {
        return Math.floor(dev / 1048576.0);
    }

    public static double MINOR(double dev) {
        return dev % 1048576.0; // Java's double % is JavaScript's
    }

    public static boolean mincore_page(AddressSpace mapping, double index) {
        handle(mapping, "mapping (vma.vm_file)", "mincore_page");
        return mapping.pageCache().containsKey(number(index, "mincore_page index"));
    }

    public static boolean mincore_page(AddressSpace mapping, long index) {
        handle(mapping, "mapping (vma.vm_file)", "mincore_page");
        return mapping.pageCache().containsKey(number(index, "mincore_page index"));
    }

    // ---------------------------------------------------------------- fields of the script objects

    /** vma.vm_start: Conv.addrToJs (a host long below 2**63: see the class comment on String()). */
    public static double vmaField_vm_start(VmArea vma) {
        return JsOps.addrToNumber(field(vma, "vm_start").start());
    }

    public static double vmaField_vm_end(VmArea vma) {
        return JsOps.addrToNumber(field(vma, "vm_end").end());
    }

    /** vma.vm_flags (BigInt). The script object's is a snapshot; this is the VMA's flags now. */
    public static long vmaField_vm_flags(VmArea vma) {
        return field(vma, "vm_flags").flags();
    }

    public static double vmaField_vm_pgoff(VmArea vma) {
        return num(field(vma, "vm_pgoff").pgoff());
    }

    public static String vmaField_name(VmArea vma) {
        return field(vma, "name").name();
    }

    public static boolean vmaField_anonymous(VmArea vma) {
        return field(vma, "anonymous").isAnonymous();
    }

    public static boolean vmaField_hugetlb(VmArea vma) {
        return field(vma, "hugetlb").isHugetlb();
    }

    /** vma.vm_file: its mapping, or null for anonymous memory. */
    public static AddressSpace vmaField_vm_file(VmArea vma) {
        return field(vma, "vm_file").file();
    }

    public static String mappingField_path(AddressSpace mapping) {
        return field(mapping, "path").path();
    }

    public static double mappingField_inode(AddressSpace mapping) {
        return num(field(mapping, "inode").inode());
    }

    public static boolean mappingField_shmem(AddressSpace mapping) {
        return field(mapping, "shmem").isShmem();
    }

    /** folio.pfn: the head page (Folio objects are always made for the head). */
    public static double folioField_pfn(Folio folio) {
        return num(field(folio, "pfn").pfn());
    }

    public static double folioField_nr_pages(Folio folio) {
        Folio f = field(folio, "nr_pages");
        return num(f.mm().memMap().folioNrPages(f.pfn()));
    }

    public static double folioField_order(Folio folio) {
        Folio f = field(folio, "order");
        return f.mm().memMap().folioOrder(f.pfn());
    }

    /** A property read of null: GraalJS's TypeError. */
    private static <T> T field(T o, String name) {
        if (o == null) {
            throw JsError.typeError("Cannot read property '" + name + "' of null");
        }
        return o;
    }

    // ---- page-table entry helpers (prelude: pte_none/pte_present/is_swap_pte in JS, the rest Pgtable)

    public static boolean pte_none(long x) {
        return Pgtable.pte_none(x);
    }

    public static boolean pte_none(double x) {
        return pte_none(entry(x, "pte_none"));
    }

    public static boolean pte_present(long x) {
        return Pgtable.pte_present(x);
    }

    public static boolean pte_present(double x) {
        return pte_present(entry(x, "pte_present"));
    }

    public static boolean is_swap_pte(long x) {
        return Pgtable.is_swap_pte(x);
    }

    /** The prelude's is_swap_pte calls pte_none first: a bad Number is reported as pte_none's. */
    public static boolean is_swap_pte(double x) {
        return is_swap_pte(entry(x, "pte_none"));
    }

    public static boolean pte_write(long x) {
        return Pgtable.pte_write(x);
    }

    public static boolean pte_write(double x) {
        return pte_write(entry(x, "pte_write"));
    }

    public static boolean pte_dirty(long x) {
        return Pgtable.pte_dirty(x);
    }

    public static boolean pte_dirty(double x) {
        return pte_dirty(entry(x, "pte_dirty"));
    }

    public static boolean pte_young(long x) {
        return Pgtable.pte_young(x);
    }

    public static boolean pte_young(double x) {
        return pte_young(entry(x, "pte_young"));
    }

    public static boolean pte_special(long x) {
        return Pgtable.pte_special(x);
    }

    public static boolean pte_special(double x) {
        return pte_special(entry(x, "pte_special"));
    }

    public static boolean pte_exec(long x) {
        return Pgtable.pte_exec(x);
    }

    public static boolean pte_exec(double x) {
        return pte_exec(entry(x, "pte_exec"));
    }

    public static boolean pte_soft_dirty(long x) {
        return Pgtable.pte_soft_dirty(x);
    }

    public static boolean pte_soft_dirty(double x) {
        return pte_soft_dirty(entry(x, "pte_soft_dirty"));
    }

    public static boolean pte_uffd_wp(long x) {
        return Pgtable.pte_uffd_wp(x);
    }

    public static boolean pte_uffd_wp(double x) {
        return pte_uffd_wp(entry(x, "pte_uffd_wp"));
    }

    public static boolean pte_protnone(long x) {
        return Pgtable.pte_protnone(x);
    }

    public static boolean pte_protnone(double x) {
        return pte_protnone(entry(x, "pte_protnone"));
    }

    public static boolean pmd_none(long x) {
        return Pgtable.pmd_none(x);
    }

    public static boolean pmd_none(double x) {
        return pmd_none(entry(x, "pmd_none"));
    }

    public static boolean pmd_present(long x) {
        return Pgtable.pmd_present(x);
    }

    public static boolean pmd_present(double x) {
        return pmd_present(entry(x, "pmd_present"));
    }

    public static boolean pmd_leaf(long x) {
        return Pgtable.pmd_leaf(x);
    }

    public static boolean pmd_leaf(double x) {
        return pmd_leaf(entry(x, "pmd_leaf"));
    }

    public static boolean pmd_trans_huge(long x) {
        return Pgtable.pmd_trans_huge(x);
    }

    public static boolean pmd_trans_huge(double x) {
        return pmd_trans_huge(entry(x, "pmd_trans_huge"));
    }

    public static boolean is_swap_pmd(long x) {
        return Pgtable.is_swap_pmd(x);
    }

    public static boolean is_swap_pmd(double x) {
        return is_swap_pmd(entry(x, "is_swap_pmd"));
    }

    public static boolean pmd_write(long x) {
        return Pgtable.pmd_write(x);
    }

    public static boolean pmd_write(double x) {
        return pmd_write(entry(x, "pmd_write"));
    }

    public static boolean pmd_dirty(long x) {
        return Pgtable.pmd_dirty(x);
    }

    public static boolean pmd_dirty(double x) {
        return pmd_dirty(entry(x, "pmd_dirty"));
    }

    public static boolean pmd_young(long x) {
        return Pgtable.pmd_young(x);
    }

    public static boolean pmd_young(double x) {
        return pmd_young(entry(x, "pmd_young"));
    }

    public static boolean pmd_soft_dirty(long x) {
        return Pgtable.pmd_soft_dirty(x);
    }

    public static boolean pmd_soft_dirty(double x) {
        return pmd_soft_dirty(entry(x, "pmd_soft_dirty"));
    }

    public static boolean pmd_uffd_wp(long x) {
        return Pgtable.pmd_uffd_wp(x);
    }

    public static boolean pmd_uffd_wp(double x) {
        return pmd_uffd_wp(entry(x, "pmd_uffd_wp"));
    }

    public static boolean pud_none(long x) {
        return Pgtable.pud_none(x);
    }

    public static boolean pud_none(double x) {
        return pud_none(entry(x, "pud_none"));
    }

    public static boolean pud_present(long x) {
        return Pgtable.pud_present(x);
    }

    public static boolean pud_present(double x) {
        return pud_present(entry(x, "pud_present"));
    }

    public static boolean pud_leaf(long x) {
        return Pgtable.pud_leaf(x);
    }

    public static boolean pud_leaf(double x) {
        return pud_leaf(entry(x, "pud_leaf"));
    }

    public static boolean pud_trans_huge(long x) {
        return Pgtable.pud_trans_huge(x);
    }

    public static boolean pud_trans_huge(double x) {
        return pud_trans_huge(entry(x, "pud_trans_huge"));
    }

    public static boolean p4d_none(long x) {
        return Pgtable.p4d_none(x);
    }

    public static boolean p4d_none(double x) {
        return p4d_none(entry(x, "p4d_none"));
    }

    public static boolean p4d_present(long x) {
        return Pgtable.p4d_present(x);
    }

    public static boolean p4d_present(double x) {
        return p4d_present(entry(x, "p4d_present"));
    }

    public static boolean p4d_bad(long x) {
        return Pgtable.p4d_bad(x);
    }

    public static boolean p4d_bad(double x) {
        return p4d_bad(entry(x, "p4d_bad"));
    }

    public static boolean pgd_none(long x) {
        return Pgtable.pgd_none(x);
    }

    public static boolean pgd_none(double x) {
        return pgd_none(entry(x, "pgd_none"));
    }

    public static boolean pgd_present(long x) {
        return Pgtable.pgd_present(x);
    }

    public static boolean pgd_present(double x) {
        return pgd_present(entry(x, "pgd_present"));
    }

    public static boolean pgd_bad(long x) {
        return Pgtable.pgd_bad(x);
    }

    public static boolean pgd_bad(double x) {
        return pgd_bad(entry(x, "pgd_bad"));
    }

    public static boolean pte_swp_soft_dirty(long x) {
        return Pgtable.pte_swp_soft_dirty(x);
    }

    public static boolean pte_swp_soft_dirty(double x) {
        return pte_swp_soft_dirty(entry(x, "pte_swp_soft_dirty"));
    }

    public static boolean pte_swp_uffd_wp(long x) {
        return Pgtable.pte_swp_uffd_wp(x);
    }

    public static boolean pte_swp_uffd_wp(double x) {
        return pte_swp_uffd_wp(entry(x, "pte_swp_uffd_wp"));
    }

    public static boolean pte_swp_exclusive(long x) {
        return Pgtable.pte_swp_exclusive(x);
    }

    public static boolean pte_swp_exclusive(double x) {
        return pte_swp_exclusive(entry(x, "pte_swp_exclusive"));
    }

    public static double pte_pfn(long x) {
        return Pgtable.pte_pfn(x);
    }

    public static double pte_pfn(double x) {
        return pte_pfn(entry(x, "pte_pfn"));
    }

    public static double pmd_pfn(long x) {
        return Pgtable.pmd_pfn(x);
    }

    public static double pmd_pfn(double x) {
        return pmd_pfn(entry(x, "pmd_pfn"));
    }

    public static double pud_pfn(long x) {
        return Pgtable.pud_pfn(x);
    }

    public static double pud_pfn(double x) {
        return pud_pfn(entry(x, "pud_pfn"));
    }

    // ---- swap entries and markers (Swapops; 64-bit results are BigInt)

    public static long pte_to_swp_entry(long x) {
        return Swapops.pte_to_swp_entry(x);
    }

    public static long pte_to_swp_entry(double x) {
        return pte_to_swp_entry(entry(x, "pte_to_swp_entry"));
    }

    public static long pmd_to_swp_entry(long x) {
        return Swapops.pmd_to_swp_entry(x);
    }

    public static long pmd_to_swp_entry(double x) {
        return pmd_to_swp_entry(entry(x, "pmd_to_swp_entry"));
    }

    public static long make_pte_marker(long x) {
        return Swapops.make_pte_marker(x);
    }

    public static long make_pte_marker(double x) {
        return make_pte_marker(entry(x, "make_pte_marker"));
    }

    public static double swp_offset(long x) {
        return Swapops.swp_offset(x);
    }

    public static double swp_offset(double x) {
        return swp_offset(entry(x, "swp_offset"));
    }

    public static double swp_type(long x) {
        return Swapops.swp_type(x);
    }

    public static double swp_type(double x) {
        return swp_type(entry(x, "swp_type"));
    }

    /**
     * swp_offset_pfn: GraalJS gets the host long itself (the prelude does not wrap it in Number() as
     * it does swp_offset), so above 2**53 its String() prints every digit; arithmetic and comparisons
     * with Numbers agree with this rounded double. Every PFN is far below 2**53.
     */

    public static double swp_offset_pfn(long x) {
        return Swapops.swp_offset_pfn(x);
    }

    public static double swp_offset_pfn(double x) {
        return swp_offset_pfn(entry(x, "swp_offset_pfn"));
    }

    public static boolean is_migration_entry(long x) {
        return Swapops.is_migration_entry(x);
    }

    public static boolean is_migration_entry(double x) {
        return is_migration_entry(entry(x, "is_migration_entry"));
    }

    public static boolean is_writable_migration_entry(long x) {
        return Swapops.is_writable_migration_entry(x);
    }

    public static boolean is_writable_migration_entry(double x) {
        return is_writable_migration_entry(entry(x, "is_writable_migration_entry"));
    }

    public static boolean is_device_private_entry(long x) {
        return Swapops.is_device_private_entry(x);
    }

    public static boolean is_device_private_entry(double x) {
        return is_device_private_entry(entry(x, "is_device_private_entry"));
    }

    public static boolean is_device_exclusive_entry(long x) {
        return Swapops.is_device_exclusive_entry(x);
    }

    public static boolean is_device_exclusive_entry(double x) {
        return is_device_exclusive_entry(entry(x, "is_device_exclusive_entry"));
    }

    public static boolean is_hwpoison_entry(long x) {
        return Swapops.is_hwpoison_entry(x);
    }

    public static boolean is_hwpoison_entry(double x) {
        return is_hwpoison_entry(entry(x, "is_hwpoison_entry"));
    }

    public static boolean is_pfn_swap_entry(long x) {
        return Swapops.is_pfn_swap_entry(x);
    }

    public static boolean is_pfn_swap_entry(double x) {
        return is_pfn_swap_entry(entry(x, "is_pfn_swap_entry"));
    }

    public static boolean non_swap_entry(long x) {
        return Swapops.non_swap_entry(x);
    }

    public static boolean non_swap_entry(double x) {
        return non_swap_entry(entry(x, "non_swap_entry"));
    }

    public static boolean is_pte_marker_entry(long x) {
        return Swapops.is_pte_marker_entry(x);
    }

    public static boolean is_pte_marker_entry(double x) {
        return is_pte_marker_entry(entry(x, "is_pte_marker_entry"));
    }

    public static boolean is_pte_marker(long x) {
        return Swapops.is_pte_marker(x);
    }

    public static boolean is_pte_marker(double x) {
        return is_pte_marker(entry(x, "is_pte_marker"));
    }

    public static boolean is_guard_pte_marker(long x) {
        return Swapops.is_guard_pte_marker(x);
    }

    public static boolean is_guard_pte_marker(double x) {
        return is_guard_pte_marker(entry(x, "is_guard_pte_marker"));
    }

    public static boolean is_uffd_wp_pte_marker(long x) {
        return Swapops.is_uffd_wp_pte_marker(x);
    }

    public static boolean is_uffd_wp_pte_marker(double x) {
        return is_uffd_wp_pte_marker(entry(x, "is_uffd_wp_pte_marker"));
    }

    public static boolean is_poisoned_pte_marker(long x) {
        return Swapops.is_poisoned_pte_marker(x);
    }

    public static boolean is_poisoned_pte_marker(double x) {
        return is_poisoned_pte_marker(entry(x, "is_poisoned_pte_marker"));
    }

    public static boolean is_pmd_migration_entry(long x) {
        return Swapops.is_pmd_migration_entry(x);
    }

    public static boolean is_pmd_migration_entry(double x) {
        return is_pmd_migration_entry(entry(x, "is_pmd_migration_entry"));
    }

    // ---------------------------------------------------------------- pages and folios

    // vm_normal_page*: the prelude checks the vma, then the entry; the host then converts the address.
    public static double vm_normal_page(VmArea vma, double addr, long pte) {
        handle(vma, "vma", "vm_normal_page");
        return Memory.vm_normal_page(vma, addr(addr, "vm_normal_page"), pte);
    }

    public static double vm_normal_page(VmArea vma, double addr, double pte) {
        handle(vma, "vma", "vm_normal_page");
        long e = entry(pte, "vm_normal_page");
        return Memory.vm_normal_page(vma, addr(addr, "vm_normal_page"), e);
    }

    public static double vm_normal_page(VmArea vma, long addr, long pte) {
        return Memory.vm_normal_page(handle(vma, "vma", "vm_normal_page"), addr, pte);
    }

    public static double vm_normal_page(VmArea vma, long addr, double pte) {
        handle(vma, "vma", "vm_normal_page");
        return Memory.vm_normal_page(vma, addr, entry(pte, "vm_normal_page"));
    }

    public static double vm_normal_page_pmd(VmArea vma, double addr, long pmd) {
        handle(vma, "vma", "vm_normal_page_pmd");
        return Memory.vm_normal_page_pmd(vma, addr(addr, "vm_normal_page_pmd"), pmd);
    }

    public static double vm_normal_page_pmd(VmArea vma, double addr, double pmd) {
        handle(vma, "vma", "vm_normal_page_pmd");
        long e = entry(pmd, "vm_normal_page_pmd");
        return Memory.vm_normal_page_pmd(vma, addr(addr, "vm_normal_page_pmd"), e);
    }

    public static double vm_normal_page_pmd(VmArea vma, long addr, long pmd) {
        return Memory.vm_normal_page_pmd(handle(vma, "vma", "vm_normal_page_pmd"), addr, pmd);
    }

    public static double vm_normal_page_pmd(VmArea vma, long addr, double pmd) {
        handle(vma, "vma", "vm_normal_page_pmd");
        return Memory.vm_normal_page_pmd(vma, addr, entry(pmd, "vm_normal_page_pmd"));
    }

    public static Folio vm_normal_folio(VmArea vma, double addr, long pte) {
        handle(vma, "vma", "vm_normal_folio");
        return normalFolio(vma, Memory.vm_normal_page(vma, addr(addr, "vm_normal_folio"), pte));
    }

    public static Folio vm_normal_folio(VmArea vma, double addr, double pte) {
        handle(vma, "vma", "vm_normal_folio");
        long e = entry(pte, "vm_normal_folio");
        return normalFolio(vma, Memory.vm_normal_page(vma, addr(addr, "vm_normal_folio"), e));
    }

    public static Folio vm_normal_folio(VmArea vma, long addr, long pte) {
        handle(vma, "vma", "vm_normal_folio");
        return normalFolio(vma, Memory.vm_normal_page(vma, addr, pte));
    }

    public static Folio vm_normal_folio(VmArea vma, long addr, double pte) {
        handle(vma, "vma", "vm_normal_folio");
        return normalFolio(vma, Memory.vm_normal_page(vma, addr, entry(pte, "vm_normal_folio")));
    }

    private static Folio normalFolio(VmArea vma, long pfn) {
        return pfn < 0 ? null : folio(vma.mm(), pfn);
    }

    /** HostApi.folio(): the folio object is the head page's. */
    private static Folio folio(MmStruct mm, long pfn) {
        return new Folio(mm, mm.memMap().folioHead(pfn));
    }

    // The host converts page_folio's PFN before it looks for the model; the others the other way.
    public static Folio page_folio(Env env, double pfn) {
        return pageFolio(env, number(pfn, "page_folio"));
    }

    public static Folio page_folio(Env env, long pfn) {
        return pageFolio(env, number(pfn, "page_folio"));
    }

    private static Folio pageFolio(Env env, long pfn) {
        MmStruct mm = env.model("page_folio");
        return mm.memMap().pfnValid(pfn) ? folio(mm, pfn) : null;
    }

    public static double page_mapcount(Env env, double pfn) {
        MemMap mem = env.model("page_mapcount").memMap();
        return mem.mapcount(number(pfn, "page_mapcount"));
    }

    public static double page_mapcount(Env env, long pfn) {
        MemMap mem = env.model("page_mapcount").memMap();
        return mem.mapcount(number(pfn, "page_mapcount"));
    }

    /** page_flags: the KPF-style flags as a BigInt. */
    public static long page_flags(Env env, double pfn) {
        MemMap mem = env.model("page_flags").memMap();
        return mem.flags(number(pfn, "page_flags"));
    }

    public static long page_flags(Env env, long pfn) {
        MemMap mem = env.model("page_flags").memMap();
        return mem.flags(number(pfn, "page_flags"));
    }

    public static boolean is_zero_pfn(Env env, double pfn) {
        MemMap mem = env.model("is_zero_pfn").memMap();
        return mem.is_zero_pfn(number(pfn, "is_zero_pfn"));
    }

    public static boolean is_zero_pfn(Env env, long pfn) {
        MemMap mem = env.model("is_zero_pfn").memMap();
        return mem.is_zero_pfn(number(pfn, "is_zero_pfn"));
    }

    public static boolean is_huge_zero_pmd(Env env, long pmd) {
        return Memory.is_huge_zero_pmd(env.model("is_huge_zero_pmd").memMap(), pmd);
    }

    public static boolean is_huge_zero_pmd(Env env, double pmd) {
        long e = entry(pmd, "is_huge_zero_pmd");
        return is_huge_zero_pmd(env, e);
    }

    // ---- folio queries (HostApi.folioQuery)

    private static MemMap mem(Folio f, String fn) {
        return handle(f, "folio", fn).mm().memMap();
    }

    public static double folio_mapcount(Folio f) {
        return mem(f, "folio_mapcount").folioMapcount(f.pfn());
    }

    public static double folio_nr_pages(Folio f) {
        return num(mem(f, "folio_nr_pages").folioNrPages(f.pfn()));
    }

    public static double folio_order(Folio f) {
        return mem(f, "folio_order").folioOrder(f.pfn());
    }

    public static double folio_pfn(Folio f) {
        return num(handle(f, "folio", "folio_pfn").pfn());
    }

    public static boolean folio_test_large(Folio f) {
        return mem(f, "folio_test_large").folioOrder(f.pfn()) > 0;
    }

    public static boolean folio_maybe_mapped_shared(Folio f) {
        return mem(f, "folio_maybe_mapped_shared").folioMaybeMappedShared(f.pfn());
    }

    public static boolean folio_test_anon(Folio f) {
        return (mem(f, "folio_test_anon").flags(f.pfn()) & PageFlags.ANON) != 0;
    }

    public static boolean folio_test_ksm(Folio f) {
        return (mem(f, "folio_test_ksm").flags(f.pfn()) & PageFlags.KSM) != 0;
    }

    public static boolean folio_test_swapbacked(Folio f) {
        return (mem(f, "folio_test_swapbacked").flags(f.pfn()) & PageFlags.SWAPBACKED) != 0;
    }

    public static boolean folio_test_dirty(Folio f) {
        return (mem(f, "folio_test_dirty").flags(f.pfn()) & PageFlags.DIRTY) != 0;
    }

    public static boolean folio_test_referenced(Folio f) {
        return (mem(f, "folio_test_referenced").flags(f.pfn()) & PageFlags.REFERENCED) != 0;
    }

    public static boolean folio_test_lru(Folio f) {
        return (mem(f, "folio_test_lru").flags(f.pfn()) & PageFlags.LRU) != 0;
    }

    public static boolean folio_test_mlocked(Folio f) {
        return (mem(f, "folio_test_mlocked").flags(f.pfn()) & PageFlags.MLOCKED) != 0;
    }

    public static double folio_precise_page_mapcount(Folio f, double pfn) {
        handle(f, "folio", "folio_precise_page_mapcount");
        return precise(f, number(pfn, "folio_precise_page_mapcount"));
    }

    public static double folio_precise_page_mapcount(Folio f, long pfn) {
        handle(f, "folio", "folio_precise_page_mapcount");
        return precise(f, number(pfn, "folio_precise_page_mapcount"));
    }

    private static double precise(Folio f, long pfn) {
        MemMap mem = f.mm().memMap();
        if (pfn < f.pfn() || pfn >= f.pfn() + mem.folioNrPages(f.pfn())) {
            throw JsError.error("folio_precise_page_mapcount: pfn 0x" + Long.toHexString(pfn)
                    + " is not in the folio at 0x" + Long.toHexString(f.pfn()));
        }
        return mem.mapcount(pfn);
    }
}
