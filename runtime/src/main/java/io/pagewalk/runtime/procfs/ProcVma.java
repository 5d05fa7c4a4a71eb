package io.pagewalk.runtime.procfs;

import io.pagewalk.runtime.mm.VmFlags;
import java.util.Set;

/**
 * One VMA as /proc/PID/smaps describes it, without any of its page counters.
 *
 * <p>Deliberately absent: Rss, Pss, Shared/Private Clean/Dirty, Referenced, Anonymous,
 * LazyFree, AnonHugePages, Shmem/FilePmdMapped, Swap, SwapPss, Locked, THPeligible and the
 * like. The model computes those from the pages it imports; carrying the kernel's numbers
 * along would invite comparing a value with itself. Tests that want the kernel's numbers as an
 * oracle read smaps themselves.
 *
 * @param map            the header line (the same fields as /proc/PID/maps)
 * @param vmFlags        the {@code VmFlags:} codes as kernel {@code VM_*} bits
 *                       ({@link VmFlagMnemonics})
 * @param unmappedVmFlags codes without a bit on this configuration, or unknown ones
 * @param kernelPageSize {@code KernelPageSize} in bytes (2 MiB or 1 GiB for hugetlb VMAs)
 * @param mmuPageSize    {@code MMUPageSize} in bytes
 * @param protectionKey  {@code ProtectionKey}, or -1 when smaps has no such line (no pkeys)
 */
public record ProcVma(MapsEntry map, long vmFlags, Set<String> unmappedVmFlags,
                      long kernelPageSize, long mmuPageSize, int protectionKey) {
    public ProcVma {
        unmappedVmFlags = Set.copyOf(unmappedVmFlags);
    }

    public long start() {
        return map.start();
    }

    public long end() {
        return map.end();
    }

    public String name() {
        return map.name();
    }

    public String perms() {
        return map.perms();
    }

    public boolean hasFlag(long vmFlag) {
        return (vmFlags & vmFlag) == vmFlag;
    }

    /** True for hugetlbfs VMAs (VM_HUGETLB, "ht"). */
    public boolean hugetlb() {
        return hasFlag(VmFlags.VM_HUGETLB);
    }
}
