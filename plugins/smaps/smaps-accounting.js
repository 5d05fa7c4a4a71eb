// The accounting of /proc/PID/smaps and smaps_rollup, as fs/proc/task_mmu.c does it
// (smaps_pte_entry, smaps_pmd_entry, smaps_account, smaps_page_accumulate, smaps_hugetlb_range,
// __show_smap) and as runtime's reports.Smaps does it in Java: the two must print the same bytes.
// Shared by the smaps and smaps_rollup plugins through their manifests' "include" (the sandbox has
// no load()): top-level declarations here are visible to the main script of either plugin.

// Pss, Pss_Dirty, SwapPss and Locked are summed in 12-bit fixed point (PSS_SHIFT) and truncated
// only when printed. A page is 4096 << 12 = 2^24 units; Numbers stay exact up to 2^53 (2 TiB of Pss).
const PSS_ONE = 1 << 12;

// struct mem_size_stats: byte counts; pss* and swapPss in fixed point.
function mem_size_stats() {
    return {
        resident: 0, sharedClean: 0, sharedDirty: 0, privateClean: 0, privateDirty: 0, referenced: 0,
        anonymous: 0, lazyfree: 0, anonymousThp: 0, shmemThp: 0, fileThp: 0, swap: 0, ksm: 0,
        sharedHugetlb: 0, privateHugetlb: 0,
        pss: 0, pssAnon: 0, pssFile: 0, pssShmem: 0, pssDirty: 0, pssLocked: 0, swapPss: 0,
    };
}

// The walk's state: the hooks run often, so they read these instead of crossing to walk.private
// and walk.vma for every entry. smaps_walk_vma() sets them.
let smaps_mss = null;
let smaps_vma = null;
let smaps_locked = false;

function smaps_page_accumulate(mss, anon, swapbacked, size, pss, dirty, locked, isPrivate) {
    mss.pss += pss;
    if (anon) {
        mss.pssAnon += pss;
    } else if (swapbacked) {
        mss.pssShmem += pss;
    } else {
        mss.pssFile += pss;
    }
    if (locked) mss.pssLocked += pss;
    if (dirty) {
        mss.pssDirty += pss;
        if (isPrivate) mss.privateDirty += size; else mss.sharedDirty += size;
    } else if (isPrivate) {
        mss.privateClean += size;
    } else {
        mss.sharedClean += size;
    }
}

// The folio flags smaps_account() tests, as bits of page_flags() (KPF numbering). One host call
// for all of them instead of one per folio_test_*(): the walk crosses into Java per PTE, and each
// crossing costs more than the accounting itself.
const SMAPS_ANON = 1n << BigInt(KPF_ANON);
const SMAPS_SWAPBACKED = 1n << BigInt(KPF_SWAPBACKED);
const SMAPS_DIRTY = 1n << BigInt(KPF_DIRTY);
const SMAPS_KSM = 1n << BigInt(KPF_KSM);
const SMAPS_REFERENCED = 1n << BigInt(KPF_REFERENCED);
const SMAPS_TAIL = 1n << BigInt(KPF_COMPOUND_TAIL);
const SMAPS_NOPAGE = 1n << BigInt(KPF_NOPAGE);

// smaps_account() for the folio whose head page has these flags, nr pages from pfn. The kernel's
// folio_ref_count() == 1 shortcut is left out (the model's refcount is not what userspace sees);
// for a page mapped once the per-page loop gives the same numbers.
function smaps_account(mss, flags, pfn, nr, young, dirty, locked, present) {
    const size = nr * PAGE_SIZE;
    const anon = (flags & SMAPS_ANON) !== 0n;
    const swapbacked = (flags & SMAPS_SWAPBACKED) !== 0n;
    const folioDirty = (flags & SMAPS_DIRTY) !== 0n;
    if (anon) {
        mss.anonymous += size;
        if (!swapbacked && !dirty && !folioDirty) mss.lazyfree += size;
    }
    if ((flags & SMAPS_KSM) !== 0n) mss.ksm += size;
    mss.resident += size;
    if (young || (flags & SMAPS_REFERENCED) !== 0n) mss.referenced += size;
    if (!present) {
        // A migration entry: "maybe shared, but not sure how often", counted whole and shared.
        smaps_page_accumulate(mss, anon, swapbacked, size, size * PSS_ONE, dirty || folioDirty, locked, false);
        return;
    }
    for (let i = 0; i < nr; i++) {
        const mapcount = page_mapcount(pfn + i); // folio_precise_page_mapcount()
        let pss = PAGE_SIZE * PSS_ONE;
        if (mapcount >= 2) pss = Math.floor(pss / mapcount);
        smaps_page_accumulate(mss, anon, swapbacked, PAGE_SIZE, pss, dirty || folioDirty, locked, mapcount < 2);
    }
}

const smaps_walk_ops = {
    // PMD leaves (THP, PMD migration entries) are accounted whole; page tables go on to pte_entry.
    pmd_entry(pmd, addr, next, walk) {
        if (!pmd_trans_huge(pmd) && !is_pmd_migration_entry(pmd)) return 0;
        walk.action = ACTION_CONTINUE;
        const mss = smaps_mss;
        const present = pmd_present(pmd);
        const pfn = present ? vm_normal_page_pmd(smaps_vma, addr, pmd) : swp_offset_pfn(pmd_to_swp_entry(pmd));
        const folio = pfn >= 0 ? page_folio(pfn) : null; // null: the huge zero page
        if (folio === null) return 0;
        const flags = page_flags(folio.pfn);
        if ((flags & SMAPS_ANON) !== 0n) {
            mss.anonymousThp += PMD_SIZE;
        } else if ((flags & SMAPS_SWAPBACKED) !== 0n) {
            mss.shmemThp += PMD_SIZE;
        } else {
            mss.fileThp += PMD_SIZE;
        }
        smaps_account(mss, flags, folio.pfn, folio.nr_pages, pmd_young(pmd), pmd_dirty(pmd),
            smaps_locked, present);
        return 0;
    },

    pte_entry(pte, addr, next, walk) {
        const mss = smaps_mss;
        let pfn = -1;
        let present = false;
        let young = false;
        let dirty = false;
        if (pte_present(pte)) {
            pfn = vm_normal_page(smaps_vma, addr, pte); // -1 for the zero page and raw PFNs
            young = pte_young(pte);
            dirty = pte_dirty(pte);
            present = true;
        } else if (is_swap_pte(pte)) {
            const entry = pte_to_swp_entry(pte);
            if (!non_swap_entry(entry)) {
                // swp_swapcount() is not visible to userspace: every swap entry counts as unshared.
                mss.swap += PAGE_SIZE;
                mss.swapPss += PAGE_SIZE * PSS_ONE;
            } else if (is_pfn_swap_entry(entry)) {
                present = is_device_private_entry(entry);
                pfn = swp_offset_pfn(entry);
            }
            // PTE markers (guard, uffd-wp) count for nothing.
        }
        if (pfn < 0) return 0;
        let flags = page_flags(pfn);
        if ((flags & (SMAPS_TAIL | SMAPS_NOPAGE)) !== 0n) {
            // A tail page: the folio's flags are its head's. No page at all: nothing to count.
            const folio = page_folio(pfn);
            if (folio === null) return 0;
            flags = page_flags(folio.pfn);
        }
        smaps_account(mss, flags, pfn, 1, young, dirty, smaps_locked, present);
        return 0;
    },

    // hugetlb pages are only in Shared_Hugetlb/Private_Hugetlb, never in Rss or Pss.
    hugetlb_entry(pte, hmask, addr, next, walk) {
        let pfn = -1;
        let present = false;
        if (pte_present(pte)) {
            pfn = pte_pfn(pte);
            present = true;
        } else if (is_swap_pte(pte)) {
            const entry = pte_to_swp_entry(pte);
            if (is_pfn_swap_entry(entry)) pfn = swp_offset_pfn(entry);
        }
        if (pfn < 0) return 0;
        const folio = page_folio(pfn);
        const size = vma_kernel_pagesize(smaps_vma);
        if (!present || folio === null || folio_maybe_mapped_shared(folio)) {
            smaps_mss.sharedHugetlb += size;
        } else {
            smaps_mss.privateHugetlb += size;
        }
        return 0;
    },
};

// Adds one VMA's pages to mss (smap_gather_stats()).
function smaps_walk_vma(vma, mss) {
    smaps_mss = mss;
    smaps_vma = vma;
    smaps_locked = (vma.vm_flags & VM_LOCKED) !== 0n;
    const err = walk_page_vma(vma, smaps_walk_ops, null);
    if (err !== 0) throw new Error('smaps: walk_page_vma of ' + vma.vm_start.toString(16) + ' returned ' + err);
    return mss;
}

// ---- printing, in the kernel's format

const smaps_hex = (v, width) => v.toString(16).padStart(width, '0');

// show_map_vma(): start-end perms offset major:minor inode, the name after padding to 72 + 1.
function show_map_vma(start, end, flags, offset, dev, inode, name) {
    let line = smaps_hex(start, 8) + '-' + smaps_hex(end, 8) + ' '
        + ((flags & VM_READ) !== 0n ? 'r' : '-') + ((flags & VM_WRITE) !== 0n ? 'w' : '-')
        + ((flags & VM_EXEC) !== 0n ? 'x' : '-') + ((flags & VM_MAYSHARE) !== 0n ? 's' : 'p') + ' '
        + smaps_hex(offset, 8) + ' ' + smaps_hex(MAJOR(dev), 2) + ':' + smaps_hex(MINOR(dev), 2) + ' ' + inode + ' ';
    if (name) line = line.padEnd(72, ' ') + ' ' + name;
    return line;
}

function show_map_vma_of(vma) {
    const file = vma.vm_file;
    return show_map_vma(vma.vm_start, vma.vm_end, vma.vm_flags, file ? vma.vm_pgoff * PAGE_SIZE : 0,
        file ? file_dev(file) : 0, file ? file.inode : 0, vma.name);
}

// SEQ_PUT_DEC: the value in kB, right-aligned in 8 columns after the label.
const smaps_kb = (label, bytes, width = 8) => label + String(Math.floor(bytes / 1024)).padStart(width, ' ') + ' kB';
const smaps_pss = (fixed) => Math.floor(fixed / PSS_ONE);

// __show_smap(): the counters, in the kernel's order; rollup adds Pss_Anon/File/Shmem.
function show_smap_fields(lines, m, rollup) {
    lines.push(smaps_kb('Rss:            ', m.resident));
    lines.push(smaps_kb('Pss:            ', smaps_pss(m.pss)));
    lines.push(smaps_kb('Pss_Dirty:      ', smaps_pss(m.pssDirty)));
    if (rollup) {
        lines.push(smaps_kb('Pss_Anon:       ', smaps_pss(m.pssAnon)));
        lines.push(smaps_kb('Pss_File:       ', smaps_pss(m.pssFile)));
        lines.push(smaps_kb('Pss_Shmem:      ', smaps_pss(m.pssShmem)));
    }
    lines.push(smaps_kb('Shared_Clean:   ', m.sharedClean));
    lines.push(smaps_kb('Shared_Dirty:   ', m.sharedDirty));
    lines.push(smaps_kb('Private_Clean:  ', m.privateClean));
    lines.push(smaps_kb('Private_Dirty:  ', m.privateDirty));
    lines.push(smaps_kb('Referenced:     ', m.referenced));
    lines.push(smaps_kb('Anonymous:      ', m.anonymous));
    lines.push(smaps_kb('KSM:            ', m.ksm));
    lines.push(smaps_kb('LazyFree:       ', m.lazyfree));
    lines.push(smaps_kb('AnonHugePages:  ', m.anonymousThp));
    lines.push(smaps_kb('ShmemPmdMapped: ', m.shmemThp));
    lines.push(smaps_kb('FilePmdMapped:  ', m.fileThp));
    lines.push(smaps_kb('Shared_Hugetlb: ', m.sharedHugetlb));
    lines.push(smaps_kb('Private_Hugetlb: ', m.privateHugetlb, 7));
    lines.push(smaps_kb('Swap:           ', m.swap));
    lines.push(smaps_kb('SwapPss:        ', smaps_pss(m.swapPss)));
    lines.push(smaps_kb('Locked:         ', smaps_pss(m.pssLocked)));
}

function smaps_require_mm(plugin) {
    if (typeof mm === 'undefined') throw new Error(plugin + ' needs an address space (--pid or --snapshot)');
}
