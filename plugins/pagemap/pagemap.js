// /proc/PID/pagemap from the page tables: one 64-bit entry per page of a range, built as
// fs/proc/task_mmu.c builds it (pagemap_pmd_range, pagemap_pte_hole, pagemap_hugetlb_range),
// with the PFN shown (as root sees it). Output: one line per page, "ADDRESS ENTRY" in hex.
//
//   pagemap [START END]     START inclusive, END exclusive (hex with 0x, or decimal); without a
//                           range, every VMA of the process (gaps between VMAs would read as 0)
if (typeof mm === 'undefined') throw new Error('pagemap needs an address space (--pid or --snapshot)');

const PM_PRESENT = 1n << 63n;
const PM_SWAP = 1n << 62n;
const PM_FILE = 1n << 61n;
const PM_GUARD_REGION = 1n << 58n;
const PM_UFFD_WP = 1n << 57n;
const PM_MMAP_EXCLUSIVE = 1n << 56n;
const PM_SOFT_DIRTY = 1n << 55n;
const PM_SWAP_OFFSET_SHIFT = BigInt(MAX_SWAPFILES_SHIFT); // the swap type's bits below the offset

const parseAddr = (s, what) => {
    const t = String(s).trim();
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new Error('pagemap: ' + what + ' "' + s + '" is not an address');
    const v = Number(BigInt(t));
    if (!Number.isSafeInteger(v)) throw new Error('pagemap: ' + what + ' ' + t + ' is beyond the user address space');
    return v;
};

// The hooks collect each page's address and entry (both BigInts: the compiled subset wants one
// element type for all arrays); the lines are made after the walk, so that the hooks build no
// strings and are compiled (see --explain).
const addrs = [];
const entries = [];
const emit = (addr, entry) => {
    addrs.push(BigInt(addr));
    entries.push(entry);
};
let vma = null; // the VMA of the current hook (cached; walk.vma crosses to the host)
const vmaSoftDirty = (v) => v !== null && (v.vm_flags & VM_SOFTDIRTY) !== 0n ? PM_SOFT_DIRTY : 0n;

// A swap-like entry's frame: swap type in bits 0-4, the offset (a PFN for migration and device
// entries) above it.
const swapFrame = (entry) => {
    const offset = is_pfn_swap_entry(entry) ? swp_offset_pfn(entry) : swp_offset(entry);
    return BigInt(swp_type(entry)) | (BigInt(offset) << PM_SWAP_OFFSET_SHIFT);
};

// __folio_page_mapped_exclusively() with CONFIG_PAGE_MAPCOUNT (6.18): this page mapped once.
const exclusive = (folio, pfn) => folio_precise_page_mapcount(folio, pfn) === 1;

function pte_to_pagemap_entry(pte, addr) {
    let frame = 0n;
    let flags = 0n;
    let pfn = -1;
    if (pte_present(pte)) {
        frame = BigInt(pte_pfn(pte));
        flags |= PM_PRESENT;
        pfn = vm_normal_page(vma, addr, pte); // no page (so no FILE/EXCLUSIVE) for the zero page and raw PFNs
        if (pte_soft_dirty(pte)) flags |= PM_SOFT_DIRTY;
        if (pte_uffd_wp(pte)) flags |= PM_UFFD_WP;
    } else if (is_swap_pte(pte)) {
        if (pte_swp_soft_dirty(pte)) flags |= PM_SOFT_DIRTY;
        if (pte_swp_uffd_wp(pte)) flags |= PM_UFFD_WP;
        const entry = pte_to_swp_entry(pte);
        frame = swapFrame(entry);
        flags |= PM_SWAP;
        if (is_pfn_swap_entry(entry)) pfn = swp_offset_pfn(entry);
        if (is_uffd_wp_pte_marker(pte)) flags |= PM_UFFD_WP;
        if (is_guard_pte_marker(pte)) flags |= PM_GUARD_REGION;
    }
    const folio = pfn >= 0 ? page_folio(pfn) : null;
    if (folio !== null) {
        if (!folio_test_anon(folio)) flags |= PM_FILE;
        if ((flags & PM_PRESENT) !== 0n && exclusive(folio, pfn)) flags |= PM_MMAP_EXCLUSIVE;
    }
    return frame | flags | vmaSoftDirty(vma);
}

const ops = {
    pmd_entry(pmd, addr, next, walk) {
        if (!pmd_trans_huge(pmd) && !is_pmd_migration_entry(pmd)) return 0; // a table: pte_entry
        walk.action = ACTION_CONTINUE;
        vma = walk.vma;
        let flags = 0n;
        let frame = 0n;
        let step = 0n;
        let pfn = -1;
        if (pmd_present(pmd)) {
            pfn = pmd_pfn(pmd) + (addr - Math.floor(addr / PMD_SIZE) * PMD_SIZE) / PAGE_SIZE;
            frame = BigInt(pfn);
            step = 1n;
            flags |= PM_PRESENT;
            if (pmd_soft_dirty(pmd)) flags |= PM_SOFT_DIRTY;
            if (pmd_uffd_wp(pmd)) flags |= PM_UFFD_WP;
        } else {
            const entry = pmd_to_swp_entry(pmd);
            const idx = (addr % PMD_SIZE) / PAGE_SIZE;
            frame = BigInt(swp_type(entry)) | (BigInt(swp_offset(entry) + idx) << PM_SWAP_OFFSET_SHIFT);
            step = 1n << PM_SWAP_OFFSET_SHIFT;
            flags |= PM_SWAP;
            pfn = swp_offset_pfn(entry) + idx;
        }
        const folio = pfn >= 0 ? page_folio(pfn) : null;
        if (folio !== null && !folio_test_anon(folio)) flags |= PM_FILE;
        flags |= vmaSoftDirty(vma);
        for (let a = addr; a < next; a += PAGE_SIZE, pfn++, frame += step) {
            let f = flags;
            if (folio !== null && (flags & PM_PRESENT) !== 0n && exclusive(folio, pfn)) f |= PM_MMAP_EXCLUSIVE;
            emit(a, frame | f);
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (vma === null || addr < vma.vm_start || addr >= vma.vm_end) vma = walk.vma;
        emit(addr, pte_to_pagemap_entry(pte, addr));
        return 0;
    },
    // No page table here: 0, plus soft-dirty inside a VM_SOFTDIRTY VMA (not in gaps between VMAs).
    pte_hole(addr, next, depth, walk) {
        for (let a = addr; a < next;) {
            const v = find_vma(mm, a);
            const inside = v !== null && v.vm_start <= a;
            const end = inside ? Math.min(next, v.vm_end) : (v === null ? next : Math.min(next, v.vm_start));
            const e = inside ? vmaSoftDirty(v) : 0n;
            for (; a < end; a += PAGE_SIZE) emit(a, e);
        }
        return 0;
    },
    hugetlb_entry(pte, hmask, addr, next, walk) {
        vma = walk.vma;
        let flags = vmaSoftDirty(vma);
        let frame = 0n;
        let folio = null;
        let pfn = -1;
        if (pte_present(pte)) {
            const size = vma_kernel_pagesize(vma);
            pfn = pte_pfn(pte) + (addr % size) / PAGE_SIZE;
            folio = page_folio(pfn);
            frame = BigInt(pfn);
            flags |= PM_PRESENT;
            if (folio !== null && !folio_test_anon(folio)) flags |= PM_FILE;
            // hugetlb_pmd_shared() (PMD sharing of shared hugetlb mappings) is not modelled.
            if (folio !== null && !folio_maybe_mapped_shared(folio)) flags |= PM_MMAP_EXCLUSIVE;
            if (pte_uffd_wp(pte)) flags |= PM_UFFD_WP;
        } else if (!pte_none(pte) && (pte_swp_uffd_wp(pte) || is_uffd_wp_pte_marker(pte))) {
            flags |= PM_UFFD_WP; // non-present hugetlb entries never get PM_SWAP
        }
        for (let a = addr; a < next; a += PAGE_SIZE) {
            emit(a, frame | flags);
            if (frame !== 0n) frame++;
        }
        return 0;
    },
};

const walkRange = (start, end) => {
    vma = null;
    const r = walk_page_range(mm, start, end, ops, null);
    if (r !== 0) throw new Error('pagemap: walk_page_range returned ' + r);
};

if (args.length >= 2) {
    const start = Math.floor(parseAddr(args[0], 'start') / PAGE_SIZE) * PAGE_SIZE;
    const end = Math.ceil(parseAddr(args[1], 'end') / PAGE_SIZE) * PAGE_SIZE;
    if (end < start) throw new Error('pagemap: end 0x' + end.toString(16) + ' is below start 0x' + start.toString(16));
    walkRange(start, end);
} else if (args.length === 1) {
    throw new Error('pagemap: give START and END, or nothing for every VMA');
} else {
    for (const v of mm.vmas) walkRange(v.vm_start, v.vm_end);
}
const hex16 = (v) => v.toString(16).padStart(16, '0');
if (addrs.length > 0) print(addrs.map((a, i) => hex16(a) + ' ' + hex16(entries[i])).join('\n'));
