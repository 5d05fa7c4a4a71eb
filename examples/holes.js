// holes.js: where the address space is empty, and at which page-table level the walker found it.
//   ./pagewalk run examples/holes.js --pid PID
// depth -1 is a gap between VMAs (walk.vma is null), or a whole VM_PFNMAP VMA the walker does not
// enter (walk.vma set); 0..3 are PGD, P4D, PUD, PMD holes inside VMAs (a folded level is reported
// as the level above it: no depth 1 on 4-level paging). The walker only descends to
// levels that have a hook below them, so this script sets a pmd_entry to see PMD-level holes.
const names = { gap: 'gap (no VMA)', pfnmap: 'VM_PFNMAP VMA', 0: 'PGD', 1: 'P4D', 2: 'PUD', 3: 'PMD' };
const bytes = new Map();
const ops = {
    pte_hole(addr, next, depth, walk) {
        const kind = depth >= 0 ? depth : walk.vma === null ? 'gap' : 'pfnmap';
        bytes.set(kind, (bytes.get(kind) || 0) + (next - addr));
        return 0;
    },
    pmd_entry(pmd, addr, next, walk) {
        return 0;
    },
};
const top = mm.vmas.length === 0 ? 0 : mm.vmas[mm.vmas.length - 1].vm_end;
walk_page_range(mm, 0, top, ops, null);
for (const [kind, b] of bytes) {
    print(`${names[kind].padEnd(14)} ${(b / 1024).toFixed(0).padStart(16)} kB`);
}
