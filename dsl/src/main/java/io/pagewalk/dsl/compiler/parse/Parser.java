package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node;

/** PLACEHOLDER until the parser helper's branch lands (replaced on merge). */
public final class Parser {
    private Parser() {}

    public static Node.Function parseFunction(String text, String source, int line, int column) throws NotInSubset {
        throw new NotInSubset(source, line, "parser not merged yet");
    }
}
