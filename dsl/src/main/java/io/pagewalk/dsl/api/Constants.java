package io.pagewalk.dsl.api;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.walk.FolioWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import io.pagewalk.runtime.walk.PageWalkLock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel constants a script sees, taken from the runtime's own classes so that they cannot
 * drift: Java {@code long} bit sets become BigInt, {@code int} numbers and sizes become Numbers.
 */
public final class Constants {
    private Constants() {}

    /** Name to JavaScript literal, in definition order. */
    public static Map<String, String> literals() {
        Map<String, String> out = new LinkedHashMap<>();
        fields(out, Pgtable.class, "_PAGE_");
        fields(out, Pgtable.class, "PTE_PFN_MASK");
        fields(out, Pgtable.class, "PMD_PFN_MASK");
        fields(out, Pgtable.class, "PUD_PFN_MASK");
        fields(out, VmFlags.class, "VM_");
        fields(out, PageFlags.class, "KPF_");
        fields(out, Swapops.class, "SWP_");
        fields(out, Swapops.class, "MAX_SWAPFILES");
        fields(out, Swapops.class, "PTE_MARKER_");
        fields(out, Errno.class, "E");
        // The system calls of mm_create()'s address spaces, with Linux's values.
        fields(out, SyntheticProcess.class, "PROT_");
        fields(out, SyntheticProcess.class, "MAP_");
        fields(out, SyntheticProcess.class, "MADV_");
        // Sizes and shifts are Numbers (they meet addresses); masks are 64-bit bit sets.
        for (String n : new String[] {"PAGE_SHIFT", "PMD_SHIFT", "PUD_SHIFT", "PTRS_PER_TABLE", "HPAGE_PMD_NR"}) {
            out.put(n, Long.toString(intField(PagingGeometry.class, n)));
        }
        for (String n : new String[] {"PAGE_SIZE", "PMD_SIZE", "PUD_SIZE"}) {
            out.put(n, Long.toString(longField(PagingGeometry.class, n)));
        }
        for (String n : new String[] {"PAGE_MASK", "PMD_MASK", "PUD_MASK"}) {
            out.put(n, Long.toUnsignedString(longField(PagingGeometry.class, n)) + "n");
        }
        out.put("PTRS_PER_PTE", "512");
        out.put("PTRS_PER_PMD", "512");
        out.put("PTRS_PER_PUD", "512");
        for (PageWalkAction a : PageWalkAction.values()) {
            out.put(a.name(), Integer.toString(a.value()));
        }
        for (PageWalkLock l : PageWalkLock.values()) {
            out.put(l.name(), Integer.toString(l.value()));
        }
        out.put("FW_MIGRATION", Integer.toString(FolioWalk.FW_MIGRATION));
        out.put("FW_ZEROPAGE", Integer.toString(FolioWalk.FW_ZEROPAGE));
        for (FolioWalk.Level l : FolioWalk.Level.values()) {
            out.put(l.name(), Integer.toString(l.ordinal()));
        }
        out.put("ULONG_MAX", "18446744073709551615n");
        return out;
    }

    /** A script evaluating to {@code [[name, value], ...]}, what the prelude defines as globals. */
    public static String javaScript() {
        StringBuilder sb = new StringBuilder("[\n");
        literals().forEach((k, v) -> sb.append("['").append(k).append("', ").append(v).append("],\n"));
        return sb.append("]\n").toString();
    }

    private static void fields(Map<String, String> out, Class<?> type, String prefix) {
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || !f.getName().startsWith(prefix)) {
                continue;
            }
            try {
                if (f.getType() == long.class) {
                    out.put(f.getName(), Long.toUnsignedString(f.getLong(null)) + "n");
                } else if (f.getType() == int.class) {
                    out.put(f.getName(), Integer.toString(f.getInt(null)));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int intField(Class<?> type, String name) {
        try {
            return type.getField(name).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long longField(Class<?> type, String name) {
        try {
            return type.getField(name).getLong(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
