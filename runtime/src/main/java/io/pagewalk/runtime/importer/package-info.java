/**
 * Live import: a running process read into the model ({@link io.pagewalk.runtime.importer.LiveImport}).
 *
 * <ul>
 * <li>{@link io.pagewalk.runtime.importer.LiveImport}: the entry point, what is read and what can
 *     tear; {@link io.pagewalk.runtime.importer.ImportOptions}: freeze and the warning sink.</li>
 * <li>{@code LiveImporter}: one import, phase by phase, with the target frozen if asked.</li>
 * <li>{@code ImportSources}: which sources are usable, the one-line warning, the unknown facts.</li>
 * <li>{@code PagemapSnapshot}: pagemap runs per VMA; {@code FolioImport}: kpageflags/kpagecount
 *     into folios; {@code PageTableBuilder}: entries and PMD leaves; {@code PteBits}: the x86 bits
 *     chosen for what userspace cannot see.</li>
 * </ul>
 */
package io.pagewalk.runtime.importer;
