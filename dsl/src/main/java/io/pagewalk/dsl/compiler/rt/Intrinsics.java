package io.pagewalk.dsl.compiler.rt;

import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.Pgtable;

/** PLACEHOLDER until the rt helper's branch lands (replaced on merge). */
public final class Intrinsics {
    private Intrinsics() {}
    public static boolean pte_present(long pte) { return (pte & (Pgtable._PAGE_PRESENT | Pgtable._PAGE_PROTNONE)) != 0; }
    public static double vmaField_vm_start(VmArea v) { return CompiledOps.addr(v.start()); }
    public static double vmaField_vm_end(VmArea v) { return CompiledOps.addr(v.end()); }
    public static long vmaField_vm_flags(VmArea v) { return v.flags(); }
}
