package io.pagewalk.dsl.adapter;

import io.pagewalk.runtime.walk.MmWalkOps;
import org.graalvm.polyglot.Value;

/**
 * A generated adapter for one set of hooks: sets exactly those callbacks on a new
 * {@link MmWalkOps.Builder}. Subclasses are made by {@link AdapterGenerator}.
 */
public abstract class HookAdapter {
    protected HookAdapter() {}

    /** {@code fns[i]} is the script's function for {@link HookBinder#HOOKS}{@code [i]}, or null. */
    public abstract MmWalkOps.Builder bind(HookContext c, Value[] fns);
}
