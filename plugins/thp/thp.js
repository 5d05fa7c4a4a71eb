// thp: where the process has transparent huge pages, and where it could have them but has not.
//
//   pmd <start>-<end> <kind> pfn=0x<head>            a PMD-mapped THP (kind anon | shmem | file | huge-zero)
//   pte-folio <start>-<end> order=<n> mapped=<k>/<nr> pfn=0x<head>
//                                                     a large folio mapped by PTEs in one VMA
//                                                     (range = its first to its last mapped page)
//   order <n> <kB> kB: <folios> folios, <pages> pages mapped by PTEs
//   not-huge <start>-<end> <reason>                   a 2 MiB-aligned block of a THP-eligible VMA
//                                                     (smaps THPeligible 1) without a PMD mapping
//   unknown <start>-<end>                             eligibility rests on what userspace cannot see
//   total pmd=<n> pte-folios=<n> not-huge=<n>
'use strict';

const hex = (n) => n.toString(16);
const range = (s, e) => hex(s) + '-' + hex(e);
const HPAGE_KB = PMD_SIZE >> 10;

const out = [];
const byOrder = new Map(); // order -> { folios, pages }
let pmdCount = 0, pteFolios = 0, notHuge = 0;

const ops = {
    walk_lock: PGWALK_RDLOCK,
    pmd_entry(pmd, addr, next, walk) {
        const st = walk.private;
        if (pmd_present(pmd) && pmd_trans_huge(pmd)) {
            const pfn = vm_normal_page_pmd(walk.vma, addr, pmd);
            let kind = 'huge-zero';
            if (pfn >= 0) {
                const folio = page_folio(pfn);
                kind = folio_test_anon(folio) ? 'anon' : (walk.vma.vm_file !== null && walk.vma.vm_file.shmem ? 'shmem' : 'file');
            }
            const start = addr - (addr % PMD_SIZE);
            st.pmds.push(range(start, start + PMD_SIZE) + ' ' + kind + ' pfn=0x' + hex(pfn >= 0 ? page_folio(pfn).pfn : pmd_pfn(pmd)));
            st.blocks.set(start, { pmd: true, mapped: 0, largeOrder: 0 });
            walk.action = ACTION_CONTINUE; // never split it: a read-only look
        } else if (is_swap_pmd(pmd)) {
            walk.action = ACTION_CONTINUE;
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (!pte_present(pte)) return 0;
        const st = walk.private;
        const block = addr - (addr % PMD_SIZE);
        let b = st.blocks.get(block);
        if (b === undefined) {
            b = { pmd: false, mapped: 0, largeOrder: 0 };
            st.blocks.set(block, b);
        }
        b.mapped++;
        const pfn = vm_normal_page(walk.vma, addr, pte);
        if (pfn < 0) return 0;
        const folio = page_folio(pfn);
        if (folio.order === 0) return 0;
        if (folio.order > b.largeOrder) b.largeOrder = folio.order;
        let f = st.folios.get(folio.pfn);
        if (f === undefined) {
            f = { order: folio.order, nr: folio.nr_pages, first: addr, last: addr, mapped: 0 };
            st.folios.set(folio.pfn, f);
        }
        f.mapped++;
        if (addr < f.first) f.first = addr;
        if (addr > f.last) f.last = addr;
        return 0;
    },
};

for_each_vma(mm, (vma) => {
    if (vma.hugetlb) return; // hugetlbfs, not THP
    const st = { pmds: [], blocks: new Map(), folios: new Map() };
    walk_page_vma(vma, ops, st);
    for (const p of st.pmds) {
        out.push('pmd ' + p);
        pmdCount++;
    }
    for (const [head, f] of st.folios) {
        out.push('pte-folio ' + range(f.first, f.last + PAGE_SIZE) + ' order=' + f.order + ' mapped=' + f.mapped + '/' + f.nr
            + ' pfn=0x' + hex(head));
        const o = byOrder.get(f.order) || { folios: 0, pages: 0 };
        o.folios++;
        o.pages += f.mapped;
        byOrder.set(f.order, o);
        pteFolios++;
    }
    const eligible = thp_eligible(vma);
    if (eligible < 0) {
        out.push('unknown ' + range(vma.vm_start, vma.vm_end));
        return;
    }
    if (eligible === 0) return;
    // Only whole, aligned 2 MiB blocks inside the VMA can be PMD-mapped.
    const first = Math.ceil(vma.vm_start / PMD_SIZE) * PMD_SIZE;
    if (first + PMD_SIZE > vma.vm_end) {
        out.push('not-huge ' + range(vma.vm_start, vma.vm_end) + ' no 2 MiB-aligned block inside the VMA');
        notHuge++;
        return;
    }
    for (let s = first; s + PMD_SIZE <= vma.vm_end; s += PMD_SIZE) {
        const b = st.blocks.get(s);
        if (b !== undefined && b.pmd) continue;
        let why;
        if (b === undefined || b.mapped === 0) {
            why = 'none of its pages are mapped';
        } else if (b.largeOrder > 0) {
            why = b.mapped + '/' + HPAGE_PMD_NR + ' pages mapped by PTEs, largest folio order ' + b.largeOrder;
        } else {
            why = b.mapped + '/' + HPAGE_PMD_NR + ' pages mapped, all small folios';
        }
        out.push('not-huge ' + range(s, s + PMD_SIZE) + ' ' + why);
        notHuge++;
    }
});
for (const order of [...byOrder.keys()].sort((a, b) => a - b)) {
    const o = byOrder.get(order);
    out.push('order ' + order + ' ' + ((PAGE_SIZE << order) >> 10) + ' kB: ' + o.folios + ' folios, ' + o.pages + ' pages mapped by PTEs');
}
out.push('total pmd=' + pmdCount + ' pte-folios=' + pteFolios + ' not-huge=' + notHuge);
console.log(out.join('\n'));
