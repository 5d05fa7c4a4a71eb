package io.pagewalk.dsl.compiler.parse;

import java.math.BigInteger;

/** The value of a numeric literal's text, with JavaScript's rules for its form. */
final class NumberValue {
    private NumberValue() {}

    /** Thrown with the construct to report: "a legacy octal literal" or "a syntax error: ...". */
    static final class BadLiteral extends Exception {
        BadLiteral(String construct) {
            super(construct, null, false, false);
        }
    }

    static double number(String text) throws BadLiteral {
        int radix = radix(text);
        if (radix != 10) {
            return new BigInteger(digits(text.substring(2), text, radix), radix).doubleValue();
        }
        legacyOctal(text);
        return Double.parseDouble(separators(text, text, 10));
    }

    /** {@code text} ends in {@code n}. */
    static BigInteger bigInt(String text) throws BadLiteral {
        String body = text.substring(0, text.length() - 1);
        int radix = radix(body);
        if (radix != 10) {
            return new BigInteger(digits(body.substring(2), text, radix), radix);
        }
        legacyOctal(body);
        if (body.length() > 1 && body.charAt(0) == '0') {
            throw new BadLiteral("a syntax error: invalid BigInt literal " + text);
        }
        for (char c : body.toCharArray()) {
            if (c == '.' || c == 'e' || c == 'E') {
                throw new BadLiteral("a syntax error: invalid BigInt literal " + text);
            }
        }
        return new BigInteger(separators(body, text, 10));
    }

    private static int radix(String text) {
        if (text.length() > 1 && text.charAt(0) == '0') {
            switch (text.charAt(1)) {
                case 'x', 'X' -> { return 16; }
                case 'o', 'O' -> { return 8; }
                case 'b', 'B' -> { return 2; }
                default -> { }
            }
        }
        return 10;
    }

    /** {@code 017} and {@code 08}: sloppy-mode forms, refused. */
    private static void legacyOctal(String text) throws BadLiteral {
        if (text.length() > 1 && text.charAt(0) == '0' && Character.isDigit(text.charAt(1))) {
            throw new BadLiteral("a legacy octal literal (" + text + ")");
        }
        if (text.length() > 1 && text.charAt(0) == '0' && text.charAt(1) == '_') {
            throw new BadLiteral("a syntax error: invalid numeric separator in " + text);
        }
    }

    private static String digits(String digits, String whole, int radix) throws BadLiteral {
        String plain = separators(digits, whole, radix);
        if (plain.isEmpty()) {
            throw new BadLiteral("a syntax error: invalid number " + whole);
        }
        for (char c : plain.toCharArray()) {
            if (Character.digit(c, radix) < 0) {
                throw new BadLiteral("a syntax error: invalid number " + whole);
            }
        }
        return plain;
    }

    /** Drops numeric separators, each of which must sit between two digits. */
    private static String separators(String text, String whole, int radix) throws BadLiteral {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                boolean between = i > 0 && i + 1 < text.length()
                        && Character.digit(text.charAt(i - 1), radix) >= 0
                        && Character.digit(text.charAt(i + 1), radix) >= 0;
                if (!between) {
                    throw new BadLiteral("a syntax error: invalid numeric separator in " + whole);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
