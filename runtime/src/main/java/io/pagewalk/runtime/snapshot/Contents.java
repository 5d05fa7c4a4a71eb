package io.pagewalk.runtime.snapshot;

/**
 * How much a snapshot holds, as its header declares it: the reader checks its heap against these
 * before it decodes, and the body against them while it does.
 *
 * @param presentPages 4 KiB pages mapped by present leaf entries (a PMD leaf counts 512)
 */
record Contents(long files, long vmas, long pageTables, long memMapSections, long presentPages) {
    /** Rough heap bytes the loaded model takes (sections and tables dominate). */
    long estimatedHeapBytes() {
        long section = 32768L * (8 + 4 + 4 + 4 + 1 + 4 + 4 + 8 + 8 + 8) + 256;
        long table = 4096 + 512 * 8 + 128;
        return memMapSections * section + pageTables * table + vmas * 256 + files * 512;
    }
}
