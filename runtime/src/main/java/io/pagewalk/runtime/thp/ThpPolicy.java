package io.pagewalk.runtime.thp;

import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.Map;

/**
 * Whether a VMA may be backed by transparent huge pages, as smaps' {@code THPeligible} reports it:
 * {@code thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS, THP_ORDERS_ALL)} of
 * {@code mm/huge_memory.c} and {@code mm/shmem.c} (6.18), over the model's VMA and the machine's
 * {@link ThpSettings}.
 *
 * <p>Some inputs of the kernel's decision are invisible from userspace: whether a regular file is
 * open for writing and whether the kernel has {@code CONFIG_READ_ONLY_THP_FOR_FS}, the
 * {@code huge=} option of a tmpfs mount, a shmem file's {@code i_size} for {@code within_size}.
 * Where the answer depends on them, {@link #smapsEligible} says {@link #UNKNOWN} instead of
 * guessing.
 */
public final class ThpPolicy {
    private ThpPolicy() {}

    public static final int UNKNOWN = -1;

    /** {@code THP_ORDERS_ALL_ANON}: orders 2 to PMD (order 1 cannot be anon-mapped). */
    private static final long ORDERS_ALL_ANON = ((1L << (ThpSettings.PMD_ORDER + 1)) - 1) & ~0b11L;
    /** {@code THP_ORDERS_ALL_FILE_DEFAULT}: orders 1 to MAX_PAGECACHE_ORDER (PMD order on x86-64). */
    private static final long ORDERS_ALL_FILE = ((1L << (ThpSettings.PMD_ORDER + 1)) - 1) & ~1L;

    /**
     * 1 when smaps would print {@code THPeligible: 1}, 0 when it would print 0, {@link #UNKNOWN}
     * when the answer rests on something userspace cannot see.
     *
     * @param mmThpDisabled the mm has {@code MMF_DISABLE_THP} (prctl PR_SET_THP_DISABLE;
     *     {@code THP_enabled: 0} in /proc/PID/status)
     */
    public static int smapsEligible(VmArea vma, ThpSettings settings, boolean mmThpDisabled) {
        long flags = vma.flags();
        if (vma.isHugetlb()) {
            return 0; // hugetlbfs has its own huge pages; THP never backs it
        }
        boolean hugepage = (flags & VmFlags.VM_HUGEPAGE) != 0;
        if (vma.isAnonymous()) {
            long orders = anonOrders(settings, hugepage) & ORDERS_ALL_ANON;
            if (orders == 0 || disabled(flags, mmThpDisabled)) {
                return 0;
            }
            // smaps says 1 even before the first fault gives the VMA an anon_vma.
            return suitableOrders(vma, orders) != 0 ? 1 : 0;
        }
        if ((flags & (VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) != 0) {
            return UNKNOWN; // special huge mappings (DAX, device memory) depend on the driver's huge_fault
        }
        if (disabled(flags, mmThpDisabled) || suitableOrders(vma, ORDERS_ALL_FILE) == 0) {
            return 0;
        }
        if (vma.file().isShmem()) {
            return shmemEligible(vma, settings, hugepage);
        }
        // Regular files: the sysfs mode must allow it, then only read-only THP for FS can (and that
        // needs CONFIG_READ_ONLY_THP_FOR_FS and no writer of the inode: not visible here).
        if (settings.enabled().equals("never") || (!hugepage && !settings.enabled().equals("always"))) {
            return 0;
        }
        return UNKNOWN;
    }

    /** The anon orders that the sysfs modes allow ({@code thp_vma_allowable_orders()}'s mask). */
    private static long anonOrders(ThpSettings s, boolean hugepage) {
        boolean inherit = s.enabled().equals("always") || (hugepage && s.enabled().equals("madvise"));
        long mask = 0;
        for (Map.Entry<Integer, String> e : s.anonOrders().entrySet()) {
            String mode = e.getValue();
            if (mode.equals("always") || (hugepage && mode.equals("madvise")) || (inherit && mode.equals("inherit"))) {
                mask |= 1L << e.getKey();
            }
        }
        return mask;
    }

    private static boolean disabled(long flags, boolean mmThpDisabled) {
        return (flags & VmFlags.VM_NOHUGEPAGE) != 0 || mmThpDisabled;
    }

    /**
     * {@code thp_vma_suitable_order()} for each order, with the address smaps asks about
     * ({@code vm_end - size}): the VMA must hold one naturally aligned block of that size, and a
     * file VMA's offset must be aligned the same way as its address.
     */
    private static long suitableOrders(VmArea vma, long orders) {
        long suitable = 0;
        for (int order = 63 - Long.numberOfLeadingZeros(orders); order >= 0; order--) {
            if ((orders & (1L << order)) == 0) {
                continue;
            }
            long size = PagingGeometry.PAGE_SIZE << order;
            if (!vma.isAnonymous() && (((vma.start() >>> PagingGeometry.PAGE_SHIFT) - vma.pgoff()) & ((1L << order) - 1)) != 0) {
                continue;
            }
            long haddr = (vma.end() - size) & -size;
            if (Long.compareUnsigned(haddr, vma.start()) >= 0 && Long.compareUnsigned(haddr + size, vma.end()) <= 0) {
                suitable |= 1L << order;
            }
        }
        return suitable;
    }

    /**
     * {@code shmem_allowable_huge_orders()}. Shared anonymous memory lives on the kernel's internal
     * shmem mount, whose {@code huge=} is the global {@code shmem_enabled}; other tmpfs mounts have
     * options the model does not know.
     */
    private static int shmemEligible(VmArea vma, ThpSettings s, boolean hugepage) {
        String global = s.shmemEnabled();
        if (global.equals("deny")) {
            return 0;
        }
        if (global.equals("force")) {
            return 1;
        }
        if (!isAnonShmem(vma)) {
            return UNKNOWN;
        }
        boolean globalAllows = switch (global) {
            case "always" -> true;
            case "advise" -> hugepage;
            default -> false;
        };
        boolean dependsOnSize = global.equals("within_size");
        long mask = 0;
        for (Map.Entry<Integer, String> e : s.shmemOrders().entrySet()) {
            String mode = e.getValue();
            if (mode.equals("always") || (hugepage && mode.equals("advise")) || (globalAllows && mode.equals("inherit"))) {
                mask |= 1L << e.getKey();
            } else if (mode.equals("within_size") || (dependsOnSize && mode.equals("inherit"))) {
                dependsOnSize = true;
            }
        }
        if ((suitableOrders(vma, mask & ORDERS_ALL_FILE)) != 0) {
            return 1;
        }
        return dependsOnSize ? UNKNOWN : 0;
    }

    /** {@code vma_is_anon_shmem()}: a MAP_SHARED|MAP_ANONYMOUS mapping, shown as /dev/zero. */
    private static boolean isAnonShmem(VmArea vma) {
        String name = vma.name();
        return name.startsWith("/dev/zero") || name.startsWith("[anon_shmem");
    }
}
