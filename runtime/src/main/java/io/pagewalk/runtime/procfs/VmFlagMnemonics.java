package io.pagewalk.runtime.procfs;

import io.pagewalk.runtime.mm.VmFlags;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsing of the two-letter {@code VmFlags:} codes of /proc/PID/smaps into {@link VmFlags} bits,
 * for the configuration of the test machine (x86-64 Linux 6.18).
 *
 * <p>The model keeps VMA flags as a {@code long} with the kernel's own bit numbers, so a VMA
 * imported from smaps carries exactly the bits the kernel had. Codes that have no bit on this
 * configuration (architecture- or config-dependent) cannot be put into the mask; they are kept
 * as strings ({@link Parsed#unmapped()}) so that nothing the kernel printed is lost.
 */
public final class VmFlagMnemonics {
    /** Code to bit. */
    private static final Map<String, Long> BITS = new LinkedHashMap<>();

    /**
     * Codes the kernel knows but that have no bit on this configuration (x86-64 6.18, the test
     * machine's config); such a code is never printed here but may appear in smaps text taken
     * from another machine:
     * <ul>
     * <li>{@code bt}: VM_ARM64_BTI, arm64 only (VM_ARCH_1 there).</li>
     * <li>{@code mt}: VM_MTE, arm64 only.</li>
     * <li>{@code sd}: VM_SOFTDIRTY is bit 27 only with CONFIG_MEM_SOFT_DIRTY, off here (0).</li>
     * <li>{@code ss}: VM_SHADOW_STACK is bit 37 only with CONFIG_X86_USER_SHADOW_STACK, off here.</li>
     * </ul>
     */
    public static final Set<String> NO_BIT_ON_THIS_CONFIG = Set.of("bt", "mt", "sd", "ss");

    static {
        for (int bit = 0; bit < 64; bit++) {
            String code = VmFlags.mnemonic(1L << bit);
            if (code != null && !NO_BIT_ON_THIS_CONFIG.contains(code)) {
                put(code, 1L << bit);
            }
        }
    }

    private static void put(String code, long bit) {
        BITS.put(code, bit);
    }

    private VmFlagMnemonics() {
    }

    /** The result of parsing a {@code VmFlags:} value. */
    public record Parsed(long flags, Set<String> unmapped) {
        public Parsed {
            unmapped = Collections.unmodifiableSet(new LinkedHashSet<>(unmapped));
        }
    }

    /** The bit of a code, or 0 if it has none on this configuration (or is unknown). */
    public static long bitOf(String code) {
        Long bit = BITS.get(code);
        return bit == null ? 0 : bit;
    }

    /**
     * Parses the value of a {@code VmFlags:} line ("rd wr mr mw me ac"). Codes without a bit
     * here, and codes this table does not know (a newer kernel), go to {@link Parsed#unmapped()}.
     */
    public static Parsed parse(String value) {
        long flags = 0;
        Set<String> unmapped = new LinkedHashSet<>();
        for (String code : value.trim().split("\\s+")) {
            if (code.isEmpty()) {
                continue;
            }
            Long bit = BITS.get(code);
            if (bit == null) {
                unmapped.add(code);
            } else {
                flags |= bit;
            }
        }
        return new Parsed(flags, unmapped);
    }

    /**
     * The codes for {@code flags} in the kernel's printing order, which is bit order (bits
     * without a code, such as the protection key, are dropped).
     */
    public static List<String> codes(long flags) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0) {
                for (Map.Entry<String, Long> e : BITS.entrySet()) {
                    if (e.getValue() == 1L << bit) {
                        out.add(e.getKey());
                    }
                }
            }
        }
        return out;
    }

    /** The codes with a bit on this configuration, in printing (bit) order. */
    public static List<String> knownCodes() {
        long all = 0;
        for (long bit : BITS.values()) {
            all |= bit;
        }
        return codes(all);
    }
}
