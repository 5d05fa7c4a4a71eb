// smaps_rollup from the page tables: Rss, Pss, Anonymous (as fs/proc/task_mmu.c counts them) and
// Rss per kind of VMA. The completion value is a JSON summary; with args[0] === 'print' it prints.
const kindOf = (vma) => vma.name === '[heap]' ? 'heap' : vma.name === '[stack]' ? 'stack'
    : vma.vm_file ? 'file' : vma.name.startsWith('[') ? 'special' : 'anon';
const total = { rss: 0, pss: 0, anonymous: 0, kinds: {} };

// One mapped page (or each page of a PMD-mapped folio): Pss divides by the page's own mapcount.
function account(walk, folio, firstPfn, nrPages) {
    const anon = folio_test_anon(folio);
    for (let i = 0; i < nrPages; i++) {
        const mapcount = folio_precise_page_mapcount(folio, firstPfn + i);
        total.pss += mapcount >= 2 ? PAGE_SIZE / mapcount : PAGE_SIZE;
    }
    const size = nrPages * PAGE_SIZE;
    total.rss += size;
    if (anon) total.anonymous += size;
    const kind = kindOf(walk.vma);
    total.kinds[kind] = (total.kinds[kind] || 0) + size;
}

const ops = {
    pmd_entry(pmd, addr, next, walk) {
        if (pmd_present(pmd) && pmd_leaf(pmd)) {
            const pfn = vm_normal_page_pmd(walk.vma, addr, pmd);
            if (pfn >= 0) account(walk, page_folio(pfn), pfn, (next - addr) / PAGE_SIZE);
            walk.action = ACTION_CONTINUE;
        }
    },
    pte_entry(pte, addr, next, walk) {
        if (!pte_present(pte)) return 0;
        const pfn = vm_normal_page(walk.vma, addr, pte);
        if (pfn >= 0) account(walk, page_folio(pfn), pfn, 1);
        return 0;
    },
};

if (mm === undefined) throw new Error('smaps-rollup.js needs an address space (--pid or --snapshot)');
const ret = walk_page_range(mm, 0, -1, ops, null);
if (ret !== 0) throw new Error('walk_page_range returned ' + ret);
const kB = (bytes) => Math.floor(bytes / 1024);
const summary = { Rss: kB(total.rss), Pss: kB(total.pss), Anonymous: kB(total.anonymous), kinds: {} };
for (const [k, v] of Object.entries(total.kinds)) summary.kinds[k] = kB(v);
if (args[0] === 'print') {
    print(`Rss:       ${summary.Rss} kB`);
    print(`Pss:       ${summary.Pss} kB`);
    print(`Anonymous: ${summary.Anonymous} kB`);
    for (const [k, v] of Object.entries(summary.kinds)) print(`Rss ${k}: ${v} kB`);
}
JSON.stringify(summary);
