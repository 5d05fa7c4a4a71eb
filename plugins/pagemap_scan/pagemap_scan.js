// The PAGEMAP_SCAN ioctl (Linux 6.7+) from the page tables: the regions and categories one call
// with the given masks returns, computed as fs/proc/task_mmu.c does (pagemap_scan_test_walk,
// pagemap_scan_pmd_entry, pagemap_scan_thp_entry, pagemap_scan_pte_hole, pagemap_scan_output).
//
//   pagemap_scan START END [mask=X] [anyof=X] [inverted=X] [return=X] [max_pages=N] [vec_len=N] [flags=X]
//
// Defaults: no masks, return=0x1ff (every category), max_pages=0 (no limit), vec_len=1024.
// Output: one line per region "START-END CATEGORIES NAMES" (hex), then "walk_end ADDR ret N".
// Errors are the ioctl's: one line "pagemap_scan: -EINVAL: why" (or -EFAULT, -EPERM).
if (typeof mm === 'undefined') throw new Error('pagemap_scan needs an address space (--pid or --snapshot)');

const PAGE_IS_WPALLOWED = 1 << 0;
const PAGE_IS_WRITTEN = 1 << 1;
const PAGE_IS_FILE = 1 << 2;
const PAGE_IS_PRESENT = 1 << 3;
const PAGE_IS_SWAPPED = 1 << 4;
const PAGE_IS_PFNZERO = 1 << 5;
const PAGE_IS_HUGE = 1 << 6;
const PAGE_IS_SOFT_DIRTY = 1 << 7;
const PAGE_IS_GUARD = 1 << 8;
const PM_SCAN_CATEGORIES = (1 << 9) - 1; // bits 9 and up are unknown to 6.18: EINVAL
const PM_SCAN_WP_MATCHING = 1 << 0;
const PM_SCAN_CHECK_WPASYNC = 1 << 1;
const CATEGORY_NAMES = ['wpallowed', 'written', 'file', 'present', 'swapped', 'pfnzero', 'huge', 'soft-dirty', 'guard'];

const fail = (errno, why) => { throw new Error('pagemap_scan: -' + errno + ': ' + why); };
const num = (s, what) => {
    const t = String(s).trim();
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new Error('pagemap_scan: ' + what + ' "' + s + '" is not a number');
    const v = Number(BigInt(t));
    if (!Number.isSafeInteger(v)) throw new Error('pagemap_scan: ' + what + ' ' + t + ' is too large');
    return v;
};

if (args.length < 2) throw new Error('pagemap_scan: give START END [mask=X anyof=X inverted=X return=X max_pages=N vec_len=N flags=X]');
const arg = { start: num(args[0], 'start'), end: num(args[1], 'end'), flags: 0, inverted: 0, mask: 0, anyof: 0,
    return: PM_SCAN_CATEGORIES, max_pages: 0, vec_len: 1024 };
for (const kv of args.slice(2)) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (eq < 0 || !(key in arg) || key === 'start' || key === 'end') {
        throw new Error('pagemap_scan: unknown argument "' + kv + '" (mask= anyof= inverted= return= max_pages= vec_len= flags=)');
    }
    arg[key] = num(kv.slice(eq + 1), key);
}

// pagemap_scan_get_args()
if ((arg.flags & ~(PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC)) !== 0) fail('EINVAL', 'unknown flags 0x' + arg.flags.toString(16));
for (const k of ['inverted', 'mask', 'anyof', 'return']) {
    if (arg[k] > PM_SCAN_CATEGORIES || arg[k] < 0) fail('EINVAL', k + ' 0x' + arg[k].toString(16) + ' has unknown categories');
}
if (arg.start % PAGE_SIZE !== 0) fail('EINVAL', 'start 0x' + arg.start.toString(16) + ' is not page aligned');
if (arg.end < arg.start) fail('EFAULT', 'end is below start');
const end = Math.ceil(arg.end / PAGE_SIZE) * PAGE_SIZE;
const maxPages = arg.max_pages === 0 ? Infinity : arg.max_pages;
const interesting = arg.mask | arg.anyof | arg.inverted | arg.return; // masks_of_interest

// The regions found. The last one stays open in three variables (the next page may extend it) and
// goes to the arrays when the next one starts: the hooks push Numbers only, so they are compiled.
const starts = [];
const ends = [];
const cats = [];
let regionCount = 0;
let openStart = 0;
let openEnd = 0;
let openCategories = 0;
function closeRegion() {
    if (regionCount > starts.length) {
        starts.push(openStart);
        ends.push(openEnd);
        cats.push(openCategories);
    }
}
let foundPages = 0;
let walkEnd = 0;
let curVmaCategory = 0;
let vma = null;

// pagemap_scan_is_interesting_page()
const isInteresting = (c) => {
    c ^= arg.inverted;
    return (c & arg.mask) === arg.mask && (arg.anyof === 0 || (c & arg.anyof) !== 0);
};

// pagemap_scan_output(): appends [addr, end) (cut at max_pages, or refused when the output is
// full); returns 0 or -ENOSPC.
function output(categories, addr, regionEnd) {
    if (arg.vec_len === 0) return 0; // no output buffer: nothing is reported or counted
    categories &= arg.return;
    let nPages = (regionEnd - addr) / PAGE_SIZE;
    let ret = 0;
    if (foundPages + nPages > maxPages) {
        const tooMuch = foundPages + nPages - maxPages;
        regionEnd -= tooMuch * PAGE_SIZE;
        nPages -= tooMuch;
        ret = -ENOSPC;
    }
    if (regionCount > 0 && openEnd === addr && openCategories === categories) {
        openEnd = regionEnd;
    } else if (regionCount < arg.vec_len) {
        closeRegion();
        openStart = addr;
        openEnd = regionEnd;
        openCategories = categories;
        regionCount++;
    } else {
        regionEnd = addr;
        nPages = 0;
        ret = -ENOSPC;
    }
    foundPages += nPages;
    if (ret !== 0) walkEnd = regionEnd;
    return ret;
}

// One page or range with its categories: output it if it matches; a non-zero result stops the walk.
function visit(categories, addr, next) {
    if (!isInteresting(categories)) return 0;
    return output(categories, addr, next);
}

// pagemap_page_category(). On the 6.18.44 kernel this project runs on, a none PTE inside a PTE
// table reports PAGE_IS_WRITTEN (reference section 6.1; the newest source reports 0).
function pteCategory(pte, addr) {
    if (pte_present(pte)) {
        let c = PAGE_IS_PRESENT;
        if (!pte_uffd_wp(pte)) c |= PAGE_IS_WRITTEN;
        if ((interesting & PAGE_IS_FILE) !== 0) {
            const pfn = vm_normal_page(vma, addr, pte);
            const folio = pfn >= 0 ? page_folio(pfn) : null;
            if (folio !== null && !folio_test_anon(folio)) c |= PAGE_IS_FILE;
        }
        if (is_zero_pfn(pte_pfn(pte))) c |= PAGE_IS_PFNZERO;
        if (pte_soft_dirty(pte)) c |= PAGE_IS_SOFT_DIRTY;
        return c;
    }
    if (is_swap_pte(pte)) {
        let c = PAGE_IS_SWAPPED;
        if (!pte_swp_uffd_wp(pte) && !is_uffd_wp_pte_marker(pte)) c |= PAGE_IS_WRITTEN;
        const entry = pte_to_swp_entry(pte);
        if (is_guard_pte_marker(pte)) {
            c |= PAGE_IS_GUARD;
        } else if ((interesting & PAGE_IS_FILE) !== 0 && is_pfn_swap_entry(entry)) {
            const folio = page_folio(swp_offset_pfn(entry));
            if (folio !== null && !folio_test_anon(folio)) c |= PAGE_IS_FILE;
        }
        if (pte_swp_soft_dirty(pte)) c |= PAGE_IS_SOFT_DIRTY;
        return c;
    }
    return PAGE_IS_WRITTEN;
}

const ops = {
    // pagemap_scan_test_walk(). Whether a VMA has async uffd-wp is not visible to userspace: the
    // model treats no VMA as write-protect capable (no PAGE_IS_WPALLOWED).
    test_walk(start, vmaEnd, walk) {
        vma = walk.vma;
        if ((arg.flags & PM_SCAN_CHECK_WPASYNC) !== 0) return -EPERM;
        if ((arg.flags & PM_SCAN_WP_MATCHING) !== 0) return 1;
        if ((vma.vm_flags & VM_PFNMAP) !== 0n) return 1;
        curVmaCategory = (vma.vm_flags & VM_SOFTDIRTY) !== 0n ? PAGE_IS_SOFT_DIRTY : 0;
        const required = arg.mask & PAGE_IS_WPALLOWED;
        if (((curVmaCategory ^ arg.inverted) & required) !== required) return 1;
        return 0;
    },
    // pagemap_scan_thp_entry(); page tables go on to pte_entry.
    pmd_entry(pmd, addr, next, walk) {
        if (!pmd_trans_huge(pmd)) return 0;
        walk.action = ACTION_CONTINUE;
        let c = PAGE_IS_HUGE | PAGE_IS_PRESENT;
        if (!pmd_uffd_wp(pmd)) c |= PAGE_IS_WRITTEN;
        if ((interesting & PAGE_IS_FILE) !== 0) {
            const pfn = vm_normal_page_pmd(vma, addr, pmd);
            const folio = pfn >= 0 ? page_folio(pfn) : null;
            if (folio !== null && !folio_test_anon(folio)) c |= PAGE_IS_FILE;
        }
        if (is_huge_zero_pmd(pmd)) c |= PAGE_IS_PFNZERO;
        if (pmd_soft_dirty(pmd)) c |= PAGE_IS_SOFT_DIRTY;
        return visit(curVmaCategory | c, addr, next);
    },
    pte_entry(pte, addr, next, walk) {
        return visit(curVmaCategory | pteCategory(pte, addr), addr, next);
    },
    // pagemap_scan_pte_hole(): no page table; gaps between VMAs are never reported.
    pte_hole(addr, next, depth, walk) {
        if (walk.vma === null) return 0;
        return visit(curVmaCategory, addr, next);
    },
    hugetlb_entry(pte, hmask, addr, next, walk) {
        let c = PAGE_IS_HUGE;
        if (pte_present(pte)) {
            c |= PAGE_IS_PRESENT;
            if (!pte_uffd_wp(pte)) c |= PAGE_IS_WRITTEN;
            const folio = page_folio(pte_pfn(pte));
            if ((interesting & PAGE_IS_FILE) !== 0 && folio !== null && !folio_test_anon(folio)) c |= PAGE_IS_FILE;
            if (is_zero_pfn(pte_pfn(pte))) c |= PAGE_IS_PFNZERO;
            if (pte_soft_dirty(pte)) c |= PAGE_IS_SOFT_DIRTY;
        } else if (is_swap_pte(pte)) {
            c |= PAGE_IS_SWAPPED;
            if (!pte_swp_uffd_wp(pte) && !is_uffd_wp_pte_marker(pte)) c |= PAGE_IS_WRITTEN;
            if (pte_swp_soft_dirty(pte)) c |= PAGE_IS_SOFT_DIRTY;
        } else {
            return 0;
        }
        return visit(curVmaCategory | c, addr, next);
    },
};

let ret = 0;
if (arg.start !== end) {
    ret = walk_page_range(mm, arg.start, end, ops, null);
}
if (ret !== 0 && ret !== -ENOSPC) {
    const names = { [-EPERM]: 'EPERM', [-EINVAL]: 'EINVAL', [-EFAULT]: 'EFAULT' };
    fail(names[ret] || String(-ret), ret === -EPERM ? 'a VMA in the range has no async userfaultfd write-protection'
        : 'the walk returned ' + ret);
}
if (walkEnd === 0) walkEnd = end;
const hex = (v) => v.toString(16);
const names = (c) => CATEGORY_NAMES.filter((n, i) => (c & (1 << i)) !== 0).join('|');
closeRegion();
const lines = starts.map((s, i) => hex(s) + '-' + hex(ends[i]) + ' ' + hex(cats[i]) + (cats[i] ? ' ' + names(cats[i]) : ''));
lines.push('walk_end ' + hex(walkEnd) + ' ret ' + regionCount);
print(lines.join('\n'));
