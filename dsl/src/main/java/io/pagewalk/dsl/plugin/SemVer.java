package io.pagewalk.dsl.plugin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]} (semver.org 2.0.0), ordered
 * by semver precedence: build metadata is ignored, a pre-release sorts before its release, and
 * pre-release identifiers compare numerically when both are numeric, else as ASCII strings.
 */
public record SemVer(long major, long minor, long patch, String prerelease) implements Comparable<SemVer> {
    private static final String NUM = "(0|[1-9]\\d{0,17})";
    private static final String IDENT = "[0-9A-Za-z-]+";
    private static final Pattern FULL = Pattern.compile(
            NUM + "\\." + NUM + "\\." + NUM + "(?:-(" + IDENT + "(?:\\." + IDENT + ")*))?(?:\\+" + IDENT + "(?:\\." + IDENT + ")*)?");

    public SemVer {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative version component");
        }
        prerelease = prerelease == null ? "" : prerelease;
    }

    /** Parses a full version ("0.1.0", "1.2.3-rc.1+build.5"); throws with the text quoted. */
    public static SemVer parse(String text) {
        Matcher m = FULL.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a semantic version (MAJOR.MINOR.PATCH)");
        }
        SemVer v = new SemVer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                m.group(4));
        for (String id : v.prerelease.isEmpty() ? new String[0] : v.prerelease.split("\\.")) {
            if (id.length() > 1 && id.charAt(0) == '0' && id.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("\"" + text + "\": numeric pre-release identifier with a leading zero");
            }
        }
        return v;
    }

    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (prerelease.equals(o.prerelease)) {
            return 0;
        }
        if (prerelease.isEmpty() || o.prerelease.isEmpty()) {
            return prerelease.isEmpty() ? 1 : -1; // 1.0.0-rc < 1.0.0
        }
        String[] a = prerelease.split("\\.");
        String[] b = o.prerelease.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = a[i].chars().allMatch(Character::isDigit);
            boolean bn = b[i].chars().allMatch(Character::isDigit);
            int r;
            if (an && bn) {
                r = a[i].length() != b[i].length() ? Integer.compare(a[i].length(), b[i].length()) : a[i].compareTo(b[i]);
            } else if (an || bn) {
                r = an ? -1 : 1; // numeric identifiers sort before alphanumeric ones
            } else {
                r = a[i].compareTo(b[i]);
            }
            if (r != 0) {
                return r;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + prerelease);
    }
}
