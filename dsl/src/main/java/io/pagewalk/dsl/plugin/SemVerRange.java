package io.pagewalk.dsl.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range of versions in the npm syntax plugin manifests use: comparator sets joined by
 * {@code ||}, each a space-separated AND of comparators. Supported: {@code <, <=, >, >=, =} with
 * full or partial versions, bare versions ({@code 1.2.3} exact, {@code 1.2} = {@code 1.2.x}),
 * X-ranges ({@code *}, {@code x}, {@code 1.x}, {@code 1.2.*}), tilde ({@code ~1.2.3}, {@code
 * ~1.2}, {@code ~1}), caret ({@code ^1.2.3}, {@code ^0.2.3}, {@code ^0.0.3}, {@code ^1.2}) and
 * hyphen ranges ({@code 1.2 - 2.3.4}). Each is reduced to a lower and an upper bound, as npm does.
 *
 * <p>Pre-releases: a pre-release version satisfies a set only if some comparator of the set
 * names a pre-release of the same MAJOR.MINOR.PATCH (npm's rule), so {@code >=0.1.0} does not
 * admit {@code 0.2.0-rc.1}.
 */
public final class SemVerRange {
    private static final SemVer ZERO = new SemVer(0, 0, 0, "");
    private static final Pattern PARTIAL = Pattern.compile(
            "v?([0-9]+|[xX*])(?:\\.([0-9]+|[xX*]))?(?:\\.([0-9]+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?");
    private static final Pattern COMPARATOR = Pattern.compile("(<=|>=|<|>|=|\\^|~>?)?\\s*(\\S+)");

    private final String text;
    private final List<List<Bound>> sets;

    /** {@code v OP version}; {@code op} is one of {@code < <= > >= =}. */
    private record Bound(String op, SemVer version) {
        boolean test(SemVer v) {
            int c = v.compareTo(version);
            return switch (op) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> c == 0;
            };
        }
    }

    /** A partial version: {@code null} parts are wildcards (missing or x). */
    private record Partial(Long major, Long minor, Long patch, String pre) {
        SemVer floor() {
            return new SemVer(major == null ? 0 : major, minor == null ? 0 : minor, patch == null ? 0 : patch, pre);
        }
    }

    private SemVerRange(String text, List<List<Bound>> sets) {
        this.text = text;
        this.sets = sets;
    }

    /** Parses a range; an IllegalArgumentException names the part that is wrong. */
    public static SemVerRange parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no version range");
        }
        List<List<Bound>> sets = new ArrayList<>();
        for (String set : text.split("\\|\\|", -1)) {
            sets.add(parseSet(set.strip(), text));
        }
        return new SemVerRange(text, sets);
    }

    public boolean test(SemVer v) {
        for (List<Bound> set : sets) {
            boolean all = true;
            boolean preAllowed = !v.isPrerelease();
            for (Bound b : set) {
                all &= b.test(v);
                preAllowed |= b.version.isPrerelease() && b.version.major() == v.major()
                        && b.version.minor() == v.minor() && b.version.patch() == v.patch();
            }
            if (all && preAllowed) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<Bound> parseSet(String set, String whole) {
        List<Bound> out = new ArrayList<>();
        if (set.isEmpty()) {
            out.add(new Bound(">=", ZERO));
            return out;
        }
        String[] hyphen = set.split("\\s+-\\s+");
        if (hyphen.length == 2) {
            Partial lo = partial(hyphen[0], whole);
            Partial hi = partial(hyphen[1], whole);
            out.add(new Bound(">=", lo.floor()));
            addUpper(out, hi, true);
            return out;
        }
        if (hyphen.length > 2) {
            throw new IllegalArgumentException("\"" + whole + "\": more than one hyphen range in a set");
        }
        // Glue operators to their versions ("> = 1.2" is not valid, ">= 1.2" is).
        Matcher m = COMPARATOR.matcher(set);
        int pos = 0;
        while (pos < set.length()) {
            if (Character.isWhitespace(set.charAt(pos))) {
                pos++;
                continue;
            }
            if (!m.find(pos) || m.start() != pos) {
                throw new IllegalArgumentException("\"" + whole + "\": cannot read \"" + set.substring(pos) + "\"");
            }
            comparator(out, m.group(1) == null ? "" : m.group(1), partial(m.group(2), whole));
            pos = m.end();
        }
        return out;
    }

    private static Partial partial(String s, String whole) {
        Matcher m = PARTIAL.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + whole + "\": \"" + s + "\" is not a version");
        }
        Long major = num(m.group(1));
        Long minor = major == null ? null : num(m.group(2));
        Long patch = minor == null ? null : num(m.group(3));
        String pre = patch == null ? "" : m.group(4);
        return new Partial(major, minor, patch, pre);
    }

    private static Long num(String s) {
        if (s == null || s.equalsIgnoreCase("x") || s.equals("*")) {
            return null;
        }
        if (s.length() > 18) {
            throw new IllegalArgumentException("version component too large: " + s);
        }
        return Long.parseLong(s);
    }

    private static void comparator(List<Bound> out, String op, Partial p) {
        SemVer floor = p.floor();
        switch (op) {
            case "", "=" -> {
                if (p.patch != null) {
                    out.add(new Bound("=", floor));
                } else {
                    out.add(new Bound(">=", floor));
                    addUpper(out, p, true);
                }
            }
            case ">=" -> out.add(new Bound(">=", floor));
            case "<" -> out.add(new Bound("<", floor));
            case ">" -> {
                if (p.major == null) {
                    out.add(new Bound("<", ZERO)); // nothing is greater than everything
                } else if (p.patch != null) {
                    out.add(new Bound(">", floor));
                } else {
                    addNext(out, p, ">=");
                }
            }
            case "<=" -> {
                if (p.patch != null || p.major == null) {
                    out.add(p.major == null ? new Bound(">=", ZERO) : new Bound("<=", floor));
                } else {
                    addUpper(out, p, true);
                }
            }
            case "~", "~>" -> {
                out.add(new Bound(">=", floor));
                if (p.major != null) {
                    // ~1.2.3 and ~1.2 allow patch changes, ~1 minor changes.
                    out.add(new Bound("<", p.minor == null ? new SemVer(p.major + 1, 0, 0, "")
                            : new SemVer(p.major, p.minor + 1, 0, "")));
                }
            }
            case "^" -> {
                out.add(new Bound(">=", floor));
                if (p.major == null) {
                    return;
                }
                // The left-most non-zero component (as far as given) may not change.
                SemVer upper;
                if (p.major > 0 || p.minor == null) {
                    upper = new SemVer(p.major + 1, 0, 0, "");
                } else if (p.minor > 0 || p.patch == null) {
                    upper = new SemVer(0, p.minor + 1, 0, "");
                } else {
                    upper = new SemVer(0, 0, p.patch + 1, "");
                }
                out.add(new Bound("<", upper));
            }
            default -> throw new IllegalArgumentException("unknown operator " + op);
        }
    }

    /** The exclusive upper bound of a partial version read as an X-range (1.2 -> <1.3.0). */
    private static void addUpper(List<Bound> out, Partial p, boolean inclusiveFull) {
        if (p.major == null) {
            return;
        }
        if (p.patch != null) {
            out.add(new Bound(inclusiveFull ? "<=" : "<", p.floor()));
        } else {
            addNext(out, p, "<");
        }
    }

    private static void addNext(List<Bound> out, Partial p, String op) {
        SemVer next = p.minor == null ? new SemVer(p.major + 1, 0, 0, "") : new SemVer(p.major, p.minor + 1, 0, "");
        out.add(new Bound(op, next));
    }
}
