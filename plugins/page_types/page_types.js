// page_types: the summary of tools/mm/page-types -p PID [-r] [-a RANGE] from the model: every
// page the process maps (what its pagemap shows present with a PFN, or swapped), grouped by
// flag combination. Flags are the model's folio flags, which are /proc/kpageflags' numbering.
//
// args: [-r|--raw] [-a|--addr N | N+M | N,M | N, | ,M]   (addresses in pages, as page-types)
'use strict';

const M64 = (1n << 64n) - 1n;
const bit = (n) => 1n << BigInt(n);

// page-types' own table: letter and long name per bit; bits 47-63 are its own expansions.
const NAMES = [];
[[KPF_LOCKED, 'L:locked'], [KPF_ERROR, 'E:error'], [KPF_REFERENCED, 'R:referenced'], [KPF_UPTODATE, 'U:uptodate'],
    [KPF_DIRTY, 'D:dirty'], [KPF_LRU, 'l:lru'], [KPF_ACTIVE, 'A:active'], [KPF_SLAB, 'S:slab'],
    [KPF_WRITEBACK, 'W:writeback'], [KPF_RECLAIM, 'I:reclaim'], [KPF_BUDDY, 'B:buddy'], [KPF_MMAP, 'M:mmap'],
    [KPF_ANON, 'a:anonymous'], [KPF_SWAPCACHE, 's:swapcache'], [KPF_SWAPBACKED, 'b:swapbacked'],
    [KPF_COMPOUND_HEAD, 'H:compound_head'], [KPF_COMPOUND_TAIL, 'T:compound_tail'], [KPF_HUGE, 'G:huge'],
    [KPF_UNEVICTABLE, 'u:unevictable'], [KPF_HWPOISON, 'X:hwpoison'], [KPF_NOPAGE, 'n:nopage'], [KPF_KSM, 'x:ksm'],
    [KPF_THP, 't:thp'], [KPF_OFFLINE, 'o:offline'], [KPF_PGTABLE, 'g:pgtable'], [KPF_ZERO_PAGE, 'z:zero_page'],
    [KPF_IDLE, 'i:idle_page'], [KPF_RESERVED, 'r:reserved'], [KPF_MLOCKED, 'm:mlocked'], [KPF_OWNER_2, 'd:owner_2'],
    [KPF_PRIVATE, 'P:private'], [KPF_PRIVATE_2, 'p:private_2'], [KPF_OWNER_PRIVATE, 'O:owner_private'],
    [KPF_ARCH, 'h:arch'], [KPF_UNCACHED, 'c:uncached'], [KPF_SOFTDIRTY, 'f:softdirty'], [KPF_ARCH_2, 'H:arch_2'],
    [47, 'd:anon_exclusive'], [48, 'I:readahead'], [50, 'A:slub_frozen'], [51, 'E:slub_debug'],
    [61, 'F:file'], [62, 'w:swap'], [63, '1:mmap_exclusive']].forEach(([b, n]) => { NAMES[b] = n; });
const ANON_EXCLUSIVE = bit(47), READAHEAD = bit(48), SLUB_FROZEN = bit(50), SLUB_DEBUG = bit(51),
    FILE = bit(61), SWAP = bit(62), MMAP_EXCLUSIVE = bit(63);
const HACKERS_BITS = 0xffffn << 32n;
const BITS_COMPOUND = bit(KPF_COMPOUND_HEAD) | bit(KPF_COMPOUND_TAIL);

// ---- arguments
let raw = false;
let ranges = [];
const fail = (msg) => { throw new Error('page_types: ' + msg); };
const parseNumber = (s) => {
    const t = s.trim();
    if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(t)) fail('invalid name or number: ' + s);
    return t.length > 1 && t[0] === '0' && t[1] !== 'x' && t[1] !== 'X' ? parseInt(t, 8) : Number(t);
};
for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-r' || a === '--raw') {
        raw = true;
    } else if (a === '-a' || a === '--addr') {
        const spec = args[++i];
        if (spec === undefined) fail('-a needs an addr-spec');
        let p = spec.indexOf(',');
        if (p < 0) p = spec.indexOf('+');
        let offset, size;
        if (p === 0) {
            offset = 0; size = parseNumber(spec.slice(1));
        } else if (p > 0) {
            offset = parseNumber(spec.slice(0, p));
            if (p === spec.length - 1) {
                size = Infinity;
            } else {
                size = parseNumber(spec.slice(p + 1));
                if (spec[p] === ',') {
                    if (size < offset) fail('invalid range: ' + spec);
                    size -= offset;
                }
            }
        } else {
            offset = parseNumber(spec); size = 1;
        }
        ranges.push([offset, offset + size]);
    } else {
        fail('unknown argument ' + a + ' (supported: -r, -a addr-spec)');
    }
}
if (ranges.length === 0) ranges = [[0, Infinity]];

// ---- flag transforms (page-types' kpageflags_flags)
function expandOverloaded(flags, pme) {
    if ((flags & bit(KPF_ANON)) && (flags & bit(KPF_OWNER_2))) flags ^= bit(KPF_OWNER_2) | ANON_EXCLUSIVE;
    if (flags & bit(KPF_SLAB)) {
        if (flags & bit(KPF_ACTIVE)) flags ^= bit(KPF_ACTIVE) | SLUB_FROZEN;
        if (flags & bit(KPF_ERROR)) flags ^= bit(KPF_ERROR) | SLUB_DEBUG;
    }
    if ((flags & (bit(KPF_RECLAIM) | bit(KPF_WRITEBACK))) === bit(KPF_RECLAIM)) flags ^= bit(KPF_RECLAIM) | READAHEAD;
    return flags | pme;
}
function wellKnown(flags) {
    flags &= ~HACKERS_BITS;
    if ((flags & BITS_COMPOUND) && !(flags & bit(KPF_HUGE))) flags &= ~BITS_COMPOUND;
    return flags;
}
const pageFlags = (flags, pme) => raw ? expandOverloaded(flags, pme) : wellKnown(flags);

// ---- the summary table, in page-types' hash-slot order
const HASH_SIZE = 8192;
const slotFlags = new Array(HASH_SIZE).fill(null);
const slotPages = new Float64Array(HASH_SIZE);
let total = 0;
function hashSlot(flags) {
    if (flags === 0n) return 0;
    let k = Number(flags & BigInt(HASH_SIZE - 1));
    for (let i = 1; i < HASH_SIZE; i++, k++) {
        if (!k || k >= HASH_SIZE) k = 1;
        if (slotFlags[k] === null) { slotFlags[k] = flags; return k; }
        if (slotFlags[k] === flags) return k;
    }
    fail('hash table full');
}
// The hooks note each page's flags; they go into the table after each walk, so that the hooks
// index no arrays and are compiled (see --explain).
const seen = [];
function addPage(flags) {
    seen.push(flags);
}
function countSeen() {
    for (const flags of seen) {
        slotPages[hashSlot(flags)]++;
        total++;
    }
    seen.length = 0;
}

// pagemap's view of a page: PM_FILE unless anonymous, PM_MMAP_EXCLUSIVE when mapped once,
// soft-dirty from the entry (only page-types' raw mode looks at these).
function presentPage(pfn, softDirty) {
    if (pfn === 0) return; // page-types skips PFN 0
    let pme = softDirty ? bit(KPF_SOFTDIRTY) : 0n;
    const f = page_flags(pfn);
    if (raw) {
        const folio = page_folio(pfn);
        if (folio !== null) {
            if (!folio_test_anon(folio)) pme |= FILE;
            if (page_mapcount(pfn) === 1) pme |= MMAP_EXCLUSIVE;
        }
    }
    addPage(pageFlags(f, pme));
}
function swapPage(softDirty, migrationPfn) {
    let pme = SWAP | (softDirty ? bit(KPF_SOFTDIRTY) : 0n);
    if (migrationPfn >= 0 && raw) {
        const folio = page_folio(migrationPfn);
        if (folio !== null && !folio_test_anon(folio)) pme |= FILE;
    }
    addPage(pageFlags(0n, pme));
}

const ops = {
    walk_lock: PGWALK_RDLOCK,
    pmd_entry(pmd, addr, next, walk) {
        if (pmd_present(pmd) && pmd_trans_huge(pmd)) {
            const first = pmd_pfn(pmd) + Math.floor((addr % PMD_SIZE) / PAGE_SIZE);
            for (let a = addr, i = 0; a < next; a += PAGE_SIZE, i++) presentPage(first + i, pmd_soft_dirty(pmd));
            walk.action = ACTION_CONTINUE;
        } else if (is_swap_pmd(pmd)) {
            const e = pmd_to_swp_entry(pmd);
            const pfn = is_pfn_swap_entry(e) ? swp_offset_pfn(e) + Math.floor((addr % PMD_SIZE) / PAGE_SIZE) : -1;
            for (let a = addr, i = 0; a < next; a += PAGE_SIZE, i++) swapPage(pte_swp_soft_dirty(pmd), pfn < 0 ? -1 : pfn + i);
            walk.action = ACTION_CONTINUE;
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (pte_present(pte)) {
            presentPage(pte_pfn(pte), pte_soft_dirty(pte));
        } else if (is_swap_pte(pte)) {
            const e = pte_to_swp_entry(pte);
            swapPage(pte_swp_soft_dirty(pte), is_pfn_swap_entry(e) ? swp_offset_pfn(e) : -1);
        }
        return 0;
    },
    hugetlb_entry(pte, hmask, addr, next, walk) {
        if (pte_present(pte)) {
            const size = Number((~hmask + 1n) & M64);
            const first = pmd_pfn(pte) + Math.floor((addr % size) / PAGE_SIZE);
            for (let a = addr, i = 0; a < next; a += PAGE_SIZE, i++) presentPage(first + i, false);
        }
        return 0;
    },
};

// walk_task(): every VMA of /proc/PID/maps, clipped to the ranges (page units).
for (const [from, to] of ranges) {
    for_each_vma(mm, (vma) => {
        const start = Math.max(vma.vm_start / PAGE_SIZE, from);
        const end = Math.min(vma.vm_end / PAGE_SIZE, to);
        if (start < end) {
            walk_page_range_vma(vma, start * PAGE_SIZE, end * PAGE_SIZE, ops, null);
            countSeen();
        }
    });
}

// ---- output (show_summary)
function flagName(flags) {
    let s = '';
    for (let i = 0; i < 64; i++) {
        const present = (flags >> BigInt(i)) & 1n;
        if (NAMES[i] === undefined) {
            if (present) fail('unknown flag bit ' + i);
            continue;
        }
        s += present ? NAMES[i][0] : '_';
    }
    return s;
}
function flagLongName(flags) {
    const out = [];
    for (let i = 0; i < 64; i++) {
        if (NAMES[i] !== undefined && ((flags >> BigInt(i)) & 1n)) out.push(NAMES[i].slice(2));
    }
    return out.join(',');
}
const mb = (pages) => Math.floor(pages * PAGE_SIZE / (1 << 20));
const pad = (v, w) => String(v).padStart(w, ' ');
const lines = ['             flags\tpage-count       MB  symbolic-flags\t\t\tlong-symbolic-flags'];
for (let i = 0; i < HASH_SIZE; i++) {
    if (slotPages[i]) {
        const f = i === 0 ? 0n : slotFlags[i];
        lines.push('0x' + f.toString(16).padStart(16, '0') + '\t' + pad(slotPages[i], 10) + ' ' + pad(mb(slotPages[i]), 8)
            + '  ' + flagName(f) + '\t' + flagLongName(f));
    }
}
lines.push('             total\t' + pad(total, 10) + ' ' + pad(mb(total), 8));
console.log(lines.join('\n'));
