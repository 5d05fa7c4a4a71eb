package io.pagewalk.dsl.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.dsl.compiler.parse.Token.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class LexerTest {

    private static List<Token> lex(String text) {
        return new Lexer(text, 1).tokenize();
    }

    private static String kinds(String text) {
        StringBuilder out = new StringBuilder();
        for (Token t : lex(text)) {
            if (t.kind() != Kind.EOF) {
                out.append(t.kind()).append(':').append(t.text()).append(' ');
            }
        }
        return out.toString().trim();
    }

    @Test
    void longestPunctuatorWins() {
        assertEquals("NAME:a PUNCT:>>>= NAME:b PUNCT:?? PUNCT:?. NAME:c PUNCT:** PUNCT:=>",
                kinds("a >>>= b ?? ?.c ** =>"));
        assertEquals("NAME:a PUNCT:? NUMBER:.5 PUNCT:: NUMBER:1", kinds("a?.5:1"));
    }

    @Test
    void slashIsDivisionAfterAValueAndARegexElsewhere() {
        assertEquals("NAME:a PUNCT:/ NAME:b PUNCT:/ NAME:c", kinds("a / b / c"));
        assertEquals("PUNCT:( NAME:a PUNCT:) PUNCT:/ NUMBER:2", kinds("(a) / 2"));
        assertEquals("NAME:x PUNCT:++ PUNCT:/ NUMBER:2", kinds("x++ / 2"));
        assertEquals("NAME:x PUNCT:= REGEX:/[/]\\//g PUNCT:;", kinds("x = /[/]\\//g;"));
        assertEquals("NAME:return REGEX:/a/", kinds("return /a/"));
        assertEquals("NAME:if PUNCT:( NAME:f PUNCT:( PUNCT:) PUNCT:) REGEX:/}/ PUNCT:. NAME:x",
                kinds("if (f()) /}/.x"));
        assertEquals("NAME:g PUNCT:( NAME:f PUNCT:( PUNCT:) PUNCT:) PUNCT:/ NUMBER:2", kinds("g(f()) / 2"));
    }

    @Test
    void templatesAreOneTokenWithNestedSubstitutions() {
        List<Token> tokens = lex("`a${ `b${ {c: '}'} }` }\nd` + 1");
        assertEquals(Kind.TEMPLATE, tokens.get(0).kind());
        assertEquals("`a${ `b${ {c: '}'} }` }\nd`", tokens.get(0).text());
        assertEquals("+", tokens.get(1).text());
        assertEquals(2, tokens.get(1).line());
        assertEquals(false, tokens.get(1).newlineBefore());
    }

    @Test
    void linesAndNewlinesBeforeTokens() {
        List<Token> tokens = lex("a /* x\r\n y */ b // c\u2028d\re 'f\\\ng' h");
        assertEquals(List.of(1, 2, 3, 4, 4, 5), tokens.stream().limit(6).map(Token::line).toList());
        assertEquals(List.of(false, true, true, true, false, false),
                tokens.stream().limit(6).map(Token::newlineBefore).toList());
    }

    @Test
    void unreadableTextEndsWithAnError() {
        List<Token> tokens = lex("a 'b\nc");
        assertEquals(Kind.ERROR, tokens.get(1).kind());
        assertEquals("a syntax error: unterminated string", tokens.get(1).text());
        assertEquals(Kind.EOF, tokens.get(2).kind());
        assertEquals("a syntax error: unterminated comment", lex("a /* b").get(1).text());
        assertEquals("a syntax error: unexpected character '\\u0001'".replace("'\\u0001'", "U+0001"),
                lex("a \u0001").get(1).text());
    }
}
