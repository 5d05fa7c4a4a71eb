package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.parse.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Splits JavaScript text into tokens. It reads all of JavaScript's lexical grammar the tools here
 * need to step over (strings, template literals with nested substitutions, regular expressions,
 * comments), because {@link TopLevel} scans whole scripts and the parser must see a refused
 * construct as one token rather than stumble inside it.
 *
 * <p>A {@code /} is a regular expression or a division by the previous token, the usual rule:
 * after a value ({@code ) ]}, a name, a literal, postfix {@code ++}) it divides, except after the
 * {@code )} of an if/while/for/with head, where a statement starts.
 */
public final class Lexer {
    /** Keywords after which an expression (so a regular expression) starts. */
    private static final Set<String> EXPRESSION_KEYWORDS = Set.of(
            "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
            "do", "else", "yield", "await", "extends");

    /** Keywords whose parenthesized head is followed by a statement: if (a) /re/.test(s). */
    private static final Set<String> CONTROL_KEYWORDS = Set.of("if", "while", "for", "with");

    private static final String[] PUNCTUATORS = {
        ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
        "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "<<", ">>", "**",
        "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^",
        "!", "~", "?", ":", "=", ".", "@"
    };

    private final String text;
    private int pos;
    private int line;
    private boolean newlineBefore;
    private Token previous;
    /** Per open parenthesis: does it hold the head of if/while/for/with? After its ")" a statement starts. */
    private final Deque<Boolean> parens = new ArrayDeque<>();
    private boolean closedControlHead;

    public Lexer(String text, int firstLine) {
        this.text = text;
        this.line = firstLine;
    }

    /** Every token up to and including EOF; a lexical error ends the list with ERROR then EOF. */
    public List<Token> tokenize() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            Token t = next();
            tokens.add(t);
            if (t.kind() == Kind.ERROR) {
                tokens.add(new Token(Kind.EOF, "", line, false, text.length(), text.length()));
                return tokens;
            }
            if (t.kind() == Kind.EOF) {
                return tokens;
            }
        }
    }

    private Token next() {
        newlineBefore = false;
        String skipError = skipSpaceAndComments();
        int start = pos;
        int startLine = line;
        if (skipError != null) {
            return token(Kind.ERROR, skipError, startLine, start);
        }
        if (pos >= text.length()) {
            return token(Kind.EOF, "", startLine, start);
        }
        char c = text.charAt(pos);
        Token t;
        if (isIdentifierStart(c) || c == '\\') {
            t = name(Kind.NAME, start);
        } else if (c == '#') {
            pos++;
            t = pos < text.length() && isIdentifierStart(text.charAt(pos))
                    ? name(Kind.PRIVATE_NAME, start)
                    : token(Kind.ERROR, "a syntax error: unexpected #", startLine, start);
        } else if (isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
            t = number(start);
        } else if (c == '"' || c == '\'') {
            t = string(c, start);
        } else if (c == '`') {
            t = template(start);
        } else if (c == '/' && regexAllowed()) {
            t = regex(start);
        } else {
            t = punctuator(start);
        }
        if (t.isPunct("(")) {
            parens.push(previous != null && previous.kind() == Kind.NAME && CONTROL_KEYWORDS.contains(previous.text()));
        } else if (t.isPunct(")")) {
            closedControlHead = !parens.isEmpty() && parens.pop();
        }
        previous = t;
        return t;
    }

    private Token token(Kind kind, String value, int startLine, int start) {
        return new Token(kind, value, startLine, newlineBefore, start, pos);
    }

    private boolean regexAllowed() {
        if (previous == null) {
            return true;
        }
        return switch (previous.kind()) {
            case NUMBER, BIGINT, STRING, TEMPLATE, REGEX, PRIVATE_NAME -> false;
            case NAME -> EXPRESSION_KEYWORDS.contains(previous.text());
            case PUNCT -> previous.text().equals(")") ? closedControlHead : !(previous.text().equals("]")
                    || previous.text().equals("++") || previous.text().equals("--"));
            default -> true;
        };
    }

    // ---------------------------------------------------------------- space and comments

    /** Skips white space and comments, counting lines; returns an error text for an unclosed comment. */
    private String skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (isLineTerminator(c)) {
                newline(c);
            } else if (isWhiteSpace(c)) {
                pos++;
            } else if (c == '/' && peek(1) == '/') {
                while (pos < text.length() && !isLineTerminator(text.charAt(pos))) {
                    pos++;
                }
            } else if (c == '/' && peek(1) == '*') {
                int startLine = line;
                pos += 2;
                while (!(peek(0) == '*' && peek(1) == '/')) {
                    if (pos >= text.length()) {
                        line = startLine;
                        return "a syntax error: unterminated comment";
                    }
                    char d = text.charAt(pos);
                    if (isLineTerminator(d)) {
                        newline(d);
                    } else {
                        pos++;
                    }
                }
                pos += 2;
            } else {
                return null;
            }
        }
        return null;
    }

    /** Steps over one line terminator (CR LF is one). */
    private void newline(char c) {
        pos += c == '\r' && peek(1) == '\n' ? 2 : 1;
        line++;
        newlineBefore = true;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    static boolean isLineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
    }

    private static boolean isWhiteSpace(char c) {
        return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\u00A0' || c == '\uFEFF'
                || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierStart(char c) {
        return c == '$' || c == '_' || Character.isLetter(c) || Character.getType(c) == Character.LETTER_NUMBER;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || Character.isDigit(c) || c == '\u200C' || c == '\u200D'
                || Character.getType(c) == Character.NON_SPACING_MARK
                || Character.getType(c) == Character.COMBINING_SPACING_MARK
                || Character.getType(c) == Character.CONNECTOR_PUNCTUATION;
    }

    // ---------------------------------------------------------------- tokens

    /** An identifier, raw text kept: one with a {@code \\u} escape keeps its backslash (the parser refuses it). */
    private Token name(Kind kind, int start) {
        int startLine = line;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\' && peek(1) == 'u') {
                pos += 2;
            } else if (isIdentifierPart(c) || Character.isSurrogate(c)) {
                pos++;
            } else {
                break;
            }
        }
        if (pos == start + (kind == Kind.PRIVATE_NAME ? 1 : 0)) {
            pos++;
            return token(Kind.ERROR, "a syntax error: unexpected \\", startLine, start);
        }
        return token(kind, text.substring(start, pos), startLine, start);
    }

    /**
     * A numeric literal's raw text; {@link NumberValue} checks its form and gives its value. The
     * lexer only takes the longest run a number can be, so that {@code 1..x} and {@code 3in} split right.
     */
    private Token number(int start) {
        int startLine = line;
        char c = text.charAt(pos);
        if (c == '0' && "xXoObB".indexOf(peek(1)) >= 0) {
            pos += 2;
            while (pos < text.length() && (Character.digit(text.charAt(pos), 16) >= 0 || text.charAt(pos) == '_')) {
                pos++;
            }
        } else {
            digits();
            if (peek(0) == '.') {
                pos++;
                digits();
            }
            if ((peek(0) == 'e' || peek(0) == 'E')
                    && (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
                pos += 2;
                digits();
            }
        }
        Kind kind = Kind.NUMBER;
        if (peek(0) == 'n') {
            pos++;
            kind = Kind.BIGINT;
        }
        if (pos < text.length() && (isIdentifierStart(text.charAt(pos)) || isDigit(text.charAt(pos)))) {
            return token(Kind.ERROR, "a syntax error: a name right after the number " + text.substring(start, pos),
                    startLine, start);
        }
        return token(kind, text.substring(start, pos), startLine, start);
    }

    private void digits() {
        while (pos < text.length() && (isDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
    }

    private Token string(char quote, int start) {
        int startLine = line;
        pos++;
        while (true) {
            if (pos >= text.length()) {
                return token(Kind.ERROR, "a syntax error: unterminated string", startLine, start);
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return token(Kind.STRING, text.substring(start, pos), startLine, start);
            }
            if (c == '\\') {
                pos++;
                if (pos < text.length() && isLineTerminator(text.charAt(pos))) {
                    newlineInLiteral();
                } else {
                    pos++;
                }
            } else if (c == '\n' || c == '\r') {
                return token(Kind.ERROR, "a syntax error: unterminated string", startLine, start);
            } else {
                pos++;
            }
        }
    }

    /** A line terminator inside a literal: counted, but it is not a newline between tokens. */
    private void newlineInLiteral() {
        char c = text.charAt(pos);
        pos += c == '\r' && peek(1) == '\n' ? 2 : 1;
        line++;
    }

    /** A whole template literal, substitutions included, as one token. */
    private Token template(int start) {
        int startLine = line;
        boolean nlBefore = newlineBefore;
        pos++;
        while (true) {
            if (pos >= text.length()) {
                return new Token(Kind.ERROR, "a syntax error: unterminated template literal", startLine, nlBefore, start, pos);
            }
            char c = text.charAt(pos);
            if (c == '`') {
                pos++;
                return new Token(Kind.TEMPLATE, text.substring(start, pos), startLine, nlBefore, start, pos);
            } else if (c == '\\') {
                pos++;
                if (pos < text.length() && isLineTerminator(text.charAt(pos))) {
                    newlineInLiteral();
                } else {
                    pos++;
                }
            } else if (c == '$' && peek(1) == '{') {
                pos += 2;
                String error = substitution();
                if (error != null) {
                    return new Token(Kind.ERROR, error, startLine, nlBefore, start, pos);
                }
            } else if (isLineTerminator(c)) {
                newlineInLiteral();
            } else {
                pos++;
            }
        }
    }

    /** The tokens of a {@code ${...}} up to its closing brace; an error text if it does not close. */
    private String substitution() {
        Token saved = previous;
        previous = null;
        int depth = 0;
        try {
            while (true) {
                Token t = next();
                switch (t.kind()) {
                    case ERROR -> {
                        return t.text();
                    }
                    case EOF -> {
                        return "a syntax error: unterminated template literal";
                    }
                    case PUNCT -> {
                        if (t.text().equals("{")) {
                            depth++;
                        } else if (t.text().equals("}")) {
                            if (depth == 0) {
                                return null;
                            }
                            depth--;
                        }
                    }
                    default -> { }
                }
            }
        } finally {
            previous = saved;
        }
    }

    private Token regex(int start) {
        int startLine = line;
        pos++;
        boolean inClass = false;
        while (true) {
            if (pos >= text.length() || isLineTerminator(text.charAt(pos))) {
                return token(Kind.ERROR, "a syntax error: unterminated regular expression", startLine, start);
            }
            char c = text.charAt(pos++);
            if (c == '\\') {
                if (pos < text.length() && !isLineTerminator(text.charAt(pos))) {
                    pos++;
                }
            } else if (c == '[') {
                inClass = true;
            } else if (c == ']') {
                inClass = false;
            } else if (c == '/' && !inClass) {
                break;
            }
        }
        while (pos < text.length() && isIdentifierPart(text.charAt(pos))) {
            pos++;
        }
        return token(Kind.REGEX, text.substring(start, pos), startLine, start);
    }

    private Token punctuator(int start) {
        int startLine = line;
        for (String p : PUNCTUATORS) {
            if (text.startsWith(p, pos)) {
                // "?." before a digit is "?" then a number: a ? .5 : 1
                if (p.equals("?.") && isDigit(peek(2))) {
                    continue;
                }
                pos += p.length();
                return token(Kind.PUNCT, p, startLine, start);
            }
        }
        char c = text.charAt(pos);
        pos++;
        return token(Kind.ERROR, "a syntax error: unexpected character " + describeChar(c), startLine, start);
    }

    private static String describeChar(char c) {
        return c >= ' ' && c < 127 ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
