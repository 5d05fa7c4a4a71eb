package io.pagewalk.runtime.mm;

/**
 * Where a model came from, for reports and snapshot headers: a live process, a snapshot file, or
 * the synthetic builder.
 *
 * @param kind {@code "live"}, {@code "snapshot"} or {@code "synthetic"}
 * @param pid the source process, or -1
 * @param command the source process's command line (or {@code comm}), or ""
 * @param kernelRelease {@code uname -r} of the machine the model was taken on, or ""
 * @param capturedAtMillis when the model was taken (epoch milliseconds), or 0
 */
public record MmOrigin(String kind, int pid, String command, String kernelRelease, long capturedAtMillis) {
    public static final MmOrigin SYNTHETIC = new MmOrigin("synthetic", -1, "", "", 0);
}
