package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.pmd_leaf;
import static io.pagewalk.runtime.pgtable.Pgtable.pte_present;
import static io.pagewalk.runtime.pgtable.Pgtable.pte_write;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic process: its address space is built by the system calls a program makes, each with
 * what the kernel (6.18, x86-64) does for it as far as the model goes: VMA placement, flags,
 * splits and merges; page faults (zero page, THP, file fault-around, copy-on-write); madvise;
 * mlock; fork. {@link #mm()} is the resulting {@link MmStruct}, ready for the walker.
 *
 * <pre>{@code
 * SyntheticProcess p = new SyntheticProcess();
 * long a = p.mmap(0, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
 * p.madvise(a, 4 << 20, MADV_HUGEPAGE);
 * p.touch(a, 4 << 20, true);          // two PMD-mapped THPs
 * SyntheticProcess child = p.fork();  // shared copy-on-write, mapcount 2
 * }</pre>
 *
 * <p>Failures throw {@link SyscallException} with the kernel's errno. Addresses and lengths are
 * unsigned 64-bit values.
 *
 * <p>Checked against the running kernel (see the builder tests). Not modelled: mremap, file and
 * shmem THPs, mTHP orders below PMD size, stack growth, userfaultfd, KSM, NUMA, the stack guard
 * gap in placement, reclaim of file pages by MADV_PAGEOUT, KSM merging (MADV_MERGEABLE only sets
 * the flag), memory-failure advice, khugepaged and the deferred THP split (partly unmapped THPs
 * stay large, as they do until memory pressure). Asynchronous kernel state is shown settled:
 * MADV_FREE's lazy-free batch drained, new pages on the LRU.
 */
public final class SyntheticProcess {
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int PROT_SEM = 0x8;
    public static final int PROT_GROWSDOWN = 0x01000000;
    public static final int PROT_GROWSUP = 0x02000000;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_SEQUENTIAL = 2;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_UNMERGEABLE = 13;
    public static final int MADV_DONTDUMP = 16;
    public static final int MADV_DODUMP = 17;
    public static final int MADV_WIPEONFORK = 18;
    public static final int MADV_KEEPONFORK = 19;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_COLD = 20;
    public static final int MADV_PAGEOUT = 21;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;
    public static final int MADV_DONTNEED_LOCKED = 24;
    public static final int MADV_COLLAPSE = 25;
    public static final int MADV_HWPOISON = 100;
    public static final int MADV_SOFT_OFFLINE = 101;
    public static final int MADV_GUARD_INSTALL = 102;
    public static final int MADV_GUARD_REMOVE = 103;

    /** {@code vm.mmap_min_addr} of the test machine. */
    public static final long MMAP_MIN_ADDR = 4096;
    /** {@code mmap_base} without randomization: 128 MiB (the minimum stack gap) below the 47-bit window. */
    public static final long MMAP_BASE = (1L << 47) - PagingGeometry.PAGE_SIZE - (128L << 20);

    private final Machine machine;
    private final MmStruct mm;
    /** {@code vma->anon_vma}: set once a VMA has anonymous pages; merges and fork look at it. */
    private final Map<VmArea, Object> anonVmas = new IdentityHashMap<>();
    private final VmaTree vmaTree;
    private final Fault fault;

    public SyntheticProcess() {
        this(SyntheticConfig.defaults());
    }

    public SyntheticProcess(SyntheticConfig config) {
        this(new Machine(config));
    }

    private SyntheticProcess(Machine machine) {
        this.machine = machine;
        this.mm = new MmStruct(PagingGeometry.ofLevels(machine.config.pagingLevels()), machine.memMap);
        this.mm.setOrigin(MmOrigin.SYNTHETIC);
        this.vmaTree = new VmaTree(this);
        this.fault = new Fault(this);
    }

    /** A child on the same machine with an empty address space (fork fills it). */
    SyntheticProcess sibling() {
        return new SyntheticProcess(machine);
    }

    public MmStruct mm() {
        return mm;
    }

    public MemMap memMap() {
        return machine.memMap;
    }

    public SyntheticConfig config() {
        return machine.config;
    }

    Machine machine() {
        return machine;
    }

    VmaTree vmaTree() {
        return vmaTree;
    }

    // ---- files ----

    /** A regular file of {@code pages} pages, all in the page cache and clean, opened read-write. */
    public FileHandle createFile(String path, long pages) {
        return FileHandle.create(machine, path, pages, FileHandle.CLEAN_PAGE);
    }

    /** Like {@link #createFile(String, long)}, with the kpageflags its cached pages have before any mapping. */
    public FileHandle createFile(String path, long pages, long pageCacheFlags) {
        return FileHandle.create(machine, path, pages, pageCacheFlags);
    }

    // ---- mmap / munmap ----

    /** {@code mmap(2)}: returns the address of the new mapping. {@code file} is ignored with MAP_ANONYMOUS. */
    public long mmap(long addr, long len, int prot, int flags, FileHandle file, long offset) {
        Mmap m = new Mmap(this);
        long start;
        try (var lock = mm.mmapLock().write()) {
            start = m.mmap(addr, len, prot, flags, file, offset);
        }
        if (m.populateLength != 0) {
            try (var lock = mm.mmapLock().read()) {
                populate(start, start + m.populateLength, false);
            }
        }
        return start;
    }

    /** {@code munmap(2)}. */
    public int munmap(long addr, long len) {
        if ((addr & ~PagingGeometry.PAGE_MASK) != 0) {
            throw new SyscallException(Errno.EINVAL, String.format("munmap: address 0x%x is not page aligned", addr));
        }
        long end = addr + pageAlign(len);
        if (len == 0 || Long.compareUnsigned(addr, mm.taskSize()) > 0
                || Long.compareUnsigned(len, mm.taskSize() - addr) > 0 || end == addr) {
            throw new SyscallException(Errno.EINVAL, String.format("munmap: bad range 0x%x+0x%x", addr, len));
        }
        try (var lock = mm.mmapLock().write()) {
            vmaTree.unmap(addr, end);
        }
        return 0;
    }

    // ---- mprotect ----

    /** {@code mprotect(2)}: applied VMA by VMA; a hole fails with ENOMEM after the VMAs before it changed. */
    public int mprotect(long start, long len, int prot) {
        if ((start & ~PagingGeometry.PAGE_MASK) != 0) {
            throw new SyscallException(Errno.EINVAL, String.format("mprotect: address 0x%x is not page aligned", start));
        }
        int known = PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP;
        if ((prot & ~known) != 0 || (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP)) {
            throw new SyscallException(Errno.EINVAL, "mprotect: bad prot 0x" + Integer.toHexString(prot));
        }
        if (len == 0) {
            return 0;
        }
        long end = start + pageAlign(len);
        if (Long.compareUnsigned(end, start) <= 0) {
            throw new SyscallException(Errno.ENOMEM, String.format("mprotect: range 0x%x+0x%x wraps", start, len));
        }
        try (var lock = mm.mmapLock().write()) {
            return mprotectLocked(start, end, prot);
        }
    }

    private int mprotectLocked(long start, long end, int prot) {
        VmArea first = mm.findVma(start);
        if (first == null || Long.compareUnsigned(first.start(), start) > 0) {
            throw new SyscallException(Errno.ENOMEM, String.format("mprotect: 0x%x is not mapped", start));
        }
        long tmp = start;
        for (VmArea vma : vmaTree.intersecting(start, end)) {
            if (vma.start() > tmp) {
                break;
            }
            long newFlags = protBits(prot) | (vma.flags() & ~VmFlags.VM_ACCESS_FLAGS);
            if ((newFlags & ~(newFlags >>> 4) & VmFlags.VM_ACCESS_FLAGS) != 0) {
                throw new SyscallException(Errno.EACCES, "mprotect: " + vma + " may not become " + protString(prot));
            }
            long s = Math.max(tmp, vma.start());
            long e = Math.min(vma.end(), end);
            VmaTree.checkSplit(vma, s);
            VmaTree.checkSplit(vma, e);
            // A private mapping made writable is charged (VM_ACCOUNT); one made read-only keeps its
            // charge unless it is anonymous and never got a page (no anon_vma).
            if ((newFlags & VmFlags.VM_WRITE) != 0) {
                if ((vma.flags() & (VmFlags.VM_ACCOUNT | VmFlags.VM_WRITE | VmFlags.VM_HUGETLB | VmFlags.VM_SHARED
                        | VmFlags.VM_NORESERVE)) == 0) {
                    newFlags |= VmFlags.VM_ACCOUNT;
                }
            } else if (vma.test(VmFlags.VM_ACCOUNT) && vma.isAnonymous() && anonVma(vma) == null) {
                newFlags &= ~VmFlags.VM_ACCOUNT;
            }
            if (newFlags != vma.flags()) {
                VmArea changed = vmaTree.modify(vma, s, e, newFlags);
                ChangeProtection.range(this, changed, s, e);
            }
            tmp = e;
            if (tmp == end) {
                break;
            }
        }
        if (tmp != end) {
            throw new SyscallException(Errno.ENOMEM, String.format("mprotect: 0x%x is not mapped", tmp));
        }
        return 0;
    }

    // ---- madvise ----

    /** {@code madvise(2)}. */
    public int madvise(long start, long len, int advice) {
        try (var lock = mm.mmapLock().write()) {
            return new Madvise(this).madvise(start, len, advice);
        }
    }

    // ---- mlock ----

    /** {@code mlock(2)}: VM_LOCKED, then every page faulted in and its folio mlocked. */
    public int mlock(long start, long len) {
        return lock(start, len, true);
    }

    /** {@code munlock(2)}. */
    public int munlock(long start, long len) {
        return lock(start, len, false);
    }

    private int lock(long start, long len, boolean on) {
        String call = on ? "mlock" : "munlock";
        len = pageAlign(len + (start & ~PagingGeometry.PAGE_MASK));
        start &= PagingGeometry.PAGE_MASK;
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            throw new SyscallException(Errno.EINVAL, call + ": range wraps");
        }
        if (len == 0) {
            return 0;
        }
        try (var lock = mm.mmapLock().write()) {
            applyLock(start, end, on, call);
        }
        if (on) {
            try (var lock = mm.mmapLock().read()) {
                populate(start, end, true);
            }
        }
        return 0;
    }

    /** {@code apply_vma_lock_flags()}. */
    private void applyLock(long start, long end, boolean on, String call) {
        if (mm.vmaLookup(start) == null) {
            throw new SyscallException(Errno.ENOMEM, String.format("%s: 0x%x is not mapped", call, start));
        }
        long tmp = start;
        for (VmArea vma : vmaTree.intersecting(start, end)) {
            if (vma.start() > tmp) {
                throw new SyscallException(Errno.ENOMEM, String.format("%s: 0x%x is not mapped", call, tmp));
            }
            long s = Math.max(tmp, vma.start());
            long e = Math.min(vma.end(), end);
            long newFlags = on ? vma.flags() | VmFlags.VM_LOCKED
                    : vma.flags() & ~(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
            boolean skip = (vma.flags() & VmFlags.VM_SPECIAL) != 0 || vma.isHugetlb() || vma.test(VmFlags.VM_DROPPABLE);
            if (!skip && newFlags != vma.flags()) {
                VmArea changed = vmaTree.modify(vma, s, e, newFlags);
                if (!on) {
                    forEachMappedFolio(changed, s, e, head -> memMap().folioClearFlag(head,
                            PageFlags.MLOCKED | PageFlags.UNEVICTABLE));
                }
            }
            tmp = e;
        }
        if (Long.compareUnsigned(tmp, end) < 0) {
            throw new SyscallException(Errno.ENOMEM, String.format("%s: 0x%x is not mapped", call, tmp));
        }
    }

    /**
     * {@code __mm_populate()}: faults in every page, writing to private writable mappings (which
     * breaks copy-on-write), and marks the pages accessed; mlocked VMAs mlock their folios.
     */
    void populate(long start, long end, boolean failOnInaccessible) {
        populate(start, end, failOnInaccessible, null);
    }

    /** {@code populate} with the write decision forced ({@code MADV_POPULATE_READ/WRITE}), or null for mlock's. */
    void populate(long start, long end, boolean failOnInaccessible, Boolean forceWrite) {
        for (VmArea vma : vmaTree.intersecting(start, end)) {
            if ((vma.flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) {
                continue;
            }
            if ((vma.flags() & VmFlags.VM_ACCESS_FLAGS) == 0) {
                if (failOnInaccessible) {
                    throw new SyscallException(Errno.ENOMEM, "cannot fault in PROT_NONE mapping " + vma);
                }
                continue;
            }
            boolean write = forceWrite != null ? forceWrite
                    : (vma.flags() & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE;
            long s = Math.max(start, vma.start());
            long e = Math.min(end, vma.end());
            for (long a = s; Long.compareUnsigned(a, e) < 0; a += vma.pageSize()) {
                fault.handle(a, write);
                long pfn = mappedPfn(a);
                if (pfn >= 0) {
                    // FOLL_TOUCH: mark_page_accessed() on PTE-mapped pages; a huge PMD only gets its young bit.
                    EntryPointer pmdp = Ptes.pmd(mm, a, false);
                    if (pmdp == null || !pmd_leaf(pmdp.get())) {
                        Rmap.markAccessed(machine.memMap, pfn);
                    }
                    mlockIfLocked(vma, a);
                }
            }
        }
    }

    // ---- touching memory ----

    /**
     * Reads or writes every page of {@code [addr, addr+len)} as the program would, taking the page
     * faults that causes. An access the kernel answers with SIGSEGV or SIGBUS throws EFAULT.
     */
    public void touch(long addr, long len, boolean write) {
        long start = addr & PagingGeometry.PAGE_MASK;
        long end = pageAlign(addr + len);
        try (var lock = mm.mmapLock().read()) {
            for (long a = start; Long.compareUnsigned(a, end) < 0; a += PagingGeometry.PAGE_SIZE) {
                fault.handle(a, write);
                mlockIfLocked(mm.vmaLookup(a), a);
                // The rest of a huge mapping that allows this access takes no further fault.
                EntryPointer pmdp = Ptes.pmd(mm, a, false);
                if (pmdp != null && pmd_leaf(pmdp.get()) && (!write || pte_write(pmdp.get()))) {
                    a = Math.max(a, Math.min(end, (a & PagingGeometry.PMD_MASK) + PagingGeometry.PMD_SIZE)
                            - PagingGeometry.PAGE_SIZE);
                }
            }
        }
    }

    /** {@code mlock_vma_folio()}: small folios and PMD-mapped ones in VM_LOCKED VMAs are mlocked. */
    private void mlockIfLocked(VmArea vma, long addr) {
        if (vma == null || !vma.test(VmFlags.VM_LOCKED)) {
            return;
        }
        EntryPointer pmdp = Ptes.pmd(mm, addr, false);
        long pfn = mappedPfn(addr);
        if (pfn < 0) {
            return;
        }
        boolean pmdMapped = pmdp != null && pmd_leaf(pmdp.get());
        if (pmdMapped || memMap().folioOrder(pfn) == 0) {
            memMap().folioSetFlag(pfn, PageFlags.MLOCKED | PageFlags.UNEVICTABLE);
        }
    }

    /** The normal page mapped at {@code addr} ({@code vm_normal_page}), or -1. */
    public long mappedPfn(long addr) {
        VmArea vma = mm.vmaLookup(addr);
        EntryPointer pmdp = Ptes.pmd(mm, addr, false);
        if (vma == null || pmdp == null) {
            return -1;
        }
        long pmd = pmdp.get();
        if (pmd_leaf(pmd)) {
            long head = Memory.vm_normal_page_pmd(vma, addr, pmd);
            return head < 0 ? -1 : head + ((addr & ~PagingGeometry.PMD_MASK) >>> PagingGeometry.PAGE_SHIFT);
        }
        EntryPointer ptep = Ptes.pte(mm, addr, false);
        if (ptep == null || !pte_present(ptep.get())) {
            return -1;
        }
        return Memory.vm_normal_page(vma, addr, ptep.get());
    }

    void forEachMappedFolio(VmArea vma, long start, long end, java.util.function.LongConsumer headAction) {
        long last = -1;
        for (long a = start; Long.compareUnsigned(a, end) < 0; a += PagingGeometry.PAGE_SIZE) {
            long pfn = mappedPfn(a);
            if (pfn >= 0) {
                long head = memMap().folioHead(pfn);
                if (head != last) {
                    headAction.accept(head);
                    last = head;
                }
            }
        }
    }

    /** {@code exit(2)}: every mapping goes ({@code exit_mmap}); pages shared with others stay theirs. */
    public void exit() {
        try (var lock = mm.mmapLock().write()) {
            vmaTree.unmap(0, mm.taskSize());
        }
    }

    // ---- fork ----

    /** {@code fork(2)}: a child sharing this machine, with the address space {@code dup_mmap()} gives it. */
    public SyntheticProcess fork() {
        try (var lock = mm.mmapLock().write()) {
            return Fork.fork(this);
        }
    }

    // ---- THP policy ----

    /**
     * {@code thp_vma_allowable_order()} for a PMD fault at {@code addr}: a private anonymous VMA that
     * THP mode allows, not VM_NOHUGEPAGE, with the aligned 2 MiB around {@code addr} inside it.
     */
    boolean thpFaultAllowed(VmArea vma, long addr) {
        if (!thpVmaAllowed(vma, false)) {
            return false;
        }
        long haddr = addr & PagingGeometry.PMD_MASK;
        return Long.compareUnsigned(haddr, vma.start()) >= 0
                && Long.compareUnsigned(haddr + PagingGeometry.PMD_SIZE, vma.end()) <= 0;
    }

    /** The VMA part of the THP policy; {@code collapse} is MADV_COLLAPSE, which ignores the sysfs mode. */
    boolean thpVmaAllowed(VmArea vma, boolean collapse) {
        if (!vma.isAnonymous() || vma.test(VmFlags.VM_NOHUGEPAGE) || (vma.flags() & VmFlags.VM_SPECIAL) != 0
                || vma.isHugetlb()) {
            return false;
        }
        return collapse || switch (machine.config.thpMode()) {
            case ALWAYS -> true;
            case MADVISE -> vma.test(VmFlags.VM_HUGEPAGE);
            case NEVER -> false;
        };
    }

    // ---- anon_vma ----

    Object anonVma(VmArea vma) {
        return anonVmas.get(vma);
    }

    /** {@code anon_vma_prepare()}: the VMA gets an anon_vma at its first anonymous page. */
    void anonVmaPrepare(VmArea vma) {
        anonVmas.computeIfAbsent(vma, v -> new Object());
    }

    void copyAnonVma(VmArea from, VmArea to) {
        Object av = anonVmas.get(from);
        if (av != null) {
            anonVmas.put(to, av);
        }
    }

    void forgetAnonVma(VmArea vma) {
        anonVmas.remove(vma);
    }

    void setAnonVma(VmArea vma, Object anonVma) {
        anonVmas.put(vma, anonVma);
    }

    // ---- helpers ----

    static long pageAlign(long len) {
        return (len + PagingGeometry.PAGE_SIZE - 1) & PagingGeometry.PAGE_MASK;
    }

    /** {@code calc_vm_prot_bits()}. */
    static long protBits(int prot) {
        return ((prot & PROT_READ) != 0 ? VmFlags.VM_READ : 0) | ((prot & PROT_WRITE) != 0 ? VmFlags.VM_WRITE : 0)
                | ((prot & PROT_EXEC) != 0 ? VmFlags.VM_EXEC : 0);
    }

    static String protString(int prot) {
        return ((prot & PROT_READ) != 0 ? "r" : "-") + ((prot & PROT_WRITE) != 0 ? "w" : "-")
                + ((prot & PROT_EXEC) != 0 ? "x" : "-");
    }

    /** The VMAs in address order (shorthand for {@code mm().vmas()}). */
    public List<VmArea> vmas() {
        return mm.vmas();
    }

    /** The VMA containing {@code addr}, or null. */
    public VmArea vma(long addr) {
        return mm.vmaLookup(addr);
    }

    /** A shmem or hugetlbfs file made by mmap itself (shared anonymous and MAP_HUGETLB mappings). */
    AddressSpace newPseudoFile(String path, long dev, boolean shmem, long pages) {
        AddressSpace as = new AddressSpace(path, dev, machine.nextInode(), shmem);
        machine.memMap.registerAddressSpace(as);
        machine.setFileSize(as, pages);
        machine.markMappingOnly(as);
        return as;
    }
}
