// count-ptes.js: present, swapped and empty PTEs of every VMA, and PMD-mapped THPs.
//   ./pagewalk run examples/count-ptes.js --pid PID
// A pmd_entry that meets a huge PMD counts it and says ACTION_CONTINUE, so the walker does not
// split it to hand its 512 PTEs to pte_entry (what the kernel's smaps does too).
const ops = {
    pmd_entry(pmd, addr, next, walk) {
        if (pmd_trans_huge(pmd)) {
            walk.private.thp += (next - addr) / PAGE_SIZE;
            walk.action = ACTION_CONTINUE;
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        const c = walk.private;
        if (pte_present(pte)) c.present++;
        else if (is_swap_pte(pte)) c.swapped++;
        else c.none++;
        return 0;
    },
};

const pad = (s, n) => String(s).padStart(n);
print(`${'start'.padEnd(16)} ${'end'.padEnd(16)} ${pad('present', 8)} ${pad('thp', 8)} ${pad('swapped', 8)} ${pad('none', 8)}  name`);
const total = { present: 0, thp: 0, swapped: 0, none: 0 };
for (const vma of mm.vmas) {
    const c = { present: 0, thp: 0, swapped: 0, none: 0 };
    const err = walk_page_vma(vma, ops, c);
    if (err !== 0) throw new Error(`walk of ${vma.name} failed: ${err}`);
    for (const k in total) total[k] += c[k];
    print(`${vma.vm_start.toString(16).padStart(16, '0')} ${vma.vm_end.toString(16).padStart(16, '0')} ` +
          `${pad(c.present, 8)} ${pad(c.thp, 8)} ${pad(c.swapped, 8)} ${pad(c.none, 8)}  ${vma.name}`);
}
print(`total: ${total.present} present + ${total.thp} in huge PMDs, ${total.swapped} swapped, ${total.none} empty PTEs`);
