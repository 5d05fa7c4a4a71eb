// /proc/PID/smaps from the page tables: every VMA (then the gate VMA, [vsyscall], as show_smap()
// lists it) with every field in the kernel's format and order. The accounting is in
// smaps-accounting.js (the manifest includes it).
smaps_require_mm('smaps');
const smaps_lines = [];
const smaps_vmas = mm.vmas;
const gate = get_gate_vma(mm);
if (gate !== null) smaps_vmas.push(gate);
for (const vma of smaps_vmas) {
    const mss = smaps_walk_vma(vma, mem_size_stats());
    smaps_lines.push(show_map_vma_of(vma));
    smaps_lines.push(smaps_kb('Size:           ', vma.vm_end - vma.vm_start));
    smaps_lines.push(smaps_kb('KernelPageSize: ', vma_kernel_pagesize(vma)));
    smaps_lines.push(smaps_kb('MMUPageSize:    ', vma_mmu_pagesize(vma)));
    show_smap_fields(smaps_lines, mss, false);
    const thp = thp_eligible(vma);
    smaps_lines.push('THPeligible:    ' + String(thp < 0 ? '?' : thp).padStart(8, ' '));
    smaps_lines.push('VmFlags: ' + show_smap_vma_flags(vma));
}
if (smaps_lines.length > 0) print(smaps_lines.join('\n'));
