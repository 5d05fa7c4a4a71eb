package io.pagewalk.dsl.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code pagewalk run X} runs: the scripts to evaluate in one context, in order (a plugin's
 * includes, then its main), and the plugin's manifest when X is a plugin.
 *
 * <p>X is a script file ({@code *.js}), a plugin folder (a path), or a plugin name looked up in
 * {@code $PAGEWALK_HOME/plugins} (the repository's plugins, set by the launcher) and then in
 * {@code ~/.pagewalk/plugins}. A folder without plugin.json runs its main.js or index.js.
 */
public record Plugin(String displayName, PluginManifest manifest, List<Path> scripts) {
    /** The version of pagewalk that manifests' {@code "pagewalk"} ranges are checked against. */
    public static final String PAGEWALK_VERSION = "0.1.0";

    public boolean needsWrite() {
        return manifest != null && manifest.needsWrite();
    }

    /** The folders a bare plugin name is looked up in, in order. */
    public static List<Path> searchPath(Path pagewalkHome, Path userHome) {
        List<Path> out = new ArrayList<>();
        if (pagewalkHome != null) {
            out.add(pagewalkHome.resolve("plugins"));
        }
        if (userHome != null) {
            out.add(userHome.resolve(".pagewalk").resolve("plugins"));
        }
        return out;
    }

    /** Finds what {@code arg} names; see the class comment. */
    public static Plugin resolve(String arg, List<Path> searchPath) throws ManifestException {
        Path p = Path.of(arg);
        if (Files.isDirectory(p)) {
            return fromDir(p);
        }
        if (Files.isRegularFile(p)) {
            return new Plugin(p.toString(), null, List.of(p));
        }
        boolean bareName = !arg.contains("/") && !arg.endsWith(".js") && !arg.isEmpty() && !arg.startsWith(".");
        if (bareName) {
            for (Path dir : searchPath) {
                Path candidate = dir.resolve(arg);
                if (Files.isDirectory(candidate)) {
                    return fromDir(candidate);
                }
            }
            throw new ManifestException(arg + ": no such plugin (looked in "
                    + String.join(", ", searchPath.stream().map(Path::toString).toList()) + ")");
        }
        throw new ManifestException(arg + ": no such script file or plugin folder");
    }

    /** A plugin folder: its manifest and scripts, checked to exist and to stay where they may. */
    public static Plugin fromDir(Path dir) throws ManifestException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs.resolve(PluginManifest.FILE_NAME))) {
            for (String name : new String[] {"main.js", "index.js"}) {
                Path s = abs.resolve(name);
                if (Files.isRegularFile(s)) {
                    return new Plugin(dir.toString(), null, List.of(s));
                }
            }
            throw new ManifestException(dir + ": plugin folder has neither plugin.json nor main.js");
        }
        PluginManifest m = PluginManifest.read(abs);
        Path root = abs.getParent() == null ? abs : abs.getParent();
        List<Path> scripts = new ArrayList<>();
        for (String inc : m.include()) {
            scripts.add(script(m, "include", inc, root));
        }
        scripts.add(script(m, "main", m.main(), abs));
        return new Plugin(m.name(), m, List.copyOf(scripts));
    }

    private static Path script(PluginManifest m, String field, String rel, Path mustBeUnder) throws ManifestException {
        Path s = m.dir().resolve(rel).normalize();
        if (!s.startsWith(mustBeUnder)) {
            throw new ManifestException(m.file() + ": field \"" + field + "\": \"" + rel + "\" is outside "
                    + (field.equals("main") ? "the plugin folder" : "the plugins folder"));
        }
        if (!Files.isRegularFile(s)) {
            throw new ManifestException(m.file() + ": field \"" + field + "\": no such file " + s);
        }
        return s;
    }

    /** Refuses a plugin whose {@code "pagewalk"} range does not admit this pagewalk. */
    public void checkCompatible(SemVer pagewalk) throws ManifestException {
        if (manifest != null && !manifest.pagewalk().test(pagewalk)) {
            throw new ManifestException("plugin " + manifest.name() + " " + manifest.version() + " needs pagewalk "
                    + manifest.pagewalk() + ", this is " + pagewalk + " (" + manifest.file() + ")");
        }
    }
}
