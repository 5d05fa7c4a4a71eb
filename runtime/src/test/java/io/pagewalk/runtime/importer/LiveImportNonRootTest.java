package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real thing rather than withheld sources: the fixture and an importing JVM both run as
 * nobody (setpriv drops root and every capability), so pagemap PFNs are hidden, kpageflags and
 * kpagecount cannot be opened, and PAGEMAP_SCAN still works on a process of one's own.
 */
class LiveImportNonRootTest {
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @Test
    void importAsAnUnprivilegedUser() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "setpriv is not installed");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch users");
        try (FixtureProcess fx = FixtureProcess.startWith(AS_NOBODY, "anon", "thp", "guard")) {
            String cp = location(LiveImport.class) + File.pathSeparator + location(NonRootImportProbe.class);
            List<String> cmd = new java.util.ArrayList<>(AS_NOBODY);
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-cp", cp, NonRootImportProbe.class.getName(),
                    Integer.toString(fx.pid()), Long.toHexString(fx.region("thp").start()),
                    Long.toHexString(fx.region("guard.markers").start())));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING:")).toList();
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("error ")), out);
            List<String> warnings = lines.stream().filter(l -> l.startsWith("warning ")).toList();
            assertEquals(1, warnings.size(), out);
            assertTrue(warnings.get(0).contains("PFNs hidden") && !warnings.get(0).contains("withheld"), out);
            assertTrue(lines.contains("facts [pfns, swap-entries, kpageflags, kpagecount]"), out);
            assertTrue(lines.contains("flagsKnown false countsKnown false"), out);
            assertTrue(lines.contains("thpPmdLeaf true"), out);
            assertTrue(lines.contains("guardMarker true"), out);
        }
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
