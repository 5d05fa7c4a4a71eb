package io.pagewalk.runtime.procfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses /proc/PID/smaps (the VMA list with VmFlags and page sizes) and /proc/PID/maps.
 *
 * <p>The file is read whole before parsing. That is not an atomic snapshot (the kernel drops
 * the mmap lock between seq_file chunks), which is why a live import freezes the target first
 * ({@link ProcessControl#freeze(int)}). All the page counters of smaps are skipped; see
 * {@link ProcVma}.
 */
public final class ProcMaps {
    private ProcMaps() {
    }

    /** Reads and parses /proc/PID/smaps. */
    public static List<ProcVma> readSmaps(int pid) throws ProcfsException {
        String text = new String(ProcFiles.readAll(pid, "smaps"), StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            throw emptyBecause(pid, "smaps");
        }
        try {
            return parseSmaps(text);
        } catch (IllegalArgumentException e) {
            throw new ProcfsException(pid, ProcfsException.Reason.MALFORMED, 0,
                    "cannot parse /proc/" + pid + "/smaps: " + e.getMessage(), e);
        }
    }

    /** Reads and parses /proc/PID/maps. */
    public static List<MapsEntry> readMaps(int pid) throws ProcfsException {
        String text = new String(ProcFiles.readAll(pid, "maps"), StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            throw emptyBecause(pid, "maps");
        }
        try {
            return parseMaps(text);
        } catch (IllegalArgumentException e) {
            throw new ProcfsException(pid, ProcfsException.Reason.MALFORMED, 0,
                    "cannot parse /proc/" + pid + "/maps: " + e.getMessage(), e);
        }
    }

    // Every user process has at least its stack VMA, so an empty file means there is no mm:
    // a kernel thread, or a process that exited (zombie or gone) before or during the read.
    private static ProcfsException emptyBecause(int pid, String file) throws ProcfsException {
        String path = "/proc/" + pid + "/" + file;
        if (!ProcessControl.isAlive(pid)) {
            return ProcFiles.exited(pid, path, null);
        }
        ProcessControl.requireUserProcess(pid); // throws KERNEL_THREAD for kthreads
        return new ProcfsException(pid, ProcfsException.Reason.MALFORMED, 0, path + " is empty");
    }

    /** Parses the text of a maps file, one {@link MapsEntry} per line. */
    public static List<MapsEntry> parseMaps(String text) {
        List<MapsEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(parseMapsLine(line));
            }
        }
        return out;
    }

    /** Parses the text of an smaps file. */
    public static List<ProcVma> parseSmaps(String text) {
        List<ProcVma> out = new ArrayList<>();
        MapsEntry header = null;
        VmFlagMnemonics.Parsed flags = new VmFlagMnemonics.Parsed(0, Set.of());
        long kernelPageSize = 0;
        long mmuPageSize = 0;
        int pkey = -1;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            int space = line.indexOf(' ');
            boolean field = colon > 0 && (space < 0 || colon < space);
            if (!field) {
                if (header != null) {
                    out.add(new ProcVma(header, flags.flags(), flags.unmapped(), kernelPageSize, mmuPageSize, pkey));
                }
                header = parseMapsLine(line);
                flags = new VmFlagMnemonics.Parsed(0, Set.of());
                kernelPageSize = 0;
                mmuPageSize = 0;
                pkey = -1;
                continue;
            }
            if (header == null) {
                throw new IllegalArgumentException("field before the first VMA header: " + line);
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "VmFlags" -> flags = VmFlagMnemonics.parse(value);
                case "KernelPageSize" -> kernelPageSize = kiloBytes(value);
                case "MMUPageSize" -> mmuPageSize = kiloBytes(value);
                case "ProtectionKey" -> pkey = Integer.parseInt(value);
                default -> {
                    // Page counters: ignored on purpose (see ProcVma).
                }
            }
        }
        if (header != null) {
            out.add(new ProcVma(header, flags.flags(), flags.unmapped(), kernelPageSize, mmuPageSize, pkey));
        }
        return out;
    }

    private static long kiloBytes(String value) {
        String v = value.endsWith("kB") ? value.substring(0, value.length() - 2).trim() : value;
        return Long.parseLong(v) * 1024;
    }

    /**
     * Parses one maps line. The first five fields are separated by single spaces; the name
     * starts after the padding and may itself contain spaces.
     */
    public static MapsEntry parseMapsLine(String line) {
        try {
            int p = 0;
            int dash = line.indexOf('-');
            int sp1 = line.indexOf(' ', dash);
            long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, sp1), 16);
            p = sp1 + 1;
            int sp2 = line.indexOf(' ', p);
            String perms = line.substring(p, sp2);
            p = sp2 + 1;
            int sp3 = line.indexOf(' ', p);
            long pgoff = Long.parseUnsignedLong(line.substring(p, sp3), 16);
            p = sp3 + 1;
            int sp4 = line.indexOf(' ', p);
            String dev = line.substring(p, sp4);
            int devColon = dev.indexOf(':');
            int major = Integer.parseInt(dev.substring(0, devColon), 16);
            int minor = Integer.parseInt(dev.substring(devColon + 1), 16);
            p = sp4 + 1;
            int sp5 = line.indexOf(' ', p);
            long inode = Long.parseUnsignedLong(sp5 < 0 ? line.substring(p) : line.substring(p, sp5));
            String name = "";
            if (sp5 >= 0) {
                int n = sp5;
                while (n < line.length() && line.charAt(n) == ' ') {
                    n++;
                }
                name = line.substring(n);
            }
            return new MapsEntry(start, end, perms, pgoff, major, minor, inode, name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad maps line: " + line, e);
        }
    }
}
