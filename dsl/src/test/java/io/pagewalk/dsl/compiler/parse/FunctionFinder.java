package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.parse.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the functions of a script by their tokens, with the text GraalJS's source section would
 * give for each: declarations and expressions ({@code function}), methods of object literals
 * ({@code name(...) {...}} after {@code {} or {@code ,}) and arrow functions.
 */
final class FunctionFinder {
    private FunctionFinder() {}

    /** Statements that look like a method ({@code if (a) {}}) after a block's {@code {}. */
    private static final Set<String> CONTROL = Set.of("if", "for", "while", "switch", "catch", "with");

    record Found(int start, int end, int line, String text) {}

    static List<Found> functions(String script) {
        List<Token> tokens = new Lexer(script, 1).tokenize();
        List<Found> found = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token prev = i > 0 ? tokens.get(i - 1) : null;
            int end = -1;
            if (t.isName("function") && (prev == null || !prev.isPunct("."))) {
                int open = i + 1;
                while (!tokens.get(open).isPunct("(")) {
                    open++;
                }
                end = closing(tokens, closing(tokens, open) + 1);
            } else if (t.kind() == Kind.NAME && tokens.get(i + 1).isPunct("=>")) {
                end = arrowEnd(tokens, i + 1);
            } else if (t.isPunct("(") && (prev == null || !prev.isName("function"))
                    && tokens.get(closing(tokens, i) + 1).isPunct("=>")) {
                end = arrowEnd(tokens, closing(tokens, i) + 1);
            } else if (t.kind() == Kind.NAME && !CONTROL.contains(t.text()) && prev != null
                    && (prev.isPunct("{") || prev.isPunct(","))
                    && tokens.get(i + 1).isPunct("(") && tokens.get(closing(tokens, i + 1) + 1).isPunct("{")) {
                end = closing(tokens, closing(tokens, i + 1) + 1);
            }
            if (end >= 0) {
                int to = tokens.get(end).end();
                found.add(new Found(t.start(), to, t.line(), script.substring(t.start(), to)));
            }
        }
        return found;
    }

    /** Index of the bracket closing the one at {@code open}. */
    static int closing(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct("(") || t.isPunct("[") || t.isPunct("{")) {
                depth++;
            } else if ((t.isPunct(")") || t.isPunct("]") || t.isPunct("}")) && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced at token " + open);
    }

    /** Index of the last token of the arrow whose {@code =>} is at {@code arrow}. */
    private static int arrowEnd(List<Token> tokens, int arrow) {
        if (tokens.get(arrow + 1).isPunct("{")) {
            return closing(tokens, arrow + 1);
        }
        int depth = 0;
        for (int i = arrow + 1; ; i++) {
            Token t = tokens.get(i);
            if (t.isPunct("(") || t.isPunct("[") || t.isPunct("{")) {
                depth++;
            } else if (t.isPunct(")") || t.isPunct("]") || t.isPunct("}")) {
                if (depth-- == 0) {
                    return i - 1;
                }
            } else if (depth == 0 && (t.isPunct(",") || t.isPunct(";") || t.kind() == Kind.EOF)) {
                return i - 1;
            }
        }
    }
}
