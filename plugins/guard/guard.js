// guard: MADV_GUARD_INSTALL / MADV_GUARD_REMOVE (mm/madvise.c) on the model.
//
// args: install|remove START LEN   (START page-aligned; LEN rounded up to pages; hex 0x... or decimal)
//
// Prints what madvise would return, as strace shows it:
//   madvise(0x7f..., 0x4000, MADV_GUARD_INSTALL) = 0
'use strict';

const fail = (msg) => { throw new Error('guard: ' + msg); };
if (args.length !== 3 || (args[0] !== 'install' && args[0] !== 'remove')) {
    fail('usage: install|remove START LEN');
}
const num = (s, what) => {
    if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s)) fail(what + ' must be a number (decimal or 0x hex), got ' + s);
    const v = Number(BigInt(s));
    if (!Number.isSafeInteger(v)) fail(what + ' out of range: ' + s);
    return v;
};
const install = args[0] === 'install';
const start = num(args[1], 'START');
const lenIn = num(args[2], 'LEN');

const GUARD = make_pte_marker(PTE_MARKER_GUARD);
const MAX_MADVISE_GUARD_RETRIES = 3;

// is_valid_guard_vma(): not on special mappings or hugetlb, and install not on mlocked VMAs.
function validGuardVma(vma, allowLocked) {
    let disallowed = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB;
    if (!allowLocked) disallowed |= VM_LOCKED;
    return (vma.vm_flags & disallowed) === 0n;
}

// guard_install_*: a huge entry in the way makes the walk return 1 (zap and retry); a populated
// PTE too, unless it already is a guard marker; an empty PTE gets the marker through install_pte.
const installOps = {
    walk_lock: PGWALK_RDLOCK,
    pud_entry(pud, addr, next, walk) { return pud_trans_huge(pud) ? 1 : 0; },
    pmd_entry(pmd, addr, next, walk) { return pmd_trans_huge(pmd) ? 1 : 0; },
    pte_entry(pte, addr, next, walk) {
        if (is_guard_pte_marker(pte)) {
            walk.private.nr++;
            return 0;
        }
        return 1;
    },
    install_pte(addr, next, ptep, walk) {
        ptep.value = GUARD;
        walk.private.nr++;
        return 0;
    },
};

// guard_remove_*: huge entries hold no markers; a guard marker is cleared.
const removeOps = {
    walk_lock: PGWALK_RDLOCK,
    pud_entry(pud, addr, next, walk) { if (pud_trans_huge(pud)) walk.action = ACTION_CONTINUE; return 0; },
    pmd_entry(pmd, addr, next, walk) { if (pmd_trans_huge(pmd)) walk.action = ACTION_CONTINUE; return 0; },
    pte_entry(pte, addr, next, walk) {
        if (is_guard_pte_marker(pte)) set_pte_at(walk.mm, addr, 0n);
        return 0;
    },
};

function guardInstall(vma, s, e) {
    if (!validGuardVma(vma, false)) return -EINVAL;
    // The kernel marks the VMA (VM_MAYBE_GUARD, "gu" in smaps) before it installs anything.
    vma = vm_flags_set(vma, VM_MAYBE_GUARD);
    for (;;) {
        // madvise restarts the system call after MAX_MADVISE_GUARD_RETRIES rounds of zapping;
        // the model has no concurrent faults, so the rounds always converge.
        for (let i = 0; i < MAX_MADVISE_GUARD_RETRIES; i++) {
            const st = { nr: 0 };
            const err = walk_page_range_mm(mm, s, e, installOps, st);
            if (err < 0) return err;
            if (err === 0) {
                if (st.nr !== (e - s) / PAGE_SIZE) fail('internal: ' + st.nr + ' markers for ' + (e - s) / PAGE_SIZE + ' pages');
                return 0;
            }
            zap_page_range_single(vma, s, e - s);
        }
    }
}

function guardRemove(vma, s, e) {
    if (!validGuardVma(vma, true)) return -EINVAL;
    return walk_page_range_vma(vma, s, e, removeOps, null);
}

// madvise(): the argument checks, then every VMA of the range; a gap gives -ENOMEM at the end.
function madvise(s, lenIn) {
    if (s % PAGE_SIZE !== 0) return -EINVAL;
    const len = Math.ceil(lenIn / PAGE_SIZE) * PAGE_SIZE;
    const e = s + len;
    if (e < s) return -EINVAL;
    if (e === s) return 0;
    let unmapped = false;
    let addr = s;
    while (addr < e) {
        const vma = find_vma(mm, addr);
        if (vma === null || vma.vm_start >= e) {
            unmapped = true;
            break;
        }
        if (vma.vm_start > addr) {
            unmapped = true;
            addr = vma.vm_start;
        }
        const ve = Math.min(vma.vm_end, e);
        const err = install ? guardInstall(vma, addr, ve) : guardRemove(vma, addr, ve);
        if (err < 0) return err;
        addr = ve;
    }
    return unmapped ? -ENOMEM : 0;
}

const errnoNames = { [EINVAL]: 'EINVAL', [ENOMEM]: 'ENOMEM', [EINTR]: 'EINTR' };
const rc = madvise(start, lenIn);
console.log('madvise(0x' + start.toString(16) + ', 0x' + lenIn.toString(16) + ', MADV_GUARD_' + (install ? 'INSTALL' : 'REMOVE')
    + ') = ' + (rc === 0 ? '0' : '-1 ' + (errnoNames[-rc] || String(-rc))));
