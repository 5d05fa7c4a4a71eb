// /proc/PID/smaps_rollup: the smaps counters of every VMA summed into one mem_size_stats (the
// gate VMA is not in the mm's tree and is not counted), the header spanning the first VMA's start
// to the last VMA's end. The accounting is the smaps plugin's smaps-accounting.js (included).
smaps_require_mm('smaps_rollup');
const rollup_vmas = mm.vmas;
const total = mem_size_stats();
for (const vma of rollup_vmas) {
    smaps_walk_vma(vma, total);
}
const rollup_lines = [];
const first = rollup_vmas.length > 0 ? rollup_vmas[0].vm_start : 0;
const last = rollup_vmas.length > 0 ? rollup_vmas[rollup_vmas.length - 1].vm_end : 0;
rollup_lines.push(show_map_vma(first, last, 0n, 0, 0, 0, '[rollup]'));
show_smap_fields(rollup_lines, total, true);
print(rollup_lines.join('\n'));
