package io.pagewalk.dsl.plugin;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonToken;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plugin's {@code plugin.json}:
 *
 * <pre>{
 *   "name": "smaps", "version": "0.1.0", "description": "...", "author": "...", "license": "MIT",
 *   "pagewalk": "&gt;=0.1.0 &lt;0.2.0", "main": "smaps.js",
 *   "hooks": ["pmd_entry", "pte_entry", "hugetlb_entry"], "permissions": [],
 *   "include": ["../smaps/accounting.js"]   (optional)
 * }</pre>
 *
 * {@code include} lists scripts evaluated in the same context before {@code main} (the sandbox
 * has no {@code load()}): how two plugins share code. Paths are relative to the plugin folder and
 * may reach a sibling plugin folder, never outside the folder that holds the plugins.
 */
public record PluginManifest(Path file, String name, SemVer version, String description, String author,
                             String license, SemVerRange pagewalk, String main, List<String> hooks,
                             Set<String> permissions, List<String> include) {
    public static final String FILE_NAME = "plugin.json";
    /** What {@code permissions} may hold: "write" lets the plugin change the model. */
    public static final Set<String> PERMISSIONS = Set.of("write");
    /** The hooks of {@code struct mm_walk_ops}. */
    public static final Set<String> HOOKS = Set.of("pgd_entry", "p4d_entry", "pud_entry", "pmd_entry", "pte_entry",
            "pte_hole", "hugetlb_entry", "test_walk", "pre_vma", "post_vma", "install_pte");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final TypeAdapter<JsonElement> JSON_ELEMENT = new Gson().getAdapter(JsonElement.class);
    private static final Set<String> FIELDS = Set.of("name", "version", "description", "author", "license",
            "pagewalk", "main", "hooks", "permissions", "include");

    public boolean needsWrite() {
        return permissions.contains("write");
    }

    /** The folder holding plugin.json. */
    public Path dir() {
        return file.toAbsolutePath().getParent();
    }

    /** Reads and validates {@code dir/plugin.json}. */
    public static PluginManifest read(Path dir) throws ManifestException {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ManifestException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(file, text);
    }

    /** Parses and validates the text of {@code file}; every error names the file and the field. */
    public static PluginManifest parse(Path file, String text) throws ManifestException {
        JsonObject o;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JSON_ELEMENT.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new ManifestException(file + ": not valid JSON (text after the object)");
            }
            if (root == null || !root.isJsonObject()) {
                throw new ManifestException(file + ": must be a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String msg = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            throw new ManifestException(file + ": not valid JSON (" + firstLine(msg) + ")");
        }
        for (String key : o.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new ManifestException(file + ": unknown field \"" + key + "\" (known: name, version, description, "
                        + "author, license, pagewalk, main, hooks, permissions, include)");
            }
        }
        String name = string(file, o, "name", true);
        if (!NAME.matcher(name).matches()) {
            throw new ManifestException(file + ": field \"name\": \"" + name
                    + "\" must be lower-case letters, digits, '-' or '_' (at most 64)");
        }
        SemVer version;
        try {
            version = SemVer.parse(string(file, o, "version", true));
        } catch (IllegalArgumentException e) {
            throw new ManifestException(file + ": field \"version\": " + e.getMessage());
        }
        SemVerRange range;
        try {
            range = SemVerRange.parse(string(file, o, "pagewalk", true));
        } catch (IllegalArgumentException e) {
            throw new ManifestException(file + ": field \"pagewalk\": " + e.getMessage());
        }
        String main = string(file, o, "main", true);
        if (!main.endsWith(".js")) {
            throw new ManifestException(file + ": field \"main\": \"" + main + "\" must be a .js file");
        }
        List<String> hooks = strings(file, o, "hooks", true);
        for (String h : hooks) {
            if (!HOOKS.contains(h)) {
                throw new ManifestException(file + ": field \"hooks\": \"" + h + "\" is not a hook of mm_walk_ops");
            }
        }
        List<String> permissions = strings(file, o, "permissions", true);
        for (String p : permissions) {
            if (!PERMISSIONS.contains(p)) {
                throw new ManifestException(file + ": field \"permissions\": unknown permission \"" + p + "\" (known: write)");
            }
        }
        List<String> include = o.has("include") ? strings(file, o, "include", false) : List.of();
        for (String inc : include) {
            if (!inc.endsWith(".js")) {
                throw new ManifestException(file + ": field \"include\": \"" + inc + "\" must be a .js file");
            }
        }
        return new PluginManifest(file, name, version, string(file, o, "description", true),
                string(file, o, "author", true), string(file, o, "license", true), range, main, List.copyOf(hooks),
                Set.copyOf(permissions), List.copyOf(include));
    }

    private static String string(Path file, JsonObject o, String field, boolean required) throws ManifestException {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new ManifestException(file + ": field \"" + field + "\" is missing");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ManifestException(file + ": field \"" + field + "\" must be a string");
        }
        String s = e.getAsString().strip();
        if (required && s.isEmpty()) {
            throw new ManifestException(file + ": field \"" + field + "\" is empty");
        }
        return s;
    }

    private static List<String> strings(Path file, JsonObject o, String field, boolean required) throws ManifestException {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new ManifestException(file + ": field \"" + field + "\" is missing");
        }
        if (!e.isJsonArray()) {
            throw new ManifestException(file + ": field \"" + field + "\" must be an array of strings");
        }
        JsonArray a = e.getAsJsonArray();
        List<String> out = new ArrayList<>();
        for (JsonElement x : a) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString() || x.getAsString().isBlank()) {
                throw new ManifestException(file + ": field \"" + field + "\" must be an array of non-empty strings");
            }
            if (out.contains(x.getAsString())) {
                throw new ManifestException(file + ": field \"" + field + "\": \"" + x.getAsString() + "\" is listed twice");
            }
            out.add(x.getAsString());
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
