// rss-by-mapping.js: Rss, Pss and Uss (private) per mapping name, largest first, like smem's
// mapping view, computed from the model's mapcounts (kpagecount) as the kernel's smaps does.
//   ./pagewalk run examples/rss-by-mapping.js --pid PID [-- TOP_N]
const top = args.length > 0 ? Number(args[0]) : 15;
const byName = new Map();

function account(stats, pfn, pages) {
    for (let i = 0; i < pages; i++) {
        const mapcount = Math.max(1, page_mapcount(pfn + i));
        stats.rss += PAGE_SIZE;
        stats.pss += PAGE_SIZE / mapcount;
        if (mapcount === 1) stats.uss += PAGE_SIZE;
    }
}

const ops = {
    pmd_entry(pmd, addr, next, walk) {
        if (!pmd_trans_huge(pmd)) return 0;
        walk.action = ACTION_CONTINUE;
        const pfn = vm_normal_page_pmd(walk.vma, addr, pmd);
        if (pfn >= 0) account(walk.private, pfn, HPAGE_PMD_NR);
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (!pte_present(pte)) return 0;
        const pfn = vm_normal_page(walk.vma, addr, pte);   // -1 for the zero page and raw PFNs
        if (pfn >= 0) account(walk.private, pfn, 1);
        return 0;
    },
};

for (const vma of mm.vmas) {
    const name = vma.name === '' ? '[anon]' : vma.name;
    if (!byName.has(name)) byName.set(name, { rss: 0, pss: 0, uss: 0 });
    walk_page_vma(vma, ops, byName.get(name));
}

const kb = (b) => String(Math.floor(b / 1024)).padStart(10);
print(`${'Rss kB'.padStart(10)} ${'Pss kB'.padStart(10)} ${'Uss kB'.padStart(10)}  mapping`);
[...byName.entries()]
    .filter(([, s]) => s.rss > 0)
    .sort((a, b) => b[1].rss - a[1].rss)
    .slice(0, top)
    .forEach(([name, s]) => print(`${kb(s.rss)} ${kb(s.pss)} ${kb(s.uss)}  ${name}`));
