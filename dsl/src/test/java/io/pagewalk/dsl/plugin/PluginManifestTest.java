package io.pagewalk.dsl.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plugin.json: what a valid manifest gives, and one line naming file and field for each mistake. */
class PluginManifestTest {
    @TempDir
    Path dir;

    static final String VALID = """
            {"name": "smaps", "version": "0.1.0", "description": "d", "author": "a", "license": "MIT",
             "pagewalk": ">=0.1.0 <0.2.0", "main": "smaps.js", "hooks": ["pte_entry", "pmd_entry"],
             "permissions": []}
            """;

    private PluginManifest parse(String json) throws ManifestException {
        return PluginManifest.parse(dir.resolve("plugin.json"), json);
    }

    private void refused(String json, String... inMessage) {
        ManifestException e = assertThrows(ManifestException.class, () -> parse(json), json);
        assertTrue(e.getMessage().startsWith(dir.resolve("plugin.json") + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), e.getMessage() + " should contain " + s);
        }
    }

    private static String with(String field, String value) {
        return VALID.replaceFirst("\"" + field + "\": (\"[^\"]*\"|\\[[^]]*\\])", "\"" + field + "\": " + value);
    }

    @Test
    void aValidManifestGivesEveryField() throws Exception {
        PluginManifest m = parse(VALID);
        assertEquals("smaps", m.name());
        assertEquals(SemVer.parse("0.1.0"), m.version());
        assertEquals("smaps.js", m.main());
        assertEquals(List.of("pte_entry", "pmd_entry"), m.hooks());
        assertEquals(Set.of(), m.permissions());
        assertFalse(m.needsWrite());
        assertTrue(m.pagewalk().test(SemVer.parse(Plugin.PAGEWALK_VERSION)));
        assertEquals(List.of(), m.include());
        assertTrue(parse(with("permissions", "[\"write\"]")).needsWrite());
    }

    @Test
    void eachMistakeNamesItsField() {
        refused("{", "not valid JSON");
        refused("[]", "must be a JSON object");
        refused(VALID + "{}", "not valid JSON");
        refused(VALID.replace("\"name\": \"smaps\", ", ""), "field \"name\" is missing");
        refused(with("name", "\"Smaps!\""), "field \"name\"");
        refused(with("version", "\"1.0\""), "field \"version\"", "\"1.0\"");
        refused(with("version", "1"), "field \"version\" must be a string");
        refused(with("pagewalk", "\">=zero\""), "field \"pagewalk\"");
        refused(with("main", "\"smaps.py\""), "field \"main\"", ".js");
        refused(with("hooks", "[\"pte_entry\", \"pte_entyr\"]"), "field \"hooks\"", "pte_entyr");
        refused(with("hooks", "\"pte_entry\""), "field \"hooks\" must be an array");
        refused(with("permissions", "[\"root\"]"), "field \"permissions\"", "root");
        refused(with("permissions", "[\"write\", \"write\"]"), "listed twice");
        refused(with("description", "\"\""), "field \"description\" is empty");
        refused(VALID.replace("\"main\"", "\"entry\""), "unknown field \"entry\"");
        refused(VALID.replace("'", "").replace("\"MIT\"", "'MIT'"), "not valid JSON");
    }

    @Test
    void pluginFoldersResolveTheirScriptsAndStayInside() throws Exception {
        Path smaps = Files.createDirectories(dir.resolve("smaps"));
        Files.writeString(smaps.resolve("plugin.json"), VALID.replace("\"permissions\": []",
                "\"permissions\": [], \"include\": [\"common.js\"]"));
        Files.writeString(smaps.resolve("smaps.js"), "");
        Files.writeString(smaps.resolve("common.js"), "");
        Plugin p = Plugin.fromDir(smaps);
        assertEquals(List.of(smaps.resolve("common.js").toAbsolutePath(), smaps.resolve("smaps.js").toAbsolutePath()),
                p.scripts());

        Path rollup = Files.createDirectories(dir.resolve("rollup"));
        Files.writeString(rollup.resolve("plugin.json"), VALID.replace("\"smaps.js\"", "\"r.js\"")
                .replace("\"permissions\": []", "\"permissions\": [], \"include\": [\"../smaps/common.js\"]"));
        Files.writeString(rollup.resolve("r.js"), "");
        assertEquals(smaps.resolve("common.js").toAbsolutePath(), Plugin.fromDir(rollup).scripts().getFirst(),
                "a sibling plugin's file");

        Files.writeString(rollup.resolve("plugin.json"), VALID.replace("\"permissions\": []",
                "\"permissions\": [], \"include\": [\"../../etc.js\"]"));
        ManifestException out = assertThrows(ManifestException.class, () -> Plugin.fromDir(rollup));
        assertTrue(out.getMessage().contains("outside the plugins folder"), out.getMessage());

        Files.writeString(rollup.resolve("plugin.json"), VALID.replace("\"smaps.js\"", "\"missing.js\""));
        ManifestException missing = assertThrows(ManifestException.class, () -> Plugin.fromDir(rollup));
        assertTrue(missing.getMessage().contains("field \"main\": no such file"), missing.getMessage());
    }

    @Test
    void namesAreLookedUpInTheSearchPathInOrder() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home/plugins/smaps"));
        Path user = Files.createDirectories(dir.resolve("user/.pagewalk/plugins/smaps"));
        Files.createDirectories(dir.resolve("user/.pagewalk/plugins/mine"));
        Files.writeString(home.resolve("main.js"), "");
        Files.writeString(user.resolve("main.js"), "");
        Files.writeString(dir.resolve("user/.pagewalk/plugins/mine/main.js"), "");
        List<Path> path = Plugin.searchPath(dir.resolve("home"), dir.resolve("user"));
        assertEquals(home.resolve("main.js").toAbsolutePath(), Plugin.resolve("smaps", path).scripts().getFirst());
        assertEquals(dir.resolve("user/.pagewalk/plugins/mine/main.js").toAbsolutePath(),
                Plugin.resolve("mine", path).scripts().getFirst());
        ManifestException e = assertThrows(ManifestException.class, () -> Plugin.resolve("nope", path));
        assertTrue(e.getMessage().startsWith("nope: no such plugin (looked in "), e.getMessage());
        ManifestException f = assertThrows(ManifestException.class, () -> Plugin.resolve("nope.js", path));
        assertTrue(f.getMessage().contains("no such script file"), f.getMessage());
    }

    @Test
    void anIncompatiblePluginIsRefusedNamingBothVersions() throws IOException, ManifestException {
        Path p = Files.createDirectories(dir.resolve("future"));
        Files.writeString(p.resolve("plugin.json"), with("pagewalk", "\"^2.0.0\""));
        Files.writeString(p.resolve("smaps.js"), "");
        Plugin plugin = Plugin.fromDir(p);
        ManifestException e = assertThrows(ManifestException.class,
                () -> plugin.checkCompatible(SemVer.parse(Plugin.PAGEWALK_VERSION)));
        assertTrue(e.getMessage().contains("needs pagewalk ^2.0.0, this is " + Plugin.PAGEWALK_VERSION), e.getMessage());
    }
}
