package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.parse.Token.Kind;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Whether a function of a script is defined at its top level. The compiled path resolves a hook's
 * free names as globals of the script; that is only right when no function or block encloses the
 * hook, whose variables the hook could close over.
 *
 * <p>This works on tokens, not a full parse, so it takes any JavaScript: it keeps a stack of the
 * brackets open before the function, and decides what each {@code {} opens by the tokens before
 * it (a function body, a block, an object literal, a class body). Object literals, parentheses
 * and array brackets do not make a scope; everything else does.
 *
 * <p>Known gap: a function in the unbraced body of a control statement ({@code for (let i...) f(() => i)})
 * is taken as top level.
 */
public final class TopLevel {
    private TopLevel() {}

    /** What an open bracket opened; ARROW_BODY is the concise body of an arrow, which has no bracket. */
    private enum Opened { PAREN, PARAMS, BRACKET, BLOCK, FUNCTION_BODY, OBJECT, CLASS_BODY, ARROW_BODY }

    /** One open bracket (or an arrow's concise body, which has none). */
    private static final class Frame {
        final Opened kind;
        final int line;
        /** Open {@code ?} still waiting for their {@code :}, to tell {@code c ? {a: 1} : x} from a label. */
        int questions;

        Frame(Opened kind, int line) {
            this.kind = kind;
            this.line = line;
        }
    }

    /** Keywords before a {@code {} that puts the brace at statement start (a block). */
    private static final Set<String> BLOCK_KEYWORDS = Set.of("else", "do", "try", "finally");

    /** Names that end an expression (other names are keywords that expect one after them). */
    private static final Set<String> VALUE_KEYWORDS = Set.of("this", "super", "true", "false", "null");

    /**
     * @param fileText  the whole script
     * @param charIndex where the function starts ({@code SourceSection.getCharIndex()})
     * @return null if the function is at the top level (possibly in top-level object literals or
     *         call arguments), else what encloses it, e.g. "a function at line 12", "a block at line 3"
     */
    public static String enclosingScope(String fileText, int charIndex) {
        List<Token> tokens = new Lexer(fileText, 1).tokenize();
        Deque<Frame> stack = new ArrayDeque<>();
        Frame lastClosed = null;
        int classDepth = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.start() >= charIndex || t.kind() == Kind.EOF) {
                break;
            }
            if (t.kind() == Kind.ERROR) {
                return "text the lexer cannot read at line " + t.line();
            }
            if (t.end() > charIndex) {
                return "a " + (t.kind() == Kind.TEMPLATE ? "template literal" : "token") + " at line " + t.line();
            }
            Token prev = i > 0 ? tokens.get(i - 1) : null;
            if (t.newlineBefore() && prev != null && endsExpression(prev) && cannotContinue(t)) {
                popArrowBodies(stack); // automatic semicolon insertion ends a concise body
            }
            Frame closed = null;
            if (t.kind() == Kind.PUNCT) {
                switch (t.text()) {
                    case ",", ";" -> popArrowBodies(stack);
                    case ")", "]", "}" -> {
                        popArrowBodies(stack);
                        closed = stack.poll();
                    }
                    case "(" -> stack.push(new Frame(isParameterList(tokens, i, stack) ? Opened.PARAMS : Opened.PAREN, t.line()));
                    case "[" -> stack.push(new Frame(Opened.BRACKET, t.line()));
                    case "{" -> {
                        Opened kind;
                        if (classDepth == stack.size()) {
                            kind = Opened.CLASS_BODY;
                            classDepth = -1;
                        } else {
                            kind = braceKind(prev, lastClosed, stack.peek());
                        }
                        int line = kind == Opened.FUNCTION_BODY && lastClosed != null && prev.isPunct(")")
                                ? lastClosed.line : t.line();
                        stack.push(new Frame(kind, line));
                    }
                    case "=>" -> {
                        if (!tokens.get(i + 1).isPunct("{")) {
                            stack.push(new Frame(Opened.ARROW_BODY, t.line()));
                        }
                    }
                    case "?" -> {
                        if (!stack.isEmpty()) {
                            stack.peek().questions++;
                        }
                    }
                    case ":" -> {
                        // c ? x => 1 : y: the colon ends the arrow's body
                        while (!stack.isEmpty() && stack.peek().kind == Opened.ARROW_BODY && stack.peek().questions == 0) {
                            stack.pop();
                        }
                        if (!stack.isEmpty() && stack.peek().questions > 0) {
                            stack.peek().questions--;
                        }
                    }
                    default -> { }
                }
            } else if (t.isName("class") && (prev == null || !prev.isPunct(".")) && !tokens.get(i + 1).isPunct(":")) {
                classDepth = stack.size();
            }
            lastClosed = closed;
        }
        for (Frame f : stack) {
            switch (f.kind) {
                case PARAMS, FUNCTION_BODY, ARROW_BODY -> {
                    return "a function at line " + f.line;
                }
                case BLOCK -> {
                    return "a block at line " + f.line;
                }
                case CLASS_BODY -> {
                    return "a class body at line " + f.line;
                }
                default -> { }
            }
        }
        return null;
    }

    /** What a {@code {} opens, by the token before it. */
    private static Opened braceKind(Token prev, Frame lastClosed, Frame enclosing) {
        if (prev == null) {
            return Opened.BLOCK;
        }
        if (prev.isPunct("=>")) {
            return Opened.FUNCTION_BODY;
        }
        if (prev.isPunct(")")) {
            return lastClosed != null && lastClosed.kind == Opened.PARAMS ? Opened.FUNCTION_BODY : Opened.BLOCK;
        }
        if (prev.isPunct(";") || prev.isPunct("{") || prev.isPunct("}")) {
            return Opened.BLOCK;
        }
        if (prev.isPunct(":")) {
            // a property value or the end of ?:, else a label or a case
            boolean expression = enclosing != null && (enclosing.kind == Opened.OBJECT || enclosing.questions > 0);
            return expression ? Opened.OBJECT : Opened.BLOCK;
        }
        if (prev.kind() == Kind.NAME) {
            if (BLOCK_KEYWORDS.contains(prev.text())) {
                return Opened.BLOCK;
            }
            if (endsExpression(prev)) {
                return Opened.BLOCK; // only valid after a newline: a new statement
            }
            return Opened.OBJECT; // return, typeof, case... expect an expression
        }
        if (prev.kind() != Kind.PUNCT) {
            return Opened.BLOCK; // a literal then a newline: a new statement
        }
        return Opened.OBJECT;
    }

    /**
     * A {@code (} opening parameters: after {@code function [*] [name]}, before {@code =>}, or a
     * method's in an object literal or class body ({@code name(...) {}}).
     */
    private static boolean isParameterList(List<Token> tokens, int open, Deque<Frame> stack) {
        int k = open - 1;
        if (k >= 0 && tokens.get(k).kind() == Kind.NAME && !tokens.get(k).isName("function")) {
            k--;
        }
        if (k >= 0 && tokens.get(k).isPunct("*")) {
            k--;
        }
        if (k >= 0 && tokens.get(k).isName("function") && (k == 0 || !tokens.get(k - 1).isPunct("."))) {
            return true;
        }
        Token after = tokenAfterClose(tokens, open);
        if (after.isPunct("=>")) {
            return true;
        }
        Frame enclosing = stack.peek();
        return after.isPunct("{") && enclosing != null
                && (enclosing.kind == Opened.OBJECT || enclosing.kind == Opened.CLASS_BODY);
    }

    private static Token tokenAfterClose(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct("(") || t.isPunct("[") || t.isPunct("{")) {
                depth++;
            } else if (t.isPunct(")") || t.isPunct("]") || t.isPunct("}")) {
                if (--depth == 0) {
                    return tokens.get(i + 1);
                }
            } else if (t.kind() == Kind.EOF) {
                return t;
            }
        }
        return tokens.getLast();
    }

    private static void popArrowBodies(Deque<Frame> stack) {
        while (!stack.isEmpty() && stack.peek().kind == Opened.ARROW_BODY) {
            stack.pop();
        }
    }

    private static boolean endsExpression(Token t) {
        return switch (t.kind()) {
            case NUMBER, BIGINT, STRING, TEMPLATE, REGEX, PRIVATE_NAME -> true;
            case NAME -> VALUE_KEYWORDS.contains(t.text()) || !isKeyword(t.text());
            case PUNCT -> t.text().equals(")") || t.text().equals("]") || t.text().equals("}")
                    || t.text().equals("++") || t.text().equals("--");
            default -> false;
        };
    }

    /** A token after a newline that cannot continue the previous expression: a semicolon goes before it. */
    private static boolean cannotContinue(Token t) {
        return switch (t.kind()) {
            case NAME -> !t.text().equals("in") && !t.text().equals("instanceof");
            case NUMBER, BIGINT, STRING, REGEX -> true;
            case PUNCT -> t.text().equals("{") || t.text().equals("++") || t.text().equals("--");
            default -> false;
        };
    }

    private static final Set<String> KEYWORDS = Set.of(
            "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
            "else", "export", "extends", "finally", "for", "function", "if", "import", "in", "instanceof",
            "new", "return", "switch", "throw", "try", "typeof", "var", "void", "while", "with", "yield",
            "let", "await", "of");

    private static boolean isKeyword(String name) {
        return KEYWORDS.contains(name);
    }
}
