/**
 * Snapshot files: a model saved whole, versioned and self-describing, loaded back to walk exactly
 * as it did.
 *
 * <ul>
 * <li>{@link io.pagewalk.runtime.snapshot.SnapshotFile}: {@code write} (atomic) and {@code read}
 *     (validated before a model is returned), and the file layout.</li>
 * <li>{@link io.pagewalk.runtime.snapshot.SnapshotException}: a one-line reason naming the file.</li>
 * <li>{@code SnapshotHeader}: the JSON header; {@code Contents}: the counts it declares.</li>
 * <li>{@code BodyWriter} / {@code BodyReader}: the binary body, over {@code BodyOutput} /
 *     {@code BodyInput} (varints, bounded counts), {@code Runs} (run-length and delta columns)
 *     and {@code MappedPfns} (the order in which mapped pages' memmap is stored).</li>
 * </ul>
 */
package io.pagewalk.runtime.snapshot;
