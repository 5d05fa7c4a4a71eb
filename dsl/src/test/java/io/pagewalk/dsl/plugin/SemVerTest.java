package io.pagewalk.dsl.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Versions and ranges as npm's semver reads them, on the forms plugin manifests use. */
class SemVerTest {
    private static boolean sat(String range, String version) {
        return SemVerRange.parse(range).test(SemVer.parse(version));
    }

    private static void admits(String range, String... versions) {
        for (String v : versions) {
            assertTrue(sat(range, v), range + " should admit " + v);
        }
    }

    private static void refuses(String range, String... versions) {
        for (String v : versions) {
            assertFalse(sat(range, v), range + " should refuse " + v);
        }
    }

    @Test
    void versionsParseAndOrderBySemverPrecedence() {
        assertEquals(new SemVer(1, 2, 3, "rc.1"), SemVer.parse("1.2.3-rc.1+build.7"));
        List<String> ordered = List.of("0.0.1", "0.1.0-alpha", "0.1.0-alpha.1", "0.1.0-alpha.beta", "0.1.0-beta.2",
                "0.1.0-beta.11", "0.1.0-rc.1", "0.1.0", "0.1.1", "0.10.0", "1.0.0", "10.0.0");
        for (int i = 0; i + 1 < ordered.size(); i++) {
            assertTrue(SemVer.parse(ordered.get(i)).compareTo(SemVer.parse(ordered.get(i + 1))) < 0,
                    ordered.get(i) + " < " + ordered.get(i + 1));
        }
        assertEquals(0, SemVer.parse("1.0.0+a").compareTo(SemVer.parse("1.0.0+b")), "build metadata is ignored");
    }

    @Test
    void malformedVersionsAreRefusedWithTheTextQuoted() {
        for (String bad : new String[] {"1.0", "1", "01.0.0", "1.0.0-", "1.0.0-01", "v1.0.0", "1.0.0.0", "", "a.b.c"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemVer.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void comparatorSets() {
        admits(">=0.1.0 <0.2.0", "0.1.0", "0.1.9", "0.1.99");
        refuses(">=0.1.0 <0.2.0", "0.0.9", "0.2.0", "1.0.0", "0.2.0-rc.1");
        admits(">0.1.0", "0.1.1");
        refuses(">0.1.0", "0.1.0");
        admits("<=1.2.3", "1.2.3", "0.0.0");
        refuses("<=1.2.3", "1.2.4");
        admits("=1.2.3", "1.2.3");
        admits("1.2.3", "1.2.3");
        refuses("1.2.3", "1.2.4");
        admits("<0.1.0 || >=2.0.0", "0.0.5", "2.1.0");
        refuses("<0.1.0 || >=2.0.0", "1.0.0");
    }

    @Test
    void caretRangesKeepTheLeftMostNonZeroComponent() {
        admits("^0.1.0", "0.1.0", "0.1.7");
        refuses("^0.1.0", "0.2.0", "0.0.9", "1.0.0");
        admits("^1.2.3", "1.2.3", "1.9.0");
        refuses("^1.2.3", "2.0.0", "1.2.2");
        admits("^0.0.3", "0.0.3");
        refuses("^0.0.3", "0.0.4");
        admits("^1.2", "1.2.0", "1.99.0");
        refuses("^1.2", "2.0.0", "1.1.9");
        admits("^0.0", "0.0.9");
        refuses("^0.0", "0.1.0");
    }

    @Test
    void tildeRangesAllowPatchChanges() {
        admits("~1.2", "1.2.0", "1.2.99");
        refuses("~1.2", "1.3.0", "1.1.0");
        admits("~1.2.3", "1.2.3", "1.2.9");
        refuses("~1.2.3", "1.2.2", "1.3.0");
        admits("~1", "1.0.0", "1.9.9");
        refuses("~1", "2.0.0");
    }

    @Test
    void xRangesAndStar() {
        admits("*", "0.0.0", "0.1.0", "99.0.0");
        admits("", "0.1.0");
        admits("1.x", "1.0.0", "1.9.9");
        refuses("1.x", "2.0.0", "0.9.0");
        admits("1.2.*", "1.2.0", "1.2.5");
        refuses("1.2.*", "1.3.0");
        admits("0.1", "0.1.0", "0.1.4");
        refuses("0.1", "0.2.0");
        refuses("*", "1.0.0-rc.1");
    }

    @Test
    void hyphenRangesAndPrereleases() {
        admits("0.1.0 - 0.3", "0.1.0", "0.3.9");
        refuses("0.1.0 - 0.3", "0.4.0");
        admits("1.0.0 - 2.0.0", "2.0.0");
        admits(">=1.0.0-rc.1 <2.0.0", "1.0.0-rc.2", "1.0.0");
        refuses(">=1.0.0-rc.1 <2.0.0", "1.1.0-rc.1");
    }

    @Test
    void malformedRangesSayWhatIsWrong() {
        for (String bad : new String[] {">=a.b", "~>", "1.2.3 - 2 - 3", ">=1.0.0 <", "^x.y.z?"}) {
            assertThrows(IllegalArgumentException.class, () -> SemVerRange.parse(bad), bad);
        }
    }
}
