// clear_refs: `echo N > /proc/PID/clear_refs` (clear_refs_write() in fs/proc/task_mmu.c) on the model.
//
// args: 1 | 2 | 3 | 4 | 5
//   1  clear the accessed (young) bit of every mapped page and the folios' referenced flag
//   2  the same, anonymous VMAs only        3  the same, file-backed VMAs only
//   4  clear soft-dirty: PTEs/PMDs write-protected and soft-dirty cleared, VM_SOFTDIRTY cleared
//   5  reset the peak RSS (VmHWM): not in the model (the plugin says so and changes nothing)
'use strict';

const CLEAR_REFS_ALL = 1, CLEAR_REFS_ANON = 2, CLEAR_REFS_MAPPED = 3, CLEAR_REFS_SOFT_DIRTY = 4, CLEAR_REFS_MM_HIWATER_RSS = 5;
if (args.length !== 1 || !/^[1-5]$/.test(args[0])) {
    throw new Error('clear_refs: one argument, 1 to 5, as written to /proc/PID/clear_refs (the kernel says EINVAL to anything else)');
}
const type = Number(args[0]);
const M64 = (1n << 64n) - 1n;
const bitOff = (v, b) => v & (M64 ^ b);

// clear_soft_dirty(): a present PTE is write-protected and loses soft-dirty (the kernel skips
// pinned anonymous pages; the model knows no pins); a swap entry loses its soft-dirty bit.
function clearSoftDirty(mmObj, addr, pte) {
    if (pte_present(pte)) {
        set_pte_at(mmObj, addr, bitOff(bitOff(pte, _PAGE_RW), _PAGE_SOFT_DIRTY));
    } else if (is_swap_pte(pte)) {
        set_pte_at(mmObj, addr, bitOff(pte, _PAGE_SWP_SOFT_DIRTY));
    }
}

// clear_soft_dirty_pmd(): the same for a huge PMD; a PMD migration entry loses the swap bit.
function clearSoftDirtyPmd(mmObj, addr, pmd) {
    if (pmd_present(pmd)) {
        set_pmd_at(mmObj, addr, bitOff(bitOff(pmd, _PAGE_RW), _PAGE_SOFT_DIRTY));
    } else if (is_pmd_migration_entry(pmd)) {
        set_pmd_at(mmObj, addr, bitOff(pmd, _PAGE_SWP_SOFT_DIRTY));
    }
}

// clear_refs_pte_range() as pmd_entry (huge PMDs, whole) and pte_entry (the PTE loop).
const ops = {
    walk_lock: PGWALK_WRLOCK,
    // clear_refs_test_walk(): no PFN maps; 2 skips file VMAs, 3 skips anonymous ones.
    test_walk(start, end, walk) {
        const vma = walk.vma;
        if ((vma.vm_flags & VM_PFNMAP) !== 0n) return 1;
        if (type === CLEAR_REFS_ANON && vma.vm_file !== null) return 1;
        if (type === CLEAR_REFS_MAPPED && vma.vm_file === null) return 1;
        return 0;
    },
    pmd_entry(pmd, addr, next, walk) {
        if (!(pmd_trans_huge(pmd) || is_swap_pmd(pmd))) return 0; // not pmd_trans_huge_lock()'s: go to the PTEs
        walk.action = ACTION_CONTINUE;
        const base = addr - (addr % PMD_SIZE);
        if (type === CLEAR_REFS_SOFT_DIRTY) {
            clearSoftDirtyPmd(walk.mm, base, pmd);
            walk.private.pmds++;
            return 0;
        }
        if (!pmd_present(pmd)) return 0;
        // pmdp_test_and_clear_young() and folio_clear_referenced(pmd_folio())
        set_pmd_at(walk.mm, base, bitOff(pmd, _PAGE_ACCESSED));
        const folio = page_folio(pmd_pfn(pmd));
        if (folio !== null) folio_clear_referenced(folio);
        walk.private.pmds++;
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (type === CLEAR_REFS_SOFT_DIRTY) {
            if (!pte_none(pte)) {
                clearSoftDirty(walk.mm, addr, pte);
                walk.private.ptes++;
            }
            return 0;
        }
        if (!pte_present(pte)) return 0;
        const folio = vm_normal_folio(walk.vma, addr, pte);
        if (folio === null) return 0;
        // ptep_test_and_clear_young() and folio_clear_referenced()
        if (pte_young(pte)) set_pte_at(walk.mm, addr, bitOff(pte, _PAGE_ACCESSED));
        folio_clear_referenced(folio);
        walk.private.ptes++;
        return 0;
    },
};

if (type === CLEAR_REFS_MM_HIWATER_RSS) {
    console.log('clear_refs 5: the peak RSS (VmHWM) is not part of the model; nothing changed');
} else {
    let vmas = 0;
    if (type === CLEAR_REFS_SOFT_DIRTY) {
        // Before the walk, under the mmap write lock: VM_SOFTDIRTY off on every VMA that has it
        // (vma_set_page_prot() then makes new PTEs write-protected; the model keeps no page_prot).
        for_each_vma(mm, (vma) => {
            if ((vma.vm_flags & VM_SOFTDIRTY) !== 0n) {
                vm_flags_clear(vma, VM_SOFTDIRTY);
                vmas++;
            }
        });
    }
    const st = { ptes: 0, pmds: 0 };
    const err = walk_page_range(mm, 0, ULONG_MAX, ops, st);
    if (err < 0) throw new Error('clear_refs: walk_page_range failed: ' + err);
    console.log('clear_refs ' + type + ': ' + st.ptes + ' PTEs and ' + st.pmds + ' huge PMDs cleared'
        + (type === CLEAR_REFS_SOFT_DIRTY ? ', VM_SOFTDIRTY cleared on ' + vmas + ' VMAs' : ''));
}
