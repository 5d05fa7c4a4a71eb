package io.pagewalk.dsl.compiler.rt;

/** install_pte's {@code ptep} in compiled code: the entry the hook writes ({@code ptep.value}), 0 until it does. */
public final class PtepBox {
    public long value;
}
