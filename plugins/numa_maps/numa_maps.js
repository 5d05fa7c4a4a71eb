// numa_maps: /proc/PID/numa_maps (show_numa_map() of fs/proc/task_mmu.c) from the model.
// One line per VMA, in address order; the gate VMA ([vsyscall]) has no mm and prints nothing.
'use strict';

const bit = (n) => 1n << BigInt(n);
const PG_DIRTY = bit(KPF_DIRTY), PG_SWAPCACHE = bit(KPF_SWAPCACHE), PG_ACTIVE = bit(KPF_ACTIVE),
    PG_UNEVICTABLE = bit(KPF_UNEVICTABLE), PG_WRITEBACK = bit(KPF_WRITEBACK), PG_ANON = bit(KPF_ANON),
    PG_RESERVED = bit(KPF_RESERVED);

// can_gather_numa_stats(): a normal page that is not reserved. Zone-device pages and pages of
// nodes without memory do not exist in a model (one node, N0).
function gatherable(pfn) {
    return pfn >= 0 && (page_flags(pfn) & PG_RESERVED) === 0n;
}

// gather_stats(): folio flags from the head page, the mapcount of this very page (what
// /proc/kpagecount reports: precise or average, the same kernel choice numa_maps makes).
function gather(md, pfn, dirty, nr) {
    const folio = page_folio(pfn);
    const flags = page_flags(folio.pfn);
    const count = page_mapcount(pfn);
    md.pages += nr;
    if (dirty || (flags & PG_DIRTY) !== 0n) md.dirty += nr;
    if ((flags & PG_SWAPCACHE) !== 0n) md.swapcache += nr;
    if ((flags & (PG_ACTIVE | PG_UNEVICTABLE)) !== 0n) md.active += nr;
    if ((flags & PG_WRITEBACK) !== 0n) md.writeback += nr;
    if ((flags & PG_ANON) !== 0n) md.anon += nr;
    if (count > md.mapmax) md.mapmax = count;
    md.node0 += nr;
}

const ops = {
    walk_lock: PGWALK_RDLOCK,
    // gather_pte_stats(): a huge PMD (or a PMD migration entry) is handled whole, never split.
    pmd_entry(pmd, addr, next, walk) {
        if (pmd_trans_huge(pmd) || is_swap_pmd(pmd)) {
            if (pmd_present(pmd)) {
                const pfn = vm_normal_page_pmd(walk.vma, addr, pmd);
                if (gatherable(pfn)) gather(walk.private, pfn, pmd_dirty(pmd), HPAGE_PMD_NR);
            }
            walk.action = ACTION_CONTINUE;
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (pte_present(pte)) {
            const pfn = vm_normal_page(walk.vma, addr, pte);
            if (gatherable(pfn)) gather(walk.private, pfn, pte_dirty(pte), 1);
        }
        return 0;
    },
    // gather_hugetlb_stats(): one count per huge page.
    hugetlb_entry(pte, hmask, addr, next, walk) {
        const md = walk.private;
        md.hugeSize = Number((~hmask + 1n) & ((1n << 64n) - 1n));
        if (pte_present(pte)) gather(md, Number(pmd_pfn(pte)), pte_dirty(pte), 1);
        return 0;
    },
};

// seq_path(m, path, "\n\t= "): those characters (and the space of " (deleted)") as octal escapes.
const escapePath = (p) => p.replace(/[\n\t= ]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));

const out = [];
for_each_vma(mm, (vma) => {
    const md = { pages: 0, anon: 0, active: 0, writeback: 0, mapmax: 0, dirty: 0, swapcache: 0, node0: 0, hugeSize: 0 };
    let line = vma.vm_start.toString(16).padStart(8, '0') + ' default';
    if (vma.vm_file !== null) {
        line += ' file=' + escapePath(vma.vm_file.path);
    } else if (vma.name === '[heap]') {
        line += ' heap';
    } else if (vma.name === '[stack]') {
        line += ' stack';
    }
    if (vma.hugetlb) line += ' huge';
    walk_page_vma(vma, ops, md);
    if (md.pages) {
        if (md.anon) line += ' anon=' + md.anon;
        if (md.dirty) line += ' dirty=' + md.dirty;
        if (md.pages !== md.anon && md.pages !== md.dirty) line += ' mapped=' + md.pages;
        if (md.mapmax > 1) line += ' mapmax=' + md.mapmax;
        if (md.swapcache) line += ' swapcache=' + md.swapcache;
        if (md.active < md.pages && !vma.hugetlb) line += ' active=' + md.active;
        if (md.writeback) line += ' writeback=' + md.writeback;
        line += ' N0=' + md.node0;
        line += ' kernelpagesize_kB=' + ((vma.hugetlb && md.hugeSize ? md.hugeSize : PAGE_SIZE) >> 10);
    }
    out.push(line);
});
if (out.length) console.log(out.join('\n'));
