package io.pagewalk.runtime.snapshot;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.thp.ThpSettings;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON header of a snapshot: what a person (or {@code jq}) needs to know about the file
 * without decoding the body, and everything of the model that is not structure: where it came
 * from, what its source could not see, how much it holds, and how the body is stored.
 *
 * <p>Only {@code formatVersion} is read before the version check; every later field may change
 * with the version.
 */
record SnapshotHeader(int formatVersion, PagingGeometry geometry, MmOrigin origin, List<String> unknownFacts,
        boolean pageFlagsKnown, boolean pageCountsKnown, ThpSettings thp, boolean thpDisabled, Contents contents, long bodyLength, long bodyRawLength,
        int bodyCrc32c) {

    static final int PAGE_SIZE = (int) PagingGeometry.PAGE_SIZE;

    /** Thrown for a header that parses as JSON but lacks a field or has a wrong value. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", "pagewalk snapshot");
        o.addProperty("formatVersion", formatVersion);
        o.addProperty("kernelRelease", origin.kernelRelease());
        o.addProperty("pageSize", PAGE_SIZE);
        o.addProperty("pagingLevels", geometry.pagingLevels());
        JsonObject source = new JsonObject();
        source.addProperty("kind", origin.kind());
        source.addProperty("pid", origin.pid());
        source.addProperty("command", origin.command());
        source.addProperty("capturedAtMillis", origin.capturedAtMillis());
        source.addProperty("capturedAt", Instant.ofEpochMilli(origin.capturedAtMillis()).toString());
        o.add("source", source);
        JsonObject unknown = new JsonObject();
        JsonArray facts = new JsonArray();
        unknownFacts.forEach(facts::add);
        unknown.add("facts", facts);
        unknown.addProperty("pageFlagsKnown", pageFlagsKnown);
        unknown.addProperty("pageCountsKnown", pageCountsKnown);
        o.add("unknown", unknown);
        JsonObject t = new JsonObject();
        if (thp != null) {
            t.addProperty("enabled", thp.enabled());
            t.addProperty("shmemEnabled", thp.shmemEnabled());
            t.add("anonOrders", orders(thp.anonOrders()));
            t.add("shmemOrders", orders(thp.shmemOrders()));
        }
        t.addProperty("disabledForProcess", thpDisabled);
        o.add("thp", t);
        JsonObject c = new JsonObject();
        c.addProperty("files", contents.files());
        c.addProperty("vmas", contents.vmas());
        c.addProperty("pageTables", contents.pageTables());
        c.addProperty("memMapSections", contents.memMapSections());
        c.addProperty("presentPages", contents.presentPages());
        o.add("contents", c);
        JsonObject body = new JsonObject();
        body.addProperty("compression", "zlib");
        body.addProperty("length", bodyLength);
        body.addProperty("rawLength", bodyRawLength);
        body.addProperty("crc32c", String.format("%08x", bodyCrc32c));
        o.add("body", body);
        o.addProperty("checksum", "CRC32C of every byte before it, in the last 4 bytes of the file, big-endian");
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        return gson.toJson(o) + "\n";
    }

    /** The JSON object of a header, or Malformed when it is not one. */
    static JsonObject parseObject(String json) throws Malformed {
        JsonElement e;
        try {
            e = JsonParser.parseString(json);
        } catch (RuntimeException ex) {
            throw new Malformed("not JSON (" + firstLine(ex.getMessage()) + ")");
        }
        if (!e.isJsonObject()) {
            throw new Malformed("not a JSON object");
        }
        return e.getAsJsonObject();
    }

    static int formatVersion(JsonObject o) throws Malformed {
        return (int) integer(o, "formatVersion", 1, Integer.MAX_VALUE);
    }

    /** The rest of the header, for a version this reader knows. */
    static SnapshotHeader parse(JsonObject o) throws Malformed {
        int version = formatVersion(o);
        long pageSize = integer(o, "pageSize", 0, Long.MAX_VALUE);
        if (pageSize != PAGE_SIZE) {
            throw new Malformed("pageSize is " + pageSize + ", pagewalk models only " + PAGE_SIZE);
        }
        long levels = integer(o, "pagingLevels", 0, Long.MAX_VALUE);
        if (levels != 4 && levels != 5) {
            throw new Malformed("pagingLevels is " + levels + ", not 4 or 5");
        }
        String kernel = string(o, "kernelRelease");
        JsonObject source = object(o, "source");
        MmOrigin origin = new MmOrigin(string(source, "kind"),
                (int) integer(source, "pid", Integer.MIN_VALUE, Integer.MAX_VALUE),
                string(source, "command"), kernel,
                integer(source, "capturedAtMillis", Long.MIN_VALUE, Long.MAX_VALUE));
        JsonObject unknown = object(o, "unknown");
        JsonElement factsElement = unknown.get("facts");
        if (factsElement == null || !factsElement.isJsonArray()) {
            throw new Malformed("field 'facts' is missing or not an array");
        }
        List<String> facts = new ArrayList<>();
        for (JsonElement f : factsElement.getAsJsonArray()) {
            if (!f.isJsonPrimitive() || !f.getAsJsonPrimitive().isString()) {
                throw new Malformed("field 'facts' holds a non-string");
            }
            facts.add(f.getAsString());
        }
        boolean flagsKnown = bool(unknown, "pageFlagsKnown");
        boolean countsKnown = bool(unknown, "pageCountsKnown");
        JsonObject t = object(o, "thp");
        ThpSettings thp = null;
        if (t.has("enabled")) {
            thp = new ThpSettings(string(t, "enabled"), string(t, "shmemEnabled"), orders(t, "anonOrders"),
                    orders(t, "shmemOrders"));
        }
        boolean thpDisabled = bool(t, "disabledForProcess");
        JsonObject c = object(o, "contents");
        Contents contents = new Contents(
                integer(c, "files", 0, Integer.MAX_VALUE), integer(c, "vmas", 0, Integer.MAX_VALUE),
                integer(c, "pageTables", 0, Long.MAX_VALUE), integer(c, "memMapSections", 0, Integer.MAX_VALUE),
                integer(c, "presentPages", 0, Long.MAX_VALUE));
        JsonObject body = object(o, "body");
        String compression = string(body, "compression");
        if (!compression.equals("zlib")) {
            throw new Malformed("body compression '" + compression + "' is not zlib");
        }
        long length = integer(body, "length", 0, Long.MAX_VALUE);
        long rawLength = integer(body, "rawLength", 0, Long.MAX_VALUE);
        String crc = string(body, "crc32c");
        int crc32c;
        try {
            if (crc.length() != 8) {
                throw new NumberFormatException();
            }
            crc32c = Integer.parseUnsignedInt(crc, 16);
        } catch (NumberFormatException e) {
            throw new Malformed("field 'crc32c' is not 8 hex digits");
        }
        return new SnapshotHeader(version, PagingGeometry.ofLevels((int) levels), origin, facts, flagsKnown,
                countsKnown, thp, thpDisabled, contents, length, rawLength, crc32c);
    }

    /** Per-order modes as {@code {"9": "inherit"}}. */
    private static JsonObject orders(Map<Integer, String> modes) {
        JsonObject o = new JsonObject();
        modes.forEach((order, mode) -> o.addProperty(Integer.toString(order), mode));
        return o;
    }

    private static Map<Integer, String> orders(JsonObject parent, String name) throws Malformed {
        JsonObject o = object(parent, name);
        Map<Integer, String> modes = new TreeMap<>();
        for (String key : o.keySet()) {
            int order;
            try {
                order = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw new Malformed("field '" + name + "' has a key that is not an order");
            }
            if (order < 0 || order > 63) {
                throw new Malformed("field '" + name + "' has order " + order);
            }
            modes.put(order, string(o, key));
        }
        return modes;
    }

    private static JsonObject object(JsonObject o, String name) throws Malformed {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonObject()) {
            throw new Malformed("field '" + name + "' is missing or not an object");
        }
        return e.getAsJsonObject();
    }

    private static String string(JsonObject o, String name) throws Malformed {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Malformed("field '" + name + "' is missing or not a string");
        }
        return e.getAsString();
    }

    private static boolean bool(JsonObject o, String name) throws Malformed {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new Malformed("field '" + name + "' is missing or not true/false");
        }
        return e.getAsBoolean();
    }

    /** An integer field in {@code [min, max]}; exact, so 1e99 or 2.5 are refused, not rounded. */
    private static long integer(JsonObject o, String name, long min, long max) throws Malformed {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new Malformed("field '" + name + "' is missing or not a number");
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        long v;
        try {
            String text = p.getAsString();
            if (text.length() > 40) {
                throw new ArithmeticException();
            }
            v = new BigDecimal(text).longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new Malformed("field '" + name + "' is not a whole number in range");
        }
        if (v < min || v > max) {
            throw new Malformed("field '" + name + "' is " + v + ", out of range");
        }
        return v;
    }

    /** A parser message, short: first line, no exception class names, at most 120 characters. */
    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        s = nl < 0 ? s : s.substring(0, nl);
        int colon = s.lastIndexOf("Exception: ");
        s = colon < 0 ? s : s.substring(colon + "Exception: ".length());
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
