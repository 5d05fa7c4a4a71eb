package io.pagewalk.runtime.builder;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.PageFlags;

/**
 * An open file of a synthetic machine: its {@link AddressSpace} (with every page in the page cache
 * from the start, as after the file was written), its size, and the mode it was opened with, which
 * {@code mmap} checks as the kernel checks {@code f_mode}. Make one with
 * {@link SyntheticProcess#createFile(String, long)}.
 */
public final class FileHandle {
    /** The flags of a clean, cached file page before anyone maps it. */
    public static final long CLEAN_PAGE = PageFlags.UPTODATE | PageFlags.LRU;

    private final AddressSpace mapping;
    private final long pages;
    private final boolean readable;
    private final boolean writable;
    final Machine machine;

    FileHandle(Machine machine, AddressSpace mapping, long pages, boolean readable, boolean writable) {
        this.machine = machine;
        this.mapping = mapping;
        this.pages = pages;
        this.readable = readable;
        this.writable = writable;
    }

    static FileHandle create(Machine machine, String path, long pages, long pageFlags) {
        if (pages < 0) {
            throw new IllegalArgumentException("file " + path + ": negative size " + pages);
        }
        AddressSpace as = new AddressSpace(path, Machine.dev(0xfe, 0), machine.nextInode(), false);
        machine.memMap.registerAddressSpace(as);
        machine.setFileSize(as, pages);
        for (long i = 0; i < pages; i++) {
            long pfn = machine.allocFrames(0);
            // The page cache holds one reference; mappings add theirs.
            machine.memMap.setPage(pfn, pageFlags & ~PageFlags.MMAP, 0, 1);
            machine.memMap.setMapping(pfn, as, i);
            as.pageCache().put(i, pfn);
        }
        return new FileHandle(machine, as, pages, true, true);
    }

    public AddressSpace mapping() {
        return mapping;
    }

    public String path() {
        return mapping.path();
    }

    /** Size in pages. */
    public long pages() {
        return pages;
    }

    public boolean readable() {
        return readable;
    }

    public boolean writable() {
        return writable;
    }

    /** The same file opened {@code O_RDONLY}. */
    public FileHandle readOnly() {
        return new FileHandle(machine, mapping, pages, true, false);
    }

    /** The same file opened {@code O_WRONLY} (mmap then fails with EACCES). */
    public FileHandle writeOnly() {
        return new FileHandle(machine, mapping, pages, false, true);
    }

    @Override
    public String toString() {
        return "FileHandle[" + path() + ", " + pages + " pages" + (writable ? "" : ", read-only") + "]";
    }
}
