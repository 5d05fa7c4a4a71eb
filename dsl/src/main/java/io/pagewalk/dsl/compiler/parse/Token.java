package io.pagewalk.dsl.compiler.parse;

/**
 * One token of a script. Keywords are NAMEs (the parser decides by text, since most keywords are
 * also valid property names). {@code newlineBefore} is what automatic semicolon insertion and the
 * restricted productions ({@code return}, postfix {@code ++}) look at; {@code start}/{@code end}
 * are char offsets in the lexed text.
 */
public record Token(Kind kind, String text, int line, boolean newlineBefore, int start, int end) {

    public enum Kind {
        NAME, NUMBER, BIGINT, STRING, TEMPLATE, REGEX, PRIVATE_NAME, PUNCT,
        /** Text the lexer cannot read; {@code text} says why. Always followed by EOF. */
        ERROR,
        EOF
    }

    public boolean is(String punctOrName) {
        return (kind == Kind.PUNCT || kind == Kind.NAME) && text.equals(punctOrName);
    }

    public boolean isPunct(String punct) {
        return kind == Kind.PUNCT && text.equals(punct);
    }

    public boolean isName(String name) {
        return kind == Kind.NAME && text.equals(name);
    }

    /** How an error message names this token. */
    public String describe() {
        return switch (kind) {
            case EOF -> "end of input";
            case STRING -> "a string";
            case TEMPLATE -> "a template literal";
            case REGEX -> "a regular expression";
            default -> text;
        };
    }
}
