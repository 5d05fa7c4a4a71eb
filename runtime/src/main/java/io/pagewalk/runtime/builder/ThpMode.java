package io.pagewalk.runtime.builder;

/** {@code /sys/kernel/mm/transparent_hugepage/enabled}: which anonymous VMAs may get PMD THPs. */
public enum ThpMode {
    /** Every eligible VMA not marked {@code MADV_NOHUGEPAGE}. */
    ALWAYS,
    /** Only VMAs marked {@code MADV_HUGEPAGE} (the test machine's setting, and the common default). */
    MADVISE,
    /** None (MADV_COLLAPSE still works). */
    NEVER
}
