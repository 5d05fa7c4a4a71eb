package io.pagewalk.runtime.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The text of /proc/PID/smaps (or smaps_rollup, or a plugin printing it), split for comparisons. */
public final class SmapsText {
    private SmapsText() {}

    /** Header line to (field to value as printed, spacing trimmed), both in order. */
    public static Map<String, Map<String, String>> parse(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> cur = null;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            int space = line.indexOf(' ');
            if (colon > 0 && (space < 0 || colon < space)) {
                if (cur == null) {
                    throw new IllegalArgumentException("a field before the first header line: " + line);
                }
                cur.put(line.substring(0, colon), line.substring(colon + 1).trim());
            } else {
                cur = new LinkedHashMap<>();
                out.put(line, cur);
            }
        }
        return out;
    }

    /** A "N kB" value in kB. */
    public static long kb(String value) {
        return Long.parseLong(value.replace("kB", "").trim());
    }
}
