package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.walk.CallRecorder.Hook.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.testing.TestMm;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageWalkSmokeTest {
    @Test
    void ptesOfOnePopulatedPageAndHolesAroundIt() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x403000);
        long pfn = t.page(0x401000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        int ret = PageWalk.walkPageRange(t.mm, 0x3ff000, 0x404000, r.ops(PTE, HOLE), null);
        assertEquals(0, ret);
        long pte = io.pagewalk.runtime.pgtable.Pgtable.pfn_pte(pfn, TestMm.PROT_RW);
        assertEquals(List.of(
                "pte_hole 0x3ff000 0x400000 -1 novma",
                "pte_entry 0x400000 0x401000 0x0",
                "pte_entry 0x401000 0x402000 " + CallRecorder.hex(pte),
                "pte_entry 0x402000 0x403000 0x0",
                "pte_hole 0x403000 0x404000 -1 novma"), r.calls);
    }
}
