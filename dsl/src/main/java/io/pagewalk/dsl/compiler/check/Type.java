package io.pagewalk.dsl.compiler.check;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.walk.FolioWalk;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.dsl.compiler.rt.StateArray;
import io.pagewalk.dsl.compiler.rt.StateObject;

/**
 * The static type of a value in compiled code, and how the JVM holds it. Every variable has one
 * type for its whole life: a variable that holds a Number here and a BigInt there is outside the
 * subset. References may be null only when their type says so.
 */
public record Type(Kind kind, boolean nullable) {
    public enum Kind {
        NUMBER("a Number", "D", null),
        BIGINT("a BigInt", "J", null),
        BOOLEAN("a boolean", "Z", null),
        /** No value: a function that returns nothing, a missing argument. */
        UNDEFINED("undefined", "V", null),
        /** Only ever null (joins with any reference type). */
        NULL("null", "Ljava/lang/Object;", Object.class),
        VMA("a vma", "L" + Type.internal(VmArea.class) + ";", VmArea.class),
        MM("an mm", "L" + Type.internal(MmStruct.class) + ";", MmStruct.class),
        FOLIO("a folio", "L" + Type.internal(FolioWalk.Folio.class) + ";", FolioWalk.Folio.class),
        MAPPING("a mapping (vm_file)", "L" + Type.internal(AddressSpace.class) + ";", AddressSpace.class),
        /** A plain script object whose numeric fields hooks read and update (walk.private, a global). */
        STATE("a state object", "L" + Type.internal(StateObject.class) + ";", StateObject.class),
        /** A script array hooks append Numbers or BigInts to (push) and read the length of. */
        ARRAY("an array", "L" + Type.internal(StateArray.class) + ";", StateArray.class),
        WALK("the walk", "L" + Type.internal(MmWalk.class) + ";", MmWalk.class),
        /** install_pte's ptep: its value is the entry to install. */
        PTEP("the ptep", "L" + Type.internal(io.pagewalk.dsl.compiler.rt.PtepBox.class) + ";", io.pagewalk.dsl.compiler.rt.PtepBox.class);

        final String description;
        final String descriptor;
        final Class<?> javaClass;

        Kind(String description, String descriptor, Class<?> javaClass) {
            this.description = description;
            this.descriptor = descriptor;
            this.javaClass = javaClass;
        }

        public boolean isReference() {
            return javaClass != null;
        }

        public boolean javaClassIsInstance(Object o) {
            return javaClass != null && javaClass.isInstance(o);
        }
    }

    static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    public static final Type NUMBER = new Type(Kind.NUMBER, false);
    public static final Type BIGINT = new Type(Kind.BIGINT, false);
    public static final Type BOOLEAN = new Type(Kind.BOOLEAN, false);
    public static final Type UNDEFINED = new Type(Kind.UNDEFINED, false);
    public static final Type NULL = new Type(Kind.NULL, true);
    public static final Type VMA = new Type(Kind.VMA, false);
    public static final Type MM = new Type(Kind.MM, false);
    public static final Type FOLIO = new Type(Kind.FOLIO, false);
    public static final Type MAPPING = new Type(Kind.MAPPING, false);
    public static final Type STATE = new Type(Kind.STATE, false);
    public static final Type ARRAY = new Type(Kind.ARRAY, false);
    public static final Type WALK = new Type(Kind.WALK, false);
    public static final Type PTEP = new Type(Kind.PTEP, false);

    public static Type of(Kind k) {
        return new Type(k, k == Kind.NULL);
    }

    public Type orNull() {
        return kind.isReference() ? new Type(kind, true) : this;
    }

    public boolean isReference() {
        return kind.isReference();
    }

    /** The JVM descriptor of a value of this type ("V" for undefined). */
    public String descriptor() {
        return kind.descriptor;
    }

    public Class<?> javaClass() {
        return kind.javaClass;
    }

    /** JVM stack slots (2 for double and long). */
    public int size() {
        return kind == Kind.NUMBER || kind == Kind.BIGINT ? 2 : kind == Kind.UNDEFINED ? 0 : 1;
    }

    /** Both types in one variable, or null when the subset cannot hold them together. */
    public static Type join(Type a, Type b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.kind == b.kind) {
            return a.nullable || b.nullable ? a.orNull() : a;
        }
        if (a.kind == Kind.NULL && b.isReference()) {
            return b.orNull();
        }
        if (b.kind == Kind.NULL && a.isReference()) {
            return a.orNull();
        }
        return null;
    }

    @Override
    public String toString() {
        return kind.description + (nullable && kind != Kind.NULL ? " or null" : "");
    }
}
