package io.pagewalk.dsl.api;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * An opaque reference to a model object (mm, VMA, mapping, folio, folio walk) kept by the prelude
 * in a WeakMap beside the plain object the script sees. It has no members, so even a script that
 * got hold of one could read nothing through it.
 */
final class Handle implements ProxyObject {
    final Object target;

    Handle(Object target) {
        this.target = target;
    }

    static <T> T unwrap(Value v, Class<T> type, String what) {
        if (v != null && v.isProxyObject() && v.asProxyObject() instanceof Handle h && type.isInstance(h.target)) {
            return type.cast(h.target);
        }
        throw new IllegalArgumentException(what + ": not a " + type.getSimpleName());
    }

    @Override
    public Object getMember(String key) {
        return null;
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray();
    }

    @Override
    public boolean hasMember(String key) {
        return false;
    }

    @Override
    public void putMember(String key, Value value) {
        throw new UnsupportedOperationException("read-only");
    }
}
