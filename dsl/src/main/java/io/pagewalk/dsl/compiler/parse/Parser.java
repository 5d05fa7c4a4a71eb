package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node.*;
import io.pagewalk.dsl.compiler.parse.Token.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recursive-descent parser for the JavaScript subset of compiled hooks: one method per
 * statement form and per precedence level, as in the ECMAScript grammar. What is outside the
 * subset is refused where it is met, so the first such construct in source order is the one
 * reported. Every node carries the line of its first token.
 */
public final class Parser {
    /** Words that can never name a variable or parameter (ES strict mode plus the literals). */
    private static final Set<String> RESERVED = Set.of(
            "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
            "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
            "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
            "typeof", "var", "void", "while", "with", "yield", "let", "static", "implements", "interface",
            "package", "private", "protected", "public", "await");

    private static final Set<String> ASSIGNMENT_OPS = Set.of(
            "=", "+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", ">>>=", "&&=", "||=", "??=");

    /** Statements the subset refuses, by their first keyword. */
    private static final Map<String, String> REFUSED_STATEMENTS = Map.of(
            "switch", "a switch statement",
            "try", "a try statement",
            "throw", "a throw statement",
            "with", "a with statement",
            "debugger", "a debugger statement",
            "class", "a class",
            "function", "a nested function",
            "export", "an export",
            "import", "an import");

    private final List<Token> tokens;
    private final String source;
    private int pos;
    /** Inside a for-statement's init, {@code in} is for...in, not the operator. */
    private boolean noIn;
    /** Expressions written in parentheses: {@code (-x) ** 2} and {@code (a || b) ?? c} are allowed. */
    private final Set<Expr> parenthesized = Collections.newSetFromMap(new IdentityHashMap<>());

    private Parser(String text, String source, int line) {
        this.tokens = new Lexer(text, line).tokenize();
        this.source = source;
    }

    /**
     * Parses the text of one function value (as GraalJS's source section gives it): a function
     * declaration or expression, a method of an object literal, or an arrow function.
     *
     * @param line   the line of the file where {@code text} starts
     * @param column where it starts on that line (not needed: nodes carry lines only)
     */
    public static Function parseFunction(String text, String source, int line, int column) throws NotInSubset {
        return new Parser(text, source, line).function();
    }

    // ---------------------------------------------------------------- functions

    private Function function() throws NotInSubset {
        Token first = peek();
        Function f;
        if (first.isName("async") && !peek(1).isPunct("=>")
                && !(peek(1).isPunct("(") && !tokenAfterParentheses(1).isPunct("=>"))) {
            throw refused(first, "an async function");
        } else if (first.isName("function")) {
            next();
            if (peek().isPunct("*")) {
                throw refused(peek(), "a generator function");
            }
            String name = peek().kind() == Kind.NAME ? bindingName("a function name") : null;
            f = new Function(name, parameters(), functionBody(), false, source, first.line());
        } else if (first.isName("class")) {
            throw refused(first, "a class");
        } else if (first.isPunct("*")) {
            throw refused(first, "a generator method");
        } else if ((first.isName("get") || first.isName("set")) && isPropertyKey(peek(1))) {
            throw refused(first, first.text().equals("get") ? "a getter" : "a setter");
        } else if (first.isName("static") && isPropertyKey(peek(1))) {
            throw refused(first, "a class method");
        } else if (first.kind() == Kind.NAME && peek(1).isPunct("=>")) {
            String param = bindingName("a parameter");
            next();
            f = new Function(null, List.of(param), arrowBody(), true, source, first.line());
        } else if (first.isPunct("(")) {
            List<String> params = parameters();
            expect("=>");
            f = new Function(null, params, arrowBody(), true, source, first.line());
        } else if (first.kind() == Kind.NAME && peek(1).isPunct("(")) {
            String name = next().text();
            f = new Function(name, parameters(), functionBody(), false, source, first.line());
        } else if (isPropertyKey(first)) {
            throw refused(first, "a method with a computed or quoted name");
        } else {
            throw syntax("a function", first);
        }
        if (peek().kind() != Kind.EOF) {
            throw syntax("the end of the function", peek());
        }
        return f;
    }

    private static boolean isPropertyKey(Token t) {
        return t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.NUMBER
                || t.kind() == Kind.BIGINT || t.kind() == Kind.PRIVATE_NAME || t.isPunct("[");
    }

    private List<String> parameters() throws NotInSubset {
        expect("(");
        List<String> params = new ArrayList<>();
        while (!peek().isPunct(")")) {
            Token t = peek();
            if (t.isPunct("...")) {
                throw refused(t, "a rest parameter");
            }
            if (t.isPunct("{") || t.isPunct("[")) {
                throw refused(t, "a destructuring parameter");
            }
            String name = bindingName("a parameter");
            if (peek().isPunct("=")) {
                throw refused(peek(), "a default parameter");
            }
            if (params.contains(name)) {
                throw refused(t, "a duplicate parameter name (" + name + ")");
            }
            params.add(name);
            if (!accept(",") && !peek().isPunct(")")) {
                throw syntax(")", peek());
            }
        }
        next();
        return params;
    }

    private Block functionBody() throws NotInSubset {
        if (!peek().isPunct("{")) {
            throw syntax("{", peek());
        }
        return block();
    }

    /** A block, or a concise body: one expression, returned. */
    private Block arrowBody() throws NotInSubset {
        if (peek().isPunct("{")) {
            return block();
        }
        Expr value = assignment();
        return new Block(List.of(new Return(value, value.line())), value.line());
    }

    private String bindingName(String what) throws NotInSubset {
        Token t = peek();
        if (t.kind() != Kind.NAME) {
            throw syntax(what, t);
        }
        checkNoEscape(t);
        if (RESERVED.contains(t.text())) {
            throw refused(t, "a syntax error: " + t.text() + " cannot be " + what);
        }
        next();
        return t.text();
    }

    // ---------------------------------------------------------------- statements

    private Block block() throws NotInSubset {
        Token open = expect("{");
        List<Stmt> body = new ArrayList<>();
        while (!peek().isPunct("}")) {
            if (peek().kind() == Kind.EOF) {
                throw syntax("}", peek());
            }
            body.add(statement(true));
        }
        next();
        return new Block(body, open.line());
    }

    /** @param declarationAllowed false for the body of if/for/while/do, where let and const are syntax errors */
    private Stmt statement(boolean declarationAllowed) throws NotInSubset {
        Token t = peek();
        if (t.kind() == Kind.PUNCT) {
            switch (t.text()) {
                case "{" -> {
                    return block();
                }
                case ";" -> {
                    next();
                    return new Empty(t.line());
                }
                default -> { }
            }
        }
        if (t.kind() == Kind.NAME) {
            if (peek(1).isPunct(":") && !RESERVED.contains(t.text())) {
                throw refused(t, "a label");
            }
            if (isDeclarationStart()) {
                if (!declarationAllowed && !t.text().equals("var")) {
                    throw refused(t, "a syntax error: a " + t.text() + " declaration cannot be the body of a statement");
                }
                VarDecl decl = declaration();
                semicolon();
                return decl;
            }
            String refused = REFUSED_STATEMENTS.get(t.text());
            if (refused != null) {
                throw refused(t, refused);
            }
            if (t.text().equals("async") && peek(1).isName("function") && !peek(1).newlineBefore()) {
                throw refused(t, "a nested function");
            }
            switch (t.text()) {
                case "if" -> {
                    return ifStatement();
                }
                case "for" -> {
                    return forStatement();
                }
                case "while" -> {
                    next();
                    Expr test = condition();
                    return new While(test, statement(false), t.line());
                }
                case "do" -> {
                    next();
                    Stmt body = statement(false);
                    expect("while");
                    Expr test = condition();
                    // after do-while's ")" a semicolon is always insertable
                    if (peek().isPunct(";")) {
                        next();
                    }
                    return new DoWhile(body, test, t.line());
                }
                case "return" -> {
                    next();
                    Expr value = null;
                    if (!peek().isPunct(";") && !peek().isPunct("}") && peek().kind() != Kind.EOF
                            && !peek().newlineBefore()) {
                        value = expression();
                    }
                    semicolon();
                    return new Return(value, t.line());
                }
                case "break", "continue" -> {
                    next();
                    if (peek().kind() == Kind.NAME && !peek().newlineBefore()) {
                        throw refused(peek(), "a labelled " + t.text());
                    }
                    semicolon();
                    return t.text().equals("break") ? new Break(t.line()) : new Continue(t.line());
                }
                default -> { }
            }
        }
        Expr e = expression();
        semicolon();
        return new ExprStmt(e, t.line());
    }

    /** let/const/var here start a declaration (let is also a plain name in sloppy scripts). */
    private boolean isDeclarationStart() {
        Token t = peek();
        if (t.isName("var") || t.isName("const")) {
            return true;
        }
        Token n = peek(1);
        return t.isName("let") && (n.kind() == Kind.NAME || n.isPunct("[") || n.isPunct("{"));
    }

    private VarDecl declaration() throws NotInSubset {
        Token kind = next();
        List<Declarator> declarators = new ArrayList<>();
        do {
            Token nameToken = peek();
            if (nameToken.isPunct("[") || nameToken.isPunct("{")) {
                throw refused(nameToken, "a destructuring declaration");
            }
            String name = bindingName("a variable name");
            Expr init = null;
            if (peek().isPunct("=")) {
                next();
                init = assignment();
            } else if (kind.text().equals("const") && !(noIn && (peek().isName("in") || peek().isName("of")))) {
                throw refused(peek(), "a syntax error: missing initializer in const declaration");
            }
            declarators.add(new Declarator(name, init, nameToken.line()));
        } while (accept(","));
        return new VarDecl(kind.text(), declarators, kind.line());
    }

    private Stmt ifStatement() throws NotInSubset {
        Token t = next();
        Expr test = condition();
        Stmt then = statement(false);
        Stmt otherwise = null;
        if (peek().isName("else")) {
            next();
            otherwise = statement(false);
        }
        return new If(test, then, otherwise, t.line());
    }

    private Stmt forStatement() throws NotInSubset {
        Token t = next();
        if (peek().isName("await")) {
            throw refused(peek(), "a for await loop");
        }
        expect("(");
        Stmt init = null;
        boolean saved = noIn;
        noIn = true;
        try {
            Token first = peek();
            if (isDeclarationStart()) {
                init = declaration();
            } else if (!first.isPunct(";")) {
                init = new ExprStmt(expression(), first.line());
            }
        } finally {
            noIn = saved;
        }
        if (peek().isName("in")) {
            throw refused(t, "a for...in loop");
        }
        if (peek().isName("of")) {
            throw refused(t, "a for...of loop");
        }
        expect(";");
        Expr test = peek().isPunct(";") ? null : expression();
        expect(";");
        Expr update = peek().isPunct(")") ? null : expression();
        expect(")");
        return new For(init, test, update, statement(false), t.line());
    }

    /** {@code ( expression )} of if, while, do-while. */
    private Expr condition() throws NotInSubset {
        expect("(");
        Expr e = inParentheses();
        expect(")");
        return e;
    }

    /** Automatic semicolon insertion: a real one, or before }, at the end, or after a newline. */
    private void semicolon() throws NotInSubset {
        Token t = peek();
        if (t.isPunct(";")) {
            next();
        } else if (!t.isPunct("}") && t.kind() != Kind.EOF && !t.newlineBefore()) {
            throw syntax(";", t);
        }
    }

    // ---------------------------------------------------------------- expressions

    /** Expression: assignments separated by the comma operator. */
    private Expr expression() throws NotInSubset {
        Expr first = assignment();
        if (!peek().isPunct(",")) {
            return first;
        }
        List<Expr> exprs = new ArrayList<>();
        exprs.add(first);
        while (accept(",")) {
            exprs.add(assignment());
        }
        return new Sequence(exprs, first.line());
    }

    /** An expression where {@code in} is the operator again (inside brackets of any kind). */
    private Expr inParentheses() throws NotInSubset {
        boolean saved = noIn;
        noIn = false;
        try {
            return expression();
        } finally {
            noIn = saved;
        }
    }

    private Expr assignment() throws NotInSubset {
        refuseNestedFunction();
        Token start = peek();
        Expr target = conditional();
        Token op = peek();
        if (op.kind() != Kind.PUNCT || !ASSIGNMENT_OPS.contains(op.text())) {
            return target;
        }
        if (!isAssignable(target)) {
            throw refused(start, "an assignment to " + describe(target));
        }
        next();
        Expr value = assignment();
        return new Assign(op.text(), target, value, target.line());
    }

    /** Arrow functions and function expressions start where an assignment expression does. */
    private void refuseNestedFunction() throws NotInSubset {
        Token t = peek();
        boolean arrow = t.kind() == Kind.NAME && peek(1).isPunct("=>")
                || t.isPunct("(") && tokenAfterParentheses(pos).isPunct("=>")
                || t.isName("async") && !peek(1).newlineBefore()
                        && (peek(1).isName("function") || peek(1).kind() == Kind.NAME && peek(2).isPunct("=>")
                                || peek(1).isPunct("(") && tokenAfterParentheses(pos + 1).isPunct("=>"));
        if (arrow) {
            throw refused(t, "a nested function");
        }
    }

    /** The token after the parenthesis matching the one at {@code open}. */
    private Token tokenAfterParentheses(int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct("(") || t.isPunct("[") || t.isPunct("{")) {
                depth++;
            } else if (t.isPunct(")") || t.isPunct("]") || t.isPunct("}")) {
                depth--;
                if (depth == 0) {
                    return tokens.get(Math.min(i + 1, tokens.size() - 1));
                }
            } else if (t.kind() == Kind.EOF || t.kind() == Kind.ERROR) {
                return t;
            }
        }
        return tokens.getLast();
    }

    private static boolean isAssignable(Expr e) {
        return e instanceof Ident || e instanceof Member || e instanceof Index;
    }

    private Expr conditional() throws NotInSubset {
        Expr test = coalesce();
        if (!accept("?")) {
            return test;
        }
        // the middle is an assignment expression, where in is the operator even in a for-init
        boolean saved = noIn;
        noIn = false;
        Expr then;
        try {
            then = assignment();
        } finally {
            noIn = saved;
        }
        expect(":");
        Expr otherwise = assignment();
        return new Conditional(test, then, otherwise, test.line());
    }

    /**
     * {@code ||}, {@code &&} and {@code ??}: JavaScript forbids mixing {@code ??} with either of the
     * others without parentheses.
     */
    private Expr coalesce() throws NotInSubset {
        Expr left = logicalOr();
        if (!peek().isPunct("??")) {
            return left;
        }
        if (isBareAndOr(left)) {
            throw refused(peek(), "a syntax error: ?? mixed with && or || needs parentheses");
        }
        while (peek().isPunct("??")) {
            next();
            Expr right = bitwiseOr();
            left = new Logical("??", left, right, left.line());
        }
        if (peek().isPunct("&&") || peek().isPunct("||")) {
            throw refused(peek(), "a syntax error: ?? mixed with && or || needs parentheses");
        }
        return left;
    }

    private boolean isBareAndOr(Expr e) {
        return e instanceof Logical l && !l.op().equals("??") && !parenthesized.contains(e);
    }

    private Expr logicalOr() throws NotInSubset {
        Expr left = logicalAnd();
        while (peek().isPunct("||")) {
            next();
            left = new Logical("||", left, logicalAnd(), left.line());
        }
        return left;
    }

    private Expr logicalAnd() throws NotInSubset {
        Expr left = bitwiseOr();
        while (peek().isPunct("&&")) {
            next();
            left = new Logical("&&", left, bitwiseOr(), left.line());
        }
        return left;
    }

    private Expr bitwiseOr() throws NotInSubset {
        Expr left = bitwiseXor();
        while (peek().isPunct("|")) {
            next();
            left = new Binary("|", left, bitwiseXor(), left.line());
        }
        return left;
    }

    private Expr bitwiseXor() throws NotInSubset {
        Expr left = bitwiseAnd();
        while (peek().isPunct("^")) {
            next();
            left = new Binary("^", left, bitwiseAnd(), left.line());
        }
        return left;
    }

    private Expr bitwiseAnd() throws NotInSubset {
        Expr left = equality();
        while (peek().isPunct("&")) {
            next();
            left = new Binary("&", left, equality(), left.line());
        }
        return left;
    }

    private Expr equality() throws NotInSubset {
        Expr left = relational();
        while (peekPunct("==", "!=", "===", "!==")) {
            String op = next().text();
            left = new Binary(op, left, relational(), left.line());
        }
        return left;
    }

    private Expr relational() throws NotInSubset {
        Expr left = shift();
        while (true) {
            Token t = peek();
            if (t.isName("instanceof")) {
                throw refused(t, "the instanceof operator");
            }
            if (t.isName("in") && !noIn) {
                throw refused(t, "the in operator");
            }
            if (!peekPunct("<", ">", "<=", ">=")) {
                return left;
            }
            next();
            left = new Binary(t.text(), left, shift(), left.line());
        }
    }

    private Expr shift() throws NotInSubset {
        Expr left = additive();
        while (peekPunct("<<", ">>", ">>>")) {
            String op = next().text();
            left = new Binary(op, left, additive(), left.line());
        }
        return left;
    }

    private Expr additive() throws NotInSubset {
        Expr left = multiplicative();
        while (peekPunct("+", "-")) {
            String op = next().text();
            left = new Binary(op, left, multiplicative(), left.line());
        }
        return left;
    }

    private Expr multiplicative() throws NotInSubset {
        Expr left = exponent();
        while (peekPunct("*", "/", "%")) {
            String op = next().text();
            left = new Binary(op, left, exponent(), left.line());
        }
        return left;
    }

    /** {@code **} is right-associative, and a bare unary operand on its left is a syntax error. */
    private Expr exponent() throws NotInSubset {
        Expr left = unary();
        if (!peek().isPunct("**")) {
            return left;
        }
        if (left instanceof Unary && !parenthesized.contains(left)) {
            throw refused(peek(), "a syntax error: a unary operator before ** needs parentheses");
        }
        next();
        return new Binary("**", left, exponent(), left.line());
    }

    private Expr unary() throws NotInSubset {
        Token t = peek();
        if (peekPunct("!", "~", "+", "-") || t.isName("typeof") || t.isName("void")) {
            next();
            return new Unary(t.text(), unary(), t.line());
        }
        if (t.isName("delete")) {
            throw refused(t, "the delete operator");
        }
        if (t.isName("await")) {
            throw refused(t, "an await expression");
        }
        if (peekPunct("++", "--")) {
            next();
            Expr target = unary();
            checkUpdateTarget(t, target);
            return new Update(t.text(), true, target, t.line());
        }
        return postfix();
    }

    private Expr postfix() throws NotInSubset {
        Token start = peek();
        Expr e = callOrMember();
        Token t = peek();
        if (peekPunct("++", "--") && !t.newlineBefore()) {
            checkUpdateTarget(start, e);
            next();
            return new Update(t.text(), false, e, e.line());
        }
        return e;
    }

    private void checkUpdateTarget(Token at, Expr target) throws NotInSubset {
        if (!isAssignable(target)) {
            throw refused(at, "an assignment to " + describe(target));
        }
    }

    /** Member access, indexing and calls, left to right. */
    private Expr callOrMember() throws NotInSubset {
        Expr e = primary();
        while (true) {
            Token t = peek();
            if (t.isPunct(".")) {
                next();
                Token name = peek();
                if (name.kind() == Kind.PRIVATE_NAME) {
                    throw refused(name, "a private name (" + name.text() + ")");
                }
                if (name.kind() != Kind.NAME) {
                    throw syntax("a property name", name);
                }
                checkNoEscape(name);
                next();
                e = new Member(e, name.text(), e.line());
            } else if (t.isPunct("?.")) {
                throw refused(t, "optional chaining (?.)");
            } else if (t.isPunct("[")) {
                next();
                Expr index = inParentheses();
                expect("]");
                e = new Index(e, index, e.line());
            } else if (t.isPunct("(")) {
                e = new Call(e, arguments(), e.line());
            } else if (t.kind() == Kind.TEMPLATE) {
                throw refused(t, "a tagged template");
            } else {
                return e;
            }
        }
    }

    private List<Expr> arguments() throws NotInSubset {
        expect("(");
        List<Expr> args = new ArrayList<>();
        boolean saved = noIn;
        noIn = false;
        try {
            while (!peek().isPunct(")")) {
                if (peek().isPunct("...")) {
                    throw refused(peek(), "a spread argument (...)");
                }
                args.add(assignment());
                if (!accept(",") && !peek().isPunct(")")) {
                    throw syntax(")", peek());
                }
            }
        } finally {
            noIn = saved;
        }
        next();
        return args;
    }

    private Expr primary() throws NotInSubset {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                next();
                try {
                    return new NumberLit(NumberValue.number(t.text()), t.line());
                } catch (NumberValue.BadLiteral bad) {
                    throw refused(t, bad.getMessage());
                }
            }
            case BIGINT -> {
                next();
                try {
                    return new BigIntLit(NumberValue.bigInt(t.text()), t.line());
                } catch (NumberValue.BadLiteral bad) {
                    throw refused(t, bad.getMessage());
                }
            }
            case STRING -> throw refused(t, "a string literal");
            case TEMPLATE -> throw refused(t, "a template literal");
            case REGEX -> throw refused(t, "a regular expression");
            case PRIVATE_NAME -> throw refused(t, "a private name (" + t.text() + ")");
            case ERROR -> throw refused(t, t.text());
            case EOF -> throw syntax("an expression", t);
            case NAME -> {
                return name(t);
            }
            case PUNCT -> {
                switch (t.text()) {
                    case "(" -> {
                        next();
                        if (peek().isPunct(")")) {
                            throw syntax("an expression", peek());
                        }
                        Expr e = inParentheses();
                        expect(")");
                        parenthesized.add(e);
                        return e;
                    }
                    case "{" -> throw refused(t, "an object literal");
                    case "[" -> throw refused(t, "an array literal");
                    case "/", "/=" -> throw refused(t, "a regular expression");
                    case "..." -> throw refused(t, "spread (...)");
                    default -> throw syntax("an expression", t);
                }
            }
        }
        throw syntax("an expression", t);
    }

    private Expr name(Token t) throws NotInSubset {
        checkNoEscape(t);
        switch (t.text()) {
            case "true", "false" -> {
                next();
                return new BoolLit(t.text().equals("true"), t.line());
            }
            case "null" -> {
                next();
                return new NullLit(t.line());
            }
            case "this" -> throw refused(t, "this");
            case "super" -> throw refused(t, "super");
            case "new" -> throw refused(t, "a new expression");
            case "function" -> throw refused(t, "a nested function");
            case "class" -> throw refused(t, "a class");
            case "yield" -> throw refused(t, "a yield expression");
            case "import" -> throw refused(t, "an import");
            default -> { }
        }
        if (RESERVED.contains(t.text()) && !t.text().equals("let") && !t.text().equals("static")) {
            throw syntax("an expression", t);
        }
        next();
        return new Ident(t.text(), t.line());
    }

    private void checkNoEscape(Token t) throws NotInSubset {
        if (t.text().indexOf('\\') >= 0) {
            throw refused(t, "a Unicode escape in a name");
        }
    }

    /** How "an assignment to ..." names a target that cannot be assigned. */
    private static String describe(Expr e) {
        return switch (e) {
            case Call c -> "a call";
            case NumberLit n -> "a number literal";
            case BigIntLit b -> "a BigInt literal";
            case BoolLit b -> "a boolean literal";
            case NullLit n -> "null";
            case Unary u -> "a unary expression";
            case Update u -> "an increment or decrement";
            case Binary b -> "a binary expression";
            case Logical l -> "a logical expression";
            case Conditional c -> "a conditional expression";
            case Assign a -> "an assignment";
            case Sequence s -> "a comma expression";
            default -> "an expression";
        };
    }

    // ---------------------------------------------------------------- tokens

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private boolean peekPunct(String... ops) {
        Token t = peek();
        if (t.kind() != Kind.PUNCT) {
            return false;
        }
        for (String op : ops) {
            if (t.text().equals(op)) {
                return true;
            }
        }
        return false;
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (pos < tokens.size() - 1) {
            pos++;
        }
        return t;
    }

    private boolean accept(String punct) {
        if (peek().isPunct(punct)) {
            next();
            return true;
        }
        return false;
    }

    private Token expect(String text) throws NotInSubset {
        if (!peek().is(text)) {
            throw syntax(text, peek());
        }
        return next();
    }

    private NotInSubset refused(Token at, String construct) {
        return refused(at.line(), construct);
    }

    private NotInSubset refused(int line, String construct) {
        return new NotInSubset(source, line, construct);
    }

    /** A genuine syntax error (GraalJS reports these first; this is for safety), or what the lexer could not read. */
    private NotInSubset syntax(String expected, Token found) {
        if (found.kind() == Kind.ERROR) {
            return refused(found, found.text());
        }
        return refused(found, "a syntax error: expected " + expected + " but found " + found.describe());
    }
}
