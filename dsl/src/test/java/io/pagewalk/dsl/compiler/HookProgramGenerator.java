package io.pagewalk.dsl.compiler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Random walk scripts whose hooks stay inside the compiled subset (API.md, "Compiled hooks"):
 * Number, BigInt and boolean expressions with every operator, locals of each type, control flow,
 * helpers with typed parameters, Math, conversions, pagewalk helpers, and state (a counters
 * object, walk.private, global lets, arrays pushed to). Each hook pushes what it computes into the
 * arrays, and the script ends with a JSON digest of all state, so two runs of the same program
 * can be compared exactly (-0, NaN and BigInts are spelled out).
 *
 * <p>BigInt arithmetic that may leave 0..2^64-1 is written {@code /*C*&#47;(a op b)}: {@link
 * Program#instrumented()} turns that into a call that counts out-of-range results on GraalJS, which
 * tells whether a compiled RangeError ("out of the 64-bit range") was the expected one.
 */
final class HookProgramGenerator {
    enum T { N, B, Z }

    /** A variable the generated code may read (and assign when mutable). */
    record Var(String name, T type, boolean mutable) {}

    /** A helper function: parameter types and result type. */
    record Helper(String name, List<T> params, T result) {}

    /** One generated script: its text, and which hooks it defines. */
    record Program(long seed, String variant, String text) {
        /** The script with the marked BigInt operations checked for leaving 0..2^64-1 (GraalJS only). */
        String instrumented() {
            return "let ovf$ = 0;\nfunction CK(x) { if (x < 0n || x > 0xffffffffffffffffn) ovf$++; return x; }\n"
                    + text.replace("/*C*/(", "CK(")
                            .replace("JSON.stringify({", "JSON.stringify({ovf: ovf$, ");
        }
    }

    static final String[] VARIANTS = {"pte", "pte+hole", "pmd", "pmd+hole", "hole", "vma"};

    private static final String[] NUM_LITS = {"0", "1", "2", "3", "7", "31", "32", "33", "0.5", "1.5", "2.5", "0.1",
        "(-0)", "(-1)", "(-2.5)", "255", "4096", "2147483647", "2147483648", "4294967295", "4294967296",
        "(-2147483649)", "9007199254740993", "1e20", "1e300", "5e-324", "NaN", "Infinity", "(-Infinity)", "0x7fffffff",
        "0.49999999999999994", "(-0.5)"};
    private static final String[] BIG_LITS = {"0n", "1n", "2n", "3n", "7n", "63n", "64n", "0xfffn", "4096n",
        "0x8000000000000000n", "0xffffffffffffffffn", "0x7fffffffffffffffn", "1234567890123456789n", "0xffffffffn",
        "_PAGE_PRESENT", "_PAGE_NX", "_PAGE_RW", "PTE_PFN_MASK", "_PAGE_DIRTY", "(1n << 63n)", "(_PAGE_NX | _PAGE_PRESENT)"};
    private static final String[] ENTRY_TESTS_PTE = {"pte_present", "pte_none", "is_swap_pte", "pte_write", "pte_dirty",
        "pte_young", "pte_special", "pte_exec", "pte_soft_dirty", "pte_uffd_wp", "pte_protnone", "is_migration_entry",
        "non_swap_entry", "is_pte_marker"};
    private static final String[] ENTRY_TESTS_PMD = {"pmd_present", "pmd_none", "pmd_leaf", "pmd_trans_huge",
        "is_swap_pmd", "pmd_write", "pmd_dirty", "pmd_young"};
    private static final String[] ENTRY_NUMS_PTE = {"pte_pfn", "swp_type", "swp_offset"};
    private static final String[] ENTRY_NUMS_PMD = {"pmd_pfn"};
    private static final String[] MATH1 = {"floor", "ceil", "trunc", "round", "abs", "sign", "sqrt"};
    private static final String[] MATH2 = {"min", "max", "pow"};
    private static final String[] NUM_OPS = {"+", "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", ">>>"};
    private static final String[] CMP = {"<", "<=", ">", ">=", "===", "!==", "==", "!="};

    private final Random r;
    private final String variant;
    private final List<Helper> helpers = new ArrayList<>();
    private final Deque<List<Var>> scopes = new ArrayDeque<>();
    /** The helpers the current function may call (earlier ones: no unbounded recursion). */
    private int callable;
    private int fresh;
    private int loopDepth;
    /** Inside the hook (not a helper): the hook's parameters are in scope. */
    private String entryParam;
    private boolean pmd;
    private boolean hole;
    /** The hook has addr and next (all but post_vma). */
    private boolean hasAddr = true;
    /** The hook is hugetlb_entry (hmask is in scope). */
    private boolean hugetlb;
    private boolean[] called;
    /** In a hook (walk is in scope), not in a helper. */
    private boolean inHook;
    /** This program pushes BigInts to outb (else Numbers to out). */
    private final boolean bigArray;

    private HookProgramGenerator(long seed, String variant) {
        this.r = new Random(seed);
        this.variant = variant;
        this.bigArray = r.nextInt(4) == 0;
    }

    static Program generate(long seed) {
        Random pick = new Random(seed ^ 0x5DEECE66DL);
        String variant = VARIANTS[pick.nextInt(VARIANTS.length)];
        return new Program(seed, variant, new HookProgramGenerator(seed, variant).script(seed));
    }

    // ---------------------------------------------------------------- the script

    private String script(long seed) {
        StringBuilder sb = new StringBuilder();
        sb.append("// compiler fuzz, seed ").append(seed).append(", ").append(variant).append('\n');
        // Every state object a walk reaches has every field the hooks use (API.md).
        sb.append("const st = { a: 0, b: 0n, c: false, n: 0, p: 0, q: 0n };\n");
        sb.append("const priv = { a: 0, b: 0n, c: false, n: 0, p: 0, q: 0n };\n");
        sb.append("const out = [];\nconst outb = [];\n");
        sb.append("let g = 0;\nlet gb = 0n;\nlet gz = false;\nlet calls = 0;\n");
        int nHelpers = r.nextInt(4);
        for (int i = 0; i < nHelpers; i++) {
            List<T> params = new ArrayList<>();
            int np = r.nextInt(4);
            for (int k = 0; k < np; k++) {
                params.add(randomType());
            }
            helpers.add(new Helper("h" + i, params, randomType()));
        }
        called = new boolean[helpers.size()];
        for (int i = 0; i < helpers.size(); i++) {
            sb.append(helper(i));
        }
        boolean recursive = r.nextInt(4) == 0;
        if (recursive) {
            sb.append("function rec(n, acc) {\n    if (n <= 0) return acc;\n    return rec(n - 1, acc + n * 3 % 7);\n}\n");
        }
        sb.append("const ops = {\n");
        pmd = variant.startsWith("pmd");
        if (!variant.equals("hole") && !variant.equals("vma")) {
            entryParam = pmd ? "pmd" : "pte";
            hole = false;
            sb.append("    ").append(pmd ? "pmd_entry(pmd" : "pte_entry(pte").append(", addr, next, walk) {\n");
            sb.append(hookBody(recursive));
            sb.append("    },\n");
        }
        if (variant.endsWith("hole")) {
            entryParam = null;
            hole = true;
            sb.append("    pte_hole(addr, next, depth, walk) {\n");
            sb.append(hookBody(recursive));
            sb.append("    },\n");
        }
        if (variant.equals("vma")) {
            // The per-VMA hooks and hugetlb_entry (addr and next are start and end for the range hooks).
            for (String h : new String[] {"test_walk(addr, next, walk)", "pre_vma(addr, next, walk)", "post_vma(walk)",
                "hugetlb_entry(pte, hmask, addr, next, walk)"}) {
                if (r.nextInt(4) == 0) {
                    continue;
                }
                hugetlb = h.startsWith("hugetlb");
                entryParam = hugetlb ? "pte" : null;
                hole = false;
                hasAddr = !h.startsWith("post_vma");
                sb.append("    ").append(h).append(" {\n").append(hookBody(recursive)).append("    },\n");
            }
            hasAddr = true;
            hugetlb = false;
        }
        sb.append("};\n");
        String range = pmd ? "0x40000000, 0x40800000" : variant.equals("vma") ? "0x3fc000, 0x80400000" : "0x3fc000, 0x414000";
        sb.append("let ret = null, err = null;\n");
        sb.append("try { ret = walk_page_range(mm, ").append(range).append(", ops, priv); }\n");
        sb.append("catch (e) { err = (e instanceof Error ? e.name + ': ' : '') + e.message; }\n");
        sb.append("const S = (x) => typeof x === 'bigint' ? x + 'n' : Object.is(x, -0) ? '-0' : String(x);\n");
        sb.append("JSON.stringify({ret, err, calls, g: S(g), gb: S(gb), gz, st: [S(st.a), S(st.b), st.c, S(st.n), S(st.p), S(st.q)],"
                + " priv: [S(priv.a), S(priv.b), priv.c, S(priv.n), S(priv.p), S(priv.q)], out: out.map(S), outb: outb.map(S)});\n");
        return sb.toString();
    }

    private T randomType() {
        int k = r.nextInt(3);
        return k == 0 ? T.N : k == 1 ? T.B : T.Z;
    }

    private String helper(int i) {
        Helper h = helpers.get(i);
        callable = i;
        inHook = false;
        entryParam = null;
        hole = false;
        scopes.clear();
        List<Var> top = new ArrayList<>();
        StringBuilder sig = new StringBuilder();
        for (int k = 0; k < h.params.size(); k++) {
            String name = "p" + i + "_" + k;
            top.add(new Var(name, h.params.get(k), true));
            sig.append(k == 0 ? "" : ", ").append(name);
        }
        scopes.push(top);
        StringBuilder sb = new StringBuilder("function " + h.name + "(" + sig + ") {\n");
        sb.append(stmts(2, 1 + r.nextInt(4), "    "));
        sb.append("    return ").append(expr(h.result, 3)).append(";\n}\n");
        scopes.clear();
        return sb.toString();
    }

    private String hookBody(boolean recursive) {
        callable = helpers.size();
        inHook = true;
        scopes.clear();
        List<Var> top = new ArrayList<>();
        if (entryParam != null) {
            top.add(new Var(entryParam, T.B, false));
        }
        if (hasAddr) {
            top.add(new Var("addr", T.N, false));
            top.add(new Var("next", T.N, false));
        }
        if (hugetlb) {
            top.add(new Var("hmask", T.B, false));
        }
        if (hole) {
            top.add(new Var("depth", T.N, false));
        }
        scopes.push(top);
        String ind = "        ";
        StringBuilder sb = new StringBuilder();
        sb.append(ind).append("calls++;\n");
        sb.append(ind).append(pushOf(T.N, hasAddr ? "addr" : "-7")).append(";\n");
        if (entryParam != null) {
            sb.append(ind).append(pushOf(T.B, entryParam)).append(";\n");
        }
        if (entryParam != null && !pmd && r.nextInt(3) == 0) {
            sb.append(folioBlock(ind));
        }
        if (recursive) {
            sb.append(ind).append(pushOf(T.N, "rec(calls % 20, 0)")).append(";\n");
        }
        sb.append(stmts(3, 3 + r.nextInt(6), ind));
        for (int i = 0; i < helpers.size(); i++) {
            if (!called[i]) {
                sb.append(ind).append(pushOf(helpers.get(i).result, helperCall(i, 2))).append(";\n");
            }
        }
        if (pmd && r.nextInt(3) == 0) {
            sb.append(ind).append("if (").append(expr(T.Z, 2)).append(") walk.action = ACTION_CONTINUE;\n");
        }
        if (r.nextInt(8) == 0) {
            sb.append(ind).append("if (calls === ").append(1 + r.nextInt(20)).append(") return ")
                    .append(new String[] {"1", "-22", "7", "(-1)"}[r.nextInt(4)]).append(";\n");
        }
        sb.append(ind).append("return 0;\n");
        scopes.clear();
        return sb.toString();
    }

    private String folioBlock(String ind) {
        String f = "f" + fresh++;
        StringBuilder sb = new StringBuilder();
        sb.append(ind).append("const ").append(f).append(" = vm_normal_folio(walk.vma, addr, pte);\n");
        sb.append(ind).append("if (").append(f).append(" !== null) {\n");
        String in = ind + "    ";
        sb.append(in).append(pushOf(T.N, f + ".nr_pages + " + f + ".order * 1000")).append(";\n");
        sb.append(in).append(pushOf(T.N, "folio_mapcount(" + f + ")")).append(";\n");
        sb.append(in).append("st.c = st.c || folio_test_anon(").append(f).append(");\n");
        sb.append(in).append("const pf = vm_normal_page(walk.vma, addr, pte);\n");
        sb.append(in).append("if (pf >= 0) { ").append(pushOf(T.B, "page_flags(pf)")).append("; ")
                .append(pushOf(T.N, "page_mapcount(pf)")).append("; }\n");
        sb.append(ind).append("}\n");
        return sb.toString();
    }

    // ---------------------------------------------------------------- statements

    private String stmts(int depth, int n, String ind) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(stmt(depth, ind));
        }
        return sb.toString();
    }

    private List<Var> visible() {
        List<Var> all = new ArrayList<>();
        scopes.forEach(all::addAll);
        return all;
    }

    private Var pickVar(T t, boolean mutable) {
        List<Var> c = new ArrayList<>();
        for (Var v : visible()) {
            if (v.type == t && (!mutable || v.mutable)) {
                c.add(v);
            }
        }
        return c.isEmpty() ? null : c.get(r.nextInt(c.size()));
    }

    private String stmt(int depth, String ind) {
        int k = r.nextInt(depth <= 0 ? 9 : 15);
        switch (k) {
            case 0, 1 -> {
                T t = randomType();
                String name = "v" + fresh++;
                String kind = new String[] {"let", "const", "var"}[r.nextInt(3)];
                String init = expr(t, 3);
                // var is function-scoped: only at the top of a function (the generator keeps it simple).
                if (kind.equals("var") && scopes.size() > 1) {
                    kind = "let";
                }
                scopes.peek().add(new Var(name, t, !kind.equals("const")));
                return ind + kind + " " + name + " = " + init + ";\n" + ind + pushOf(t, name) + ";\n";
            }
            case 2 -> {
                T t = r.nextBoolean() ? T.N : T.B;
                return ind + pushOf(t, expr(t, 3)) + ";\n";
            }
            case 3 -> {
                return ind + assignment() + ";\n";
            }
            case 4 -> {
                return ind + stateUpdate() + ";\n";
            }
            case 5 -> {
                Var v = pickVar(r.nextBoolean() ? T.N : T.B, true);
                if (v == null) {
                    return ind + "st.n++;\n";
                }
                String update = v.type == T.B ? "/*C*/(" + (r.nextInt(4) > 0 ? "++" : "--") + v.name + ")"
                        : r.nextBoolean() ? v.name + (r.nextBoolean() ? "++" : "--") : (r.nextBoolean() ? "++" : "--") + v.name;
                return ind + update + ";\n" + ind + pushOf(v.type, v.name) + ";\n";
            }
            case 6 -> {
                if (loopDepth > 0) {
                    return ind + "if (" + expr(T.Z, 2) + ") " + (r.nextBoolean() ? "break" : "continue") + ";\n";
                }
                return ind + "gz = " + expr(T.Z, 2) + ";\n";
            }
            case 7 -> {
                if (callable > 0) {
                    int h = r.nextInt(callable);
                    return ind + helperCall(h, 2) + ";\n";
                }
                return ind + "g = " + expr(T.N, 2) + ";\n";
            }
            case 8 -> {
                return ind + pushOf(T.N, expr(T.N, 2)) + ";\n";
            }
            case 9, 10 -> {
                String s = ind + "if (" + expr(T.Z, 3) + ") {\n" + block(depth - 1, ind + "    ") + ind + "}";
                if (r.nextBoolean()) {
                    s += " else {\n" + block(depth - 1, ind + "    ") + ind + "}";
                }
                return s + "\n";
            }
            case 11 -> {
                String i = "i" + fresh++;
                int n = r.nextInt(4);
                scopes.push(new ArrayList<>(List.of(new Var(i, T.N, false))));
                loopDepth++;
                String body = stmts(depth - 1, 1 + r.nextInt(3), ind + "    ");
                loopDepth--;
                scopes.pop();
                return ind + "for (let " + i + " = 0; " + i + " < " + n + "; " + i + "++) {\n" + body + ind + "}\n";
            }
            case 12, 13 -> {
                String w = "w" + fresh++;
                int n = 1 + r.nextInt(3);
                scopes.peek().add(new Var(w, T.N, false));
                loopDepth++;
                String body = block(depth - 1, ind + "    ");
                loopDepth--;
                String inc = ind + "    " + w + "++;\n";
                if (k == 12) {
                    return ind + "let " + w + " = 0;\n" + ind + "while (" + w + " < " + n + ") {\n" + inc + body + ind + "}\n";
                }
                return ind + "let " + w + " = 0;\n" + ind + "do {\n" + inc + body + ind + "} while (" + w + " < " + n + ");\n";
            }
            default -> {
                return ind + "{\n" + block(depth - 1, ind + "    ") + ind + "}\n";
            }
        }
    }

    private String block(int depth, String ind) {
        scopes.push(new ArrayList<>());
        String s = stmts(depth, 1 + r.nextInt(3), ind);
        scopes.pop();
        return s;
    }

    /**
     * A statement recording a value. The arrays of one walk hold one element type (the checker
     * types them together), so a program pushes either Numbers (a BigInt as its low 52 bits and
     * the rest, both exact Numbers) or BigInts (a Number then lands in priv.a, written back).
     */
    private String pushOf(T t, String e) {
        if (bigArray) {
            return switch (t) {
                case N -> "priv.a = " + e;
                case B -> "outb.push(" + e + ")";
                case Z -> "outb.push(" + e + " ? 1n : 0n)";
            };
        }
        return switch (t) {
            case N -> "out.push(" + e + ")";
            case B -> {
                String v = "d" + fresh++;
                yield "{ const " + v + " = " + e + "; out.push(Number(" + v + " & 0xfffffffffffffn)); out.push(Number(" + v
                        + " >> 52n)); }";
            }
            case Z -> "out.push(" + e + " ? 1 : 0)";
        };
    }

    private String assignment() {
        T t = randomType();
        Var v = pickVar(t, true);
        if (v == null) {
            return switch (t) {
                case N -> "g " + pick("=", "+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", ">>>=") + " " + expr(T.N, 2);
                case B -> "gb = " + expr(T.B, 2);
                case Z -> "gz = " + expr(T.Z, 2);
            };
        }
        return switch (t) {
            case N -> v.name + " " + pick("=", "+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", ">>>=") + " " + expr(T.N, 2);
            case B -> switch (r.nextInt(6)) {
                case 0 -> v.name + " = " + expr(T.B, 2);
                case 1 -> v.name + " &= " + wrapped(2);
                case 2 -> v.name + " |= " + expr(T.B, 2);
                case 3 -> v.name + " ^= " + expr(T.B, 2);
                case 4 -> v.name + " >>= " + shiftAmount();
                default -> "/*C*/(" + v.name + " += " + expr(T.B, 1) + " & 0xffffn)";
            };
            case Z -> v.name + " = " + expr(T.Z, 2);
        };
    }

    private String stateUpdate() {
        String obj = r.nextBoolean() ? "st" : null;
        return switch (r.nextInt(7)) {
            case 0 -> "st.a += " + expr(T.N, 2);
            case 1 -> "st.b ^= " + expr(T.B, 2);
            case 2 -> "st.c = " + expr(T.Z, 2);
            case 3 -> (inHook ? "walk.private.p" : "priv.p") + " += " + expr(T.N, 2);
            case 4 -> (inHook ? "walk.private.q" : "priv.q") + " |= " + expr(T.B, 2);
            case 5 -> "priv.p = priv.p * 2 + " + expr(T.N, 1);
            default -> (obj != null ? "st.n" : "g") + " " + pick("+=", "-=", "=", "%=") + " " + expr(T.N, 2);
        };
    }

    private String helperCall(int h, int depth) {
        called[h] = true;
        Helper hp = helpers.get(h);
        StringBuilder sb = new StringBuilder(hp.name).append('(');
        for (int k = 0; k < hp.params.size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(expr(hp.params.get(k), depth - 1));
        }
        return sb.append(')').toString();
    }

    // ---------------------------------------------------------------- expressions

    private String pick(String... s) {
        return s[r.nextInt(s.length)];
    }

    String expr(T t, int depth) {
        return switch (t) {
            case N -> num(depth);
            case B -> big(depth);
            case Z -> bool(depth);
        };
    }

    private String leaf(T t) {
        Var v = r.nextInt(3) > 0 ? pickVar(t, false) : null;
        if (v != null) {
            return v.name;
        }
        return switch (t) {
            case N -> r.nextInt(4) == 0 ? (inHook && r.nextInt(3) == 0 ? pick("walk.private.p", "walk.action")
                    : pick("g", "st.a", "st.n", "priv.p", bigArray ? "outb.length" : "out.length", "calls")) : pick(NUM_LITS);
            case B -> r.nextInt(3) == 0 ? (inHook && r.nextInt(3) == 0 ? "walk.private.q" : pick("gb", "st.b", "priv.q"))
                    : pick(BIG_LITS);
            case Z -> pick("true", "false", "gz", "st.c");
        };
    }

    private String num(int depth) {
        if (depth <= 0) {
            return leaf(T.N);
        }
        int k = r.nextInt(20);
        return switch (k) {
            case 0, 1, 2, 3 -> "(" + num(depth - 1) + " " + pick(NUM_OPS) + " " + num(depth - 1) + ")";
            case 4 -> "(" + pick("-", "+", "~") + num(depth - 1) + ")";
            case 5 -> "Math." + pick(MATH1) + "(" + num(depth - 1) + ")";
            case 6 -> "Math." + pick(MATH2) + "(" + num(depth - 1) + ", " + num(depth - 1) + ")";
            case 7 -> "Number(" + (r.nextInt(4) == 0 ? bool(depth - 1) : big(depth - 1)) + ")";
            case 8 -> "(" + bool(depth - 1) + " ? " + num(depth - 1) + " : " + num(depth - 1) + ")";
            case 9 -> {
                int h = helperOf(T.N);
                yield h >= 0 ? helperCall(h, depth) : leaf(T.N);
            }
            case 10 -> entryParam != null ? pick(pmd ? ENTRY_NUMS_PMD : ENTRY_NUMS_PTE) + "(" + big(depth - 1) + ")"
                    : "pte_pfn(" + big(depth - 1) + ")";
            case 11 -> {
                Var v = pickVar(T.N, true);
                yield v == null ? leaf(T.N) : "(" + pick(v.name + "++", v.name + "--", "++" + v.name, "--" + v.name,
                        v.name + " += " + num(depth - 1), v.name + " = " + num(depth - 1)) + ")";
            }
            case 12 -> "(" + num(depth - 1) + " " + pick("&&", "||") + " " + num(depth - 1) + ")";
            case 13 -> "(" + num(depth - 1) + ", " + num(depth - 1) + ")";
            case 14 -> !inHook ? leaf(T.N) : entryParam == null || pmd ? "(walk.vma === null ? -1 : walk.vma.vm_start)"
                    : "vm_normal_page(walk.vma, addr, " + entryParam + ")";
            case 15 -> "(" + num(depth - 1) + " " + pick(NUM_OPS) + " " + leaf(T.N) + ")";
            default -> leaf(T.N);
        };
    }

    private int helperOf(T t) {
        List<Integer> c = new ArrayList<>();
        for (int i = 0; i < callable; i++) {
            if (helpers.get(i).result == t) {
                c.add(i);
            }
        }
        return c.isEmpty() ? -1 : c.get(r.nextInt(c.size()));
    }

    private String shiftAmount() {
        return r.nextInt(4) == 0 ? "(" + big(0) + " & 63n)" : (r.nextInt(72)) + "n";
    }

    private String big(int depth) {
        if (depth <= 0) {
            return leaf(T.B);
        }
        String a = big(depth - 1);
        String b = big(depth - 1);
        int k = r.nextInt(22);
        return switch (k) {
            // Arithmetic kept in range (most of the time) ...
            case 0 -> "/*C*/((" + a + " >> 1n) + (" + b + " >> 1n))";
            case 1 -> "/*C*/((" + a + " | " + b + ") - " + b + ")";
            case 2 -> "/*C*/((" + a + " & 0xffffffffn) * (" + b + " & 0xffffffffn))";
            case 3 -> "/*C*/((" + a + " & 0xffffn) << " + r.nextInt(49) + "n)";
            // ... and not: these may leave 0..2^64-1 (the compiled RangeError, accepted when GraalJS went out of range too)
            case 4 -> r.nextInt(3) == 0 ? "/*C*/(" + a + " " + pick("+", "-", "*") + " " + b + ")"
                    : "/*C*/((" + a + " & 0xffffffffffffn) + " + b + " % 0xffffn)";
            case 5 -> r.nextInt(3) == 0 ? "/*C*/(" + a + " << " + shiftAmount() + ")" : "(" + a + " >> " + b + ")";
            case 6 -> "(" + a + " >> " + shiftAmount() + ")";
            case 7 -> "(" + a + " " + pick("/", "%") + " " + b + ")";
            case 8, 9 -> "(" + a + " " + pick("&", "|", "^") + " " + b + ")";
            case 10, 11 -> "(" + a + " & " + wrapped(depth - 1) + ")";
            case 12 -> "BigInt.asUintN(64, " + wrapped(depth - 1) + ")";
            case 13 -> r.nextInt(5) == 0 ? "/*C*/(BigInt(" + num(depth - 1) + "))" : "BigInt(" + num(depth - 1) + " >>> 0)";
            case 14 -> "(" + bool(depth - 1) + " ? " + a + " : " + b + ")";
            case 15 -> {
                int h = helperOf(T.B);
                yield h >= 0 ? helperCall(h, depth) : a;
            }
            case 16 -> pick("pte_to_swp_entry", "pmd_to_swp_entry") + "(" + a + ")";
            case 17 -> inHook ? "(walk.vma === null ? 0n : walk.vma.vm_flags)" : a;
            case 18 -> {
                Var v = pickVar(T.B, true);
                yield v == null ? a : "(" + pick(v.name + " ^= " + b, v.name + " = " + b, v.name + " &= " + wrapped(depth - 1))
                        + ")";
            }
            case 19 -> "(" + a + " " + pick("&&", "||") + " " + b + ")";
            default -> a;
        };
    }

    /** A BigInt expression whose value matters modulo 2^64 (beside & or in asUintN). */
    private String wrapped(int depth) {
        if (depth <= 0) {
            return r.nextBoolean() ? "~" + leaf(T.B) : leaf(T.B);
        }
        return switch (r.nextInt(8)) {
            case 0 -> "~" + wrapped(depth - 1);
            case 1 -> "(-" + wrapped(depth - 1) + ")";
            case 2 -> "(" + wrapped(depth - 1) + " " + pick("+", "-", "*") + " " + wrapped(depth - 1) + ")";
            case 3 -> "(" + wrapped(depth - 1) + " << " + shiftAmount() + ")";
            case 4 -> "(" + wrapped(depth - 1) + " " + pick("&", "|", "^") + " " + wrapped(depth - 1) + ")";
            default -> big(depth - 1);
        };
    }

    private String bool(int depth) {
        if (depth <= 0) {
            return leaf(T.Z);
        }
        int k = r.nextInt(12);
        return switch (k) {
            case 0, 1 -> "(" + num(depth - 1) + " " + pick(CMP) + " " + num(depth - 1) + ")";
            case 2 -> "(" + big(depth - 1) + " " + pick(CMP) + " " + big(depth - 1) + ")";
            case 3 -> "!" + bool(depth - 1);
            case 4 -> "(" + bool(depth - 1) + " " + pick("&&", "||") + " " + bool(depth - 1) + ")";
            case 5 -> pick(pmd ? ENTRY_TESTS_PMD : ENTRY_TESTS_PTE) + "(" + (entryParam != null && r.nextBoolean()
                    ? entryParam : big(depth - 1)) + ")";
            case 6 -> {
                int h = helperOf(T.Z);
                yield h >= 0 ? helperCall(h, depth) : leaf(T.Z);
            }
            case 7 -> "(" + bool(depth - 1) + " ? " + bool(depth - 1) + " : " + bool(depth - 1) + ")";
            case 8 -> "(" + bool(depth - 1) + " === " + bool(depth - 1) + ")";
            case 9 -> !inHook ? leaf(T.Z) : switch (r.nextInt(5)) {
                case 0 -> "(walk.vma != null && walk.vma.anonymous)";
                case 1 -> "(walk.vma == undefined)";
                case 2 -> entryParam != null && hasAddr && !pmd
                        ? "((vm_normal_folio(walk.vma, addr, " + entryParam + ") ?? null) === null)" : "(walk.mm !== null)";
                // an entry helper given a Number (a TypeError unless a non-negative safe integer)
                case 3 -> pick(ENTRY_TESTS_PTE) + "(" + (r.nextBoolean() ? num(depth - 1) : "(" + num(depth - 1) + " >>> 0)") + ")";
                default -> "(walk.vma !== null && walk.vma.anonymous)";
            };
            default -> leaf(T.Z);
        };
    }
}
