// folio-at.js: what maps one address: the folio_walk_start() answer, with the folio's flags.
//   ./pagewalk run examples/folio-at.js --pid PID -- 0x7f0000001000 [0x...]
// FW_ZEROPAGE makes the zero page an answer too (fw.page is then -1, as the kernel's NULL).
if (args.length === 0) throw new Error('give one or more addresses after --');
const levels = { [FW_LEVEL_PTE]: 'PTE', [FW_LEVEL_PMD]: 'PMD', [FW_LEVEL_PUD]: 'PUD' };
const flagNames = Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('KPF_'));
for (const a of args) {
    const addr = Number(a);
    const vma = find_vma(mm, addr);
    if (vma === null || addr < vma.vm_start) {
        print(`${a}: not mapped`);
        continue;
    }
    const fw = {};
    const folio = folio_walk_start(fw, vma, addr, FW_ZEROPAGE);
    if (folio === null) {
        print(`${a}: no folio (${vma.name || '[anon]'})`);
        continue;
    }
    const flags = page_flags(folio.pfn);
    const set = flagNames.filter((n) => (flags >> BigInt(globalThis[n])) & 1n).map((n) => n.slice(4).toLowerCase());
    const entry = fw.pte ?? fw.pmd ?? fw.pud;
    print(`${a}: ${levels[fw.level]} entry 0x${entry.toString(16)}, folio pfn 0x${folio.pfn.toString(16)} ` +
          `order ${folio.order}, page ${fw.page < 0 ? '-' : '0x' + fw.page.toString(16)}, ` +
          `mapcount ${folio_mapcount(folio)}, flags ${set.join(',')}`);
    folio_walk_end(fw, vma);
}
