package io.pagewalk.runtime.thp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's transparent-hugepage policy as {@code /sys/kernel/mm/transparent_hugepage} shows
 * it: the global {@code enabled} and {@code shmem_enabled} modes and the per-size (mTHP) modes of
 * {@code hugepages-<size>kB/enabled} and {@code .../shmem_enabled}, keyed by folio order. A model
 * keeps the settings of the machine it was taken on, because THP eligibility depends on them.
 *
 * @param enabled global anon mode: {@code always}, {@code madvise} or {@code never}
 * @param shmemEnabled global shmem mode: {@code always}, {@code within_size}, {@code advise},
 *     {@code never}, {@code deny} or {@code force}
 * @param anonOrders per-order anon mode: {@code always}, {@code inherit}, {@code madvise}, {@code never}
 * @param shmemOrders per-order shmem mode: {@code always}, {@code inherit}, {@code within_size},
 *     {@code advise}, {@code never}
 */
public record ThpSettings(String enabled, String shmemEnabled, Map<Integer, String> anonOrders,
                          Map<Integer, String> shmemOrders) {
    public static final Path SYSFS = Path.of("/sys/kernel/mm/transparent_hugepage");
    /** PMD order on x86-64 with 4 KiB pages. */
    public static final int PMD_ORDER = 9;

    private static final Pattern SIZE_DIR = Pattern.compile("hugepages-(\\d+)kB");
    private static final Pattern SELECTED = Pattern.compile("\\[([a-z_]+)]");

    public ThpSettings {
        anonOrders = Collections.unmodifiableMap(new TreeMap<>(anonOrders));
        shmemOrders = Collections.unmodifiableMap(new TreeMap<>(shmemOrders));
    }

    /** The upstream defaults with THP in {@code madvise} mode: PMD order inherits, mTHP off. */
    public static ThpSettings madviseDefaults() {
        return new ThpSettings("madvise", "never", Map.of(PMD_ORDER, "inherit"), Map.of(PMD_ORDER, "inherit"));
    }

    /** Reads the running kernel's settings; IOException when the kernel has no THP support. */
    public static ThpSettings readSysfs() throws IOException {
        return read(SYSFS);
    }

    static ThpSettings read(Path dir) throws IOException {
        String enabled = selected(dir.resolve("enabled"));
        Path shmemFile = dir.resolve("shmem_enabled");
        String shmem = Files.exists(shmemFile) ? selected(shmemFile) : "never";
        Map<Integer, String> anon = new TreeMap<>();
        Map<Integer, String> shmemOrders = new TreeMap<>();
        try (var entries = Files.list(dir)) {
            for (Path sub : (Iterable<Path>) entries::iterator) {
                Matcher m = SIZE_DIR.matcher(sub.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int order = Long.numberOfTrailingZeros(Long.parseLong(m.group(1)) * 1024 / 4096);
                if (Files.exists(sub.resolve("enabled"))) {
                    anon.put(order, selected(sub.resolve("enabled")));
                }
                if (Files.exists(sub.resolve("shmem_enabled"))) {
                    shmemOrders.put(order, selected(sub.resolve("shmem_enabled")));
                }
            }
        }
        if (anon.isEmpty()) {
            anon.put(PMD_ORDER, "inherit"); // kernels before mTHP (6.8): the PMD size follows "enabled"
        }
        if (shmemOrders.isEmpty()) {
            shmemOrders.put(PMD_ORDER, "inherit");
        }
        return new ThpSettings(enabled, shmem, anon, shmemOrders);
    }

    /** The bracketed choice of a sysfs multiple-choice file ("always [madvise] never"). */
    private static String selected(Path file) throws IOException {
        String text = Files.readString(file).strip();
        Matcher m = SELECTED.matcher(text);
        if (!m.find()) {
            throw new IOException(file + ": no [selected] mode in \"" + text + "\"");
        }
        return m.group(1);
    }
}
