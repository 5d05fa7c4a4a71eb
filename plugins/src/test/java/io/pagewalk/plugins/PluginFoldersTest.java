package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.plugin.Plugin;
import io.pagewalk.dsl.plugin.SemVer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every plugin folder keeps the format's contract: a valid plugin.json whose name is the
 * folder's (so that `pagewalk run NAME` finds it), that works with this pagewalk, whose scripts
 * exist and define every hook the manifest lists; and a README.md.
 */
class PluginFoldersTest {
    @Test
    void everyPluginFolderHasAValidManifestAReadmeAndItsHooks() throws Exception {
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> s = Files.list(PluginHarness.pluginsDir())) {
            s.filter(p -> Files.isRegularFile(p.resolve("plugin.json"))).sorted().forEach(folders::add);
        }
        List<String> names = folders.stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("smaps", "smaps_rollup", "pagemap", "pagemap_scan", "mincore")), names.toString());
        for (Path dir : folders) {
            Plugin p = Plugin.fromDir(dir);
            String where = dir.getFileName().toString();
            assertEquals(where, p.manifest().name(), "the name is the folder's");
            p.checkCompatible(SemVer.parse(Plugin.PAGEWALK_VERSION));
            assertTrue(Files.isRegularFile(dir.resolve("README.md")), where + ": README.md");
            String code = code(p.scripts());
            for (String hook : p.manifest().hooks()) {
                assertTrue(Pattern.compile("\\b" + hook + "\\s*[(:]").matcher(code).find(),
                        where + ": lists hook " + hook + " but its scripts do not define it");
            }
        }
    }

    private static String code(List<Path> scripts) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path s : scripts) {
            sb.append(Files.readString(s)).append('\n');
        }
        return sb.toString();
    }
}
