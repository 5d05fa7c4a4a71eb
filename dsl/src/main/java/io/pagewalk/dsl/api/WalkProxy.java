package io.pagewalk.dsl.api;

import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The {@code walk} argument of every hook: {@code struct mm_walk} with {@code vma}, {@code mm},
 * {@code private} and a live {@code action} (read and written through to the walker).
 */
public final class WalkProxy implements ProxyObject {
    private static final String[] KEYS = {"vma", "mm", "private", "action"};

    private final ScriptSession session;
    private MmWalk walk;

    public WalkProxy(ScriptSession session) {
        this.session = session;
    }

    /** Points this proxy at the walk whose hook is about to run. */
    public WalkProxy of(MmWalk w) {
        this.walk = w;
        return this;
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "vma" -> walk.vma() == null ? null : session.vmaObject(walk.vma());
            case "mm" -> walk.mm() == null ? null : session.mmObject(walk.mm());
            case "private" -> walk.privateData();
            case "action" -> walk.action().value();
            default -> null;
        };
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray((Object[]) KEYS);
    }

    @Override
    public boolean hasMember(String key) {
        for (String k : KEYS) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void putMember(String key, Value value) {
        if (!"action".equals(key)) {
            throw new UnsupportedOperationException("walk." + key + " is read-only (only walk.action can be set)");
        }
        // -0 is 0 (-0 === 0), as in the hooks' results; interop's fitsInInt refuses it.
        int a = value.isNumber() && value.fitsInDouble() && value.asDouble() == 0 ? 0
                : value.isNumber() && value.fitsInInt() ? value.asInt() : -1;
        if (a < 0 || a > 2) {
            throw new IllegalArgumentException("walk.action must be ACTION_SUBTREE, ACTION_CONTINUE or ACTION_AGAIN, got "
                    + Conv.describe(value));
        }
        walk.setAction(PageWalkAction.of(a));
    }
}
