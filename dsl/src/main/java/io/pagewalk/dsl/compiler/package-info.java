/**
 * The compiled fast path: hot hooks compiled to JVM bytecode so that a one-shot walk does not wait
 * for GraalJS to warm up. One package per phase, as in Elasticsearch Painless:
 * <ul>
 * <li>{@code parse}: a lexer and a recursive-descent parser for the subset, from the source text
 *     GraalJS gives for a function value; anything else is refused where it is met
 *     ({@link io.pagewalk.dsl.compiler.NotInSubset} names the construct, file and line);</li>
 * <li>{@code ast}: the subset's syntax tree;</li>
 * <li>{@code check}: names resolved (locals, script globals, API constants and helpers) and one
 *     static type per variable, parameter and field, to a fixed point over the called functions;</li>
 * <li>{@code gen}: the only ASM code, one class per set of hooks extending {@code rt.CompiledOps};</li>
 * <li>{@code rt}: what generated code calls: JavaScript's number and BigInt semantics
 *     ({@code JsOps}), the pagewalk helpers ({@code Intrinsics}, the allowlist: a hook can call
 *     nothing else), state objects and arrays, error translation.</li>
 * </ul>
 * {@link io.pagewalk.dsl.compiler.HookCompiler} ties them to a script session: it compiles the
 * hooks of a walk against the values the script holds when the walk starts, loads those values
 * into the compiled object and writes back what the hooks changed when the walk ends.
 */
package io.pagewalk.dsl.compiler;
