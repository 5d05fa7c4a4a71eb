package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.List;

/**
 * {@code do_mmap()} and {@code mmap_region()}: argument checks, the VMA flags the kernel computes,
 * placement ({@code get_unmapped_area}, top-down from {@code mmap_base}, THP-aligned for anonymous
 * mappings whose length is a multiple of 2 MiB), replacing under MAP_FIXED, and merging.
 */
final class Mmap {
    private final SyntheticProcess proc;
    private final MmStruct mm;
    /** Bytes to fault in after the mmap lock is dropped (MAP_POPULATE, MAP_LOCKED), else 0. */
    long populateLength;

    Mmap(SyntheticProcess proc) {
        this.proc = proc;
        this.mm = proc.mm();
    }

    long mmap(long addr, long len, int prot, int flags, FileHandle file, long offset) {
        if ((offset & ~PagingGeometry.PAGE_MASK) != 0) {
            throw new SyscallException(Errno.EINVAL, "mmap: offset 0x" + Long.toHexString(offset) + " is not page aligned");
        }
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
            throw new SyscallException(Errno.EINVAL, "mmap: flags 0x" + Integer.toHexString(flags)
                    + " have neither MAP_SHARED nor MAP_PRIVATE");
        }
        boolean shared = type != MAP_PRIVATE;
        boolean anon = (flags & MAP_ANONYMOUS) != 0;
        if (!anon && file == null) {
            throw new SyscallException(Errno.EBADF, "mmap: no file and no MAP_ANONYMOUS");
        }
        if (!anon && file.machine != proc.machine()) {
            throw new IllegalArgumentException("mmap: " + file + " belongs to another synthetic machine");
        }
        boolean hugetlb = anon && (flags & MAP_HUGETLB) != 0;
        if (hugetlb) {
            len = (len + PagingGeometry.PMD_SIZE - 1) & PagingGeometry.PMD_MASK;
        }
        if (len == 0) {
            throw new SyscallException(Errno.EINVAL, "mmap: length 0");
        }
        long alignedLen = pageAlign(len);
        if (alignedLen == 0 || Long.compareUnsigned(alignedLen, mm.taskSize()) > 0) {
            throw new SyscallException(Errno.ENOMEM, "mmap: length 0x" + Long.toHexString(len) + " too large");
        }
        len = alignedLen;
        long pgoff = offset >>> PagingGeometry.PAGE_SHIFT;
        if (Long.compareUnsigned(pgoff + (len >>> PagingGeometry.PAGE_SHIFT), pgoff) < 0) {
            throw new SyscallException(Errno.EOVERFLOW, "mmap: offset + length overflows");
        }
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (!fixed && addr != 0 && Long.compareUnsigned(addr, MMAP_MIN_ADDR) < 0) {
            addr = MMAP_MIN_ADDR; // round_hint_to_min()
        }

        long vmFlags = protBits(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        if ((flags & MAP_GROWSDOWN) != 0) {
            vmFlags |= VmFlags.VM_GROWSDOWN;
        }
        if ((flags & MAP_LOCKED) != 0) {
            vmFlags |= VmFlags.VM_LOCKED;
        }
        if (!anon) {
            if (!file.readable()) {
                throw new SyscallException(Errno.EACCES, "mmap: " + file.path() + " is not open for reading");
            }
            if (shared) {
                if ((prot & PROT_WRITE) != 0 && !file.writable()) {
                    throw new SyscallException(Errno.EACCES, "mmap: shared writable mapping of read-only " + file.path());
                }
                vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                if (!file.writable()) {
                    vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
                }
            }
        } else if (shared) {
            vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
            pgoff = 0;
        }
        if ((flags & MAP_NORESERVE) != 0) {
            vmFlags |= VmFlags.VM_NORESERVE;
        }
        if (hugetlb) {
            vmFlags |= VmFlags.VM_HUGETLB | VmFlags.VM_DONTEXPAND;
            pgoff = 0;
        }

        long start = unmappedArea(addr, len, flags, hugetlb, anon && !shared && !hugetlb);
        if ((flags & MAP_FIXED_NOREPLACE) != 0 && mm.findVmaIntersection(start, start + len) != null) {
            throw new SyscallException(Errno.EEXIST, String.format("mmap: 0x%x-0x%x is already mapped", start, start + len));
        }
        proc.vmaTree().unmap(start, start + len);
        // hugetlbfs reserves its pages only now, after MAP_FIXED removed what was there: a
        // failure leaves a hole (the old page tables are gone), as in the kernel.
        if (hugetlb && (flags & MAP_NORESERVE) == 0 && !proc.machine().hugetlbAvailable(len >>> PagingGeometry.PMD_SHIFT)) {
            throw new SyscallException(Errno.ENOMEM, "mmap: not enough free huge pages for 0x" + Long.toHexString(len));
        }

        if (!hugetlb && (vmFlags & (VmFlags.VM_NORESERVE | VmFlags.VM_SHARED | VmFlags.VM_WRITE)) == VmFlags.VM_WRITE) {
            vmFlags |= VmFlags.VM_ACCOUNT; // accountable_mapping()
        }
        AddressSpace backing = null;
        String name = "";
        if (hugetlb) {
            backing = proc.newPseudoFile("/anon_hugepage (deleted)", Machine.HUGETLBFS_DEV, false, len >>> PagingGeometry.PAGE_SHIFT);
            name = backing.path();
        } else if (anon && shared) {
            backing = proc.newPseudoFile("/dev/zero (deleted)", Machine.SHMEM_DEV, true, len >>> PagingGeometry.PAGE_SHIFT);
            name = backing.path();
        } else if (!anon) {
            backing = file.mapping();
            name = file.path();
        } else {
            pgoff = start >>> PagingGeometry.PAGE_SHIFT;
        }
        VmArea vma = mm.insertVma(start, start + len, vmFlags, pgoff, backing, name);
        if (hugetlb) {
            vma.setPageShift(PagingGeometry.PMD_SHIFT);
        }
        proc.vmaTree().mergeAround(vma);
        populateLength = (vmFlags & VmFlags.VM_LOCKED) != 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE
                ? len : 0;
        return start;
    }

    /**
     * {@code get_unmapped_area()} with x86-64's top-down allocator: a fixed address as given, a
     * free hint as given, else the highest gap below {@code mmap_base} that fits.
     */
    private long unmappedArea(long addr, long len, int flags, boolean hugetlb, boolean privateAnon) {
        long taskSize = mm.taskSize();
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            if ((addr & ~PagingGeometry.PAGE_MASK) != 0 || (hugetlb && (addr & ~PagingGeometry.PMD_MASK) != 0)) {
                throw new SyscallException(Errno.EINVAL, String.format("mmap: fixed address 0x%x is not aligned", addr));
            }
            if (Long.compareUnsigned(addr, taskSize - len) > 0) {
                throw new SyscallException(Errno.ENOMEM, String.format("mmap: 0x%x+0x%x is beyond TASK_SIZE", addr, len));
            }
            return addr;
        }
        long align = hugetlb ? PagingGeometry.PMD_SIZE : PagingGeometry.PAGE_SIZE;
        if (addr != 0) {
            long hint = (addr + align - 1) & -align;
            if (Long.compareUnsigned(hint, taskSize - len) <= 0 && mm.findVmaIntersection(hint, hint + len) == null) {
                return hint;
            }
        } else if (privateAnon && (len & ~PagingGeometry.PMD_MASK) == 0) {
            align = PagingGeometry.PMD_SIZE; // thp_get_unmapped_area(): THP-aligned large anonymous mappings
        }
        long high = MMAP_BASE;
        List<io.pagewalk.runtime.mm.VmArea> vmas = mm.vmas();
        for (int i = vmas.size(); i >= 0; i--) {
            long gapStart = i == 0 ? MMAP_MIN_ADDR : vmas.get(i - 1).end();
            long gapEnd = i == vmas.size() ? taskSize : vmas.get(i).start();
            gapEnd = Math.min(gapEnd, high);
            if (gapEnd - gapStart < len || gapEnd < gapStart) {
                continue;
            }
            long candidate = (gapEnd - len) & -align;
            if (candidate >= gapStart) {
                return candidate;
            }
        }
        throw new SyscallException(Errno.ENOMEM, "mmap: no free range of 0x" + Long.toHexString(len) + " bytes");
    }
}
