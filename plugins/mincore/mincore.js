// mincore(2) from the page tables: the residency vector the system call returns for a range of
// the process, computed as mm/mincore.c does (do_mincore per VMA, mincore_pte_range,
// mincore_unmapped_range, mincore_hugetlb).
//
//   mincore START LENGTH      (hex with 0x, or decimal), like mincore(start, length, vec)
//
// Output: one line, the vector as 0/1 per page separated by spaces. The system call's errors are
// one line: "mincore: -EINVAL: ..." (unaligned start), "mincore: -ENOMEM: ..." (part of the
// range not mapped, or beyond the user address space).
if (typeof mm === 'undefined') throw new Error('mincore needs an address space (--pid or --snapshot)');

const num = (s, what) => {
    const t = String(s).trim();
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new Error('mincore: ' + what + ' "' + s + '" is not a number');
    return BigInt(t);
};
if (args.length !== 2) throw new Error('mincore: give START LENGTH');
const start = num(args[0], 'start');
const len = num(args[1], 'length');
const hex = (v) => '0x' + v.toString(16);
// x86-64 TASK_SIZE_MAX with 4-level paging: what access_ok() accepts.
const TASK_SIZE = (1n << 47n) - BigInt(PAGE_SIZE);

if (start % BigInt(PAGE_SIZE) !== 0n) throw new Error('mincore: -EINVAL: start ' + hex(start) + ' is not page aligned');
if (start + len > TASK_SIZE) throw new Error('mincore: -ENOMEM: ' + hex(start) + '+' + hex(len) + ' is beyond the user address space');

const vec = [];
// __mincore_unmapped_range(): no PTE (or a PTE marker such as a guard): a file page is resident
// if the page cache holds it, anonymous memory is not.
function unmapped(vma, addr, end) {
    for (let a = addr; a < end; a += PAGE_SIZE) {
        const file = vma.vm_file;
        vec.push(file ? (mincore_page(file, (a - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff) ? 1 : 0) : 0);
    }
}

let curVma = null;
const ops = {
    walk_lock: PGWALK_RDLOCK,
    pmd_entry(pmd, addr, next, walk) {
        if (pmd_trans_huge(pmd) || is_pmd_migration_entry(pmd)) { // pmd_trans_huge_lock(): all resident
            walk.action = ACTION_CONTINUE;
            for (let a = addr; a < next; a += PAGE_SIZE) vec.push(1);
        }
        return 0;
    },
    pte_entry(pte, addr, next, walk) {
        if (pte_none(pte) || is_pte_marker(pte)) { // pte_none_mostly()
            unmapped(curVma, addr, next);
        } else if (pte_present(pte)) {
            vec.push(1);
        } else {
            // Migration and hwpoison entries are "always uptodate". Whether a swapped-out page is
            // still in the swap cache is not visible to userspace: counted as not resident.
            vec.push(non_swap_entry(pte_to_swp_entry(pte)) ? 1 : 0);
        }
        return 0;
    },
    pte_hole(addr, next, depth, walk) {
        unmapped(curVma, addr, next);
        return 0;
    },
    hugetlb_entry(pte, hmask, addr, next, walk) {
        const present = !pte_none(pte) && !is_pte_marker(pte);
        for (let a = addr; a < next; a += PAGE_SIZE) vec.push(present ? 1 : 0);
        return 0;
    },
};

// The syscall: VMA by VMA from start, -ENOMEM at the first address no VMA covers.
const pages = (len + BigInt(PAGE_SIZE) - 1n) / BigInt(PAGE_SIZE);
let addr = Number(start);
const end = Number(start + pages * BigInt(PAGE_SIZE));
while (addr < end) {
    const vma = find_vma(mm, addr);
    if (vma === null || vma.vm_start > addr) {
        throw new Error('mincore: -ENOMEM: ' + hex(BigInt(addr)) + ' is not mapped (after ' + vec.length + ' pages)');
    }
    const stop = Math.min(vma.vm_end, end);
    curVma = vma;
    // can_do_mincore() is always true for the root user pagewalk reads processes as.
    const r = walk_page_range(mm, addr, stop, ops, null);
    if (r < 0) throw new Error('mincore: walk_page_range returned ' + r);
    addr = stop;
}
print(vec.join(' '));
