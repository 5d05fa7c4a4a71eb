/**
 * The low-level procfs layer of live import: everything the kernel shows of a running
 * process's memory, read as cheaply as possible, with no dependency on the page-table model.
 *
 * <ul>
 * <li>{@link io.pagewalk.runtime.procfs.ProcMaps}: VMAs from /proc/PID/smaps (flags as kernel
 *     VM_* bits via {@link io.pagewalk.runtime.procfs.VmFlagMnemonics}) or /proc/PID/maps.</li>
 * <li>{@link io.pagewalk.runtime.procfs.PagemapReader}: batched pagemap reads, decoded with
 *     {@link io.pagewalk.runtime.procfs.PagemapEntry}.</li>
 * <li>{@link io.pagewalk.runtime.procfs.KpageReader}: kpageflags/kpagecount for a set of PFNs,
 *     bits named by {@link io.pagewalk.runtime.procfs.KPageFlags}.</li>
 * <li>{@link io.pagewalk.runtime.procfs.PagemapScan}: the PAGEMAP_SCAN ioctl.</li>
 * <li>{@link io.pagewalk.runtime.procfs.ProcessControl}: process checks, comm/cmdline, kernel
 *     release, and freeze/thaw.</li>
 * <li>{@link io.pagewalk.runtime.procfs.ProcfsCapabilities}: what this process may read.</li>
 * </ul>
 *
 * <p>A typical import: {@code requireUserProcess}, {@code freeze}, {@code readSmaps}, one
 * pagemap read per VMA, {@code PagemapEntry.presentPfns}, one {@code KpageReader.read}, and
 * PAGEMAP_SCAN with {@code PAGE_IS_HUGE} to find PMD-mapped THPs; then thaw. Every failure is a
 * {@link io.pagewalk.runtime.procfs.ProcfsException} with a one-line message.
 *
 * <p>ioctl and kill go through java.lang.foreign: the JVM needs
 * {@code --enable-native-access=ALL-UNNAMED} (surefire's argLine has it).
 */
package io.pagewalk.runtime.procfs;
