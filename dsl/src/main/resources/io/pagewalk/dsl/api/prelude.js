// The script API of pagewalk, evaluated once per context before the user's script.
// It is one function so that the host object and the handle maps stay in its closure: a script
// sees plain JavaScript objects and functions, never a host object.
(function (host, constants) {
    'use strict';
    const G = globalThis;
    const define = (name, value) =>
        Object.defineProperty(G, name, { value, writable: false, enumerable: false, configurable: false });

    for (const [name, value] of constants) {
        define(name, value);
    }
    // No file loading and no Java interop objects, even though IOAccess.NONE and the host access
    // policy already refuse what they could do: a script has no reason to see them.
    for (const name of ['load', 'loadWithNewGlobal', 'Java', 'Packages', 'JavaImporter', 'java', 'javax', 'com',
        'org', 'edu', 'net', 'Polyglot']) {
        delete G[name];
    }

    const PAGE_SIZE = G.PAGE_SIZE;
    const M64 = (1n << 64n) - 1n;
    const u64 = (hi, lo) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

    // 64-bit results of host calls come back through this one-slot view (a host long would
    // arrive as a lossy double).
    const swapResult = new BigUint64Array(host.scratch());

    // ---- handles: plain script objects <-> host objects (kept out of the script's reach)
    const handles = new WeakMap();
    const handleOf = (o, what, fn) => {
        const h = (o !== null && typeof o === 'object') ? handles.get(o) : undefined;
        if (h === undefined) {
            throw new TypeError(fn + ': ' + what + ' expected, got ' + (o === null ? 'null' : typeof o));
        }
        return h;
    };
    const optHandle = (o, what, fn) => (o === null || o === undefined) ? null : handleOf(o, what, fn);

    const mkMapping = (h, path, inode, shmem) => {
        const m = Object.freeze({ path, inode, shmem });
        handles.set(m, h);
        return m;
    };
    const mkVma = (h, start, end, flagsHi, flagsLo, pgoff, name, file, anonymous, hugetlb) => {
        const v = Object.freeze({
            vm_start: start, vm_end: end, vm_flags: u64(flagsHi, flagsLo), vm_pgoff: pgoff,
            name, vm_file: file, anonymous, hugetlb,
        });
        handles.set(v, h);
        return v;
    };
    const mkMm = (h, pid, origin) => {
        // The system calls change only address spaces made by mm_create() (the host refuses others).
        const sys = (call, ...args) => host.mm_syscall(call, h, ...args);
        const m = {
            pid, origin,
            get vmas() { return Array.from(host.vmas(h)); },
            mmap: (addr, len, prot, flags) => sys('mmap', addr, len, prot, flags),
            munmap: (addr, len) => sys('munmap', addr, len),
            mprotect: (addr, len, prot) => sys('mprotect', addr, len, prot),
            madvise: (addr, len, advice) => sys('madvise', addr, len, advice),
            mlock: (addr, len) => sys('mlock', addr, len),
            munlock: (addr, len) => sys('munlock', addr, len),
            touch: (addr, len, write) => sys('touch', addr, len, write === true),
            fork: () => sys('fork'),
        };
        Object.freeze(m);
        handles.set(m, h);
        return m;
    };
    const mkFolio = (h, pfn, nrPages, order) => {
        const f = Object.freeze({ pfn, nr_pages: nrPages, order });
        handles.set(f, h);
        return f;
    };
    const mkView = (buffer) => new BigUint64Array(buffer);

    // ---- hook trampolines: the host calls these, they call the script's hooks
    const ret = (r) => (r === undefined || r === null) ? 0 : r;
    const callEntry = (fn, view, slot, addr, next, walk) => ret(fn(view[slot], addr, next, walk));
    const callHugetlb = (fn, view, slot, addr, next, walk) => ret(fn(view[slot], view[slot + 1], addr, next, walk));
    const callHole = (fn, addr, next, depth, walk) => ret(fn(addr, next, depth, walk));
    const callRange = (fn, start, end, walk) => ret(fn(start, end, walk));
    const callPostVma = (fn, walk) => { fn(walk); return 0; };
    const callInstall = (fn, addr, next, ptep, walk) => ret(fn(addr, next, ptep, walk));
    // pteBatch: nr PTEs of one table in one crossing; the same calls, in the same order, with the
    // same early stop as the walker's own PTE loop (ACTION_AGAIN is read by the walker afterwards).
    const callPteBatch = (fn, view, nr, addr, walk) => {
        for (let i = 0; i < nr; i++) {
            const next = addr + PAGE_SIZE;
            const r = fn(view[i], addr, next, walk);
            if (r !== undefined && r !== null && r !== 0) {
                return r;
            }
            addr = next;
        }
        return 0;
    };
    // install_pte's ptep: the script writes ptep.value; the host reads it back.
    const mkPtep = () => ({ value: 0n });

    // ---- entry points (kernel names and arguments; results are the kernel's int)
    // A TypeError or RangeError of a compiled hook reaches the script as that JavaScript error, as
    // it would have from the same hook on GraalJS (catch (e) sees e instanceof RangeError).
    const jsErrors = { TypeError, RangeError };
    const walked = (walk) => (...a) => {
        try {
            return walk(...a);
        } catch (x) {
            const c = host.compiled_error();
            if (c === null || c === undefined) throw x;
            throw new jsErrors[c.kind](c.message);
        }
    };
    define('walk_page_range', walked((mm, start, end, ops, priv) =>
        host.walk_page_range(handleOf(mm, 'mm', 'walk_page_range'), start, end, ops, priv)));
    define('walk_page_range_mm', walked((mm, start, end, ops, priv) =>
        host.walk_page_range_mm(handleOf(mm, 'mm', 'walk_page_range_mm'), start, end, ops, priv)));
    define('walk_page_range_novma', walked((mm, start, end, ops, pgd, priv) =>
        host.walk_page_range_novma(handleOf(mm, 'mm', 'walk_page_range_novma'), start, end, ops,
            pgd === undefined ? null : pgd, priv)));
    define('walk_page_range_vma', walked((vma, start, end, ops, priv) =>
        host.walk_page_range_vma(handleOf(vma, 'vma', 'walk_page_range_vma'), start, end, ops, priv)));
    define('walk_page_vma', walked((vma, ops, priv) =>
        host.walk_page_vma(handleOf(vma, 'vma', 'walk_page_vma'), ops, priv)));
    define('walk_page_mapping', walked((mapping, first, nr, ops, priv) =>
        host.walk_page_mapping(handleOf(mapping, 'mapping (vma.vm_file)', 'walk_page_mapping'), first, nr, ops, priv)));

    const fwHandles = new WeakMap();
    define('folio_walk_start', (fw, vma, addr, flags) => {
        if (fw === null || typeof fw !== 'object') {
            throw new TypeError('folio_walk_start: fw must be an object');
        }
        if (fwHandles.has(fw)) {
            throw new TypeError('folio_walk_start: fw is already started (call folio_walk_end first)');
        }
        const r = host.folio_walk_start(handleOf(vma, 'vma', 'folio_walk_start'), addr, flags === undefined ? 0 : flags);
        if (r === null) {
            return null;
        }
        fw.page = r.page;
        fw.level = r.level;
        fw.pte = fw.pmd = fw.pud = undefined;
        fw[r.levelName] = swapResult[0];
        fwHandles.set(fw, r.handle);
        return r.folio;
    });
    define('folio_walk_end', (fw, vma) => {
        const h = (fw !== null && typeof fw === 'object') ? fwHandles.get(fw) : undefined;
        if (h === undefined) {
            throw new TypeError('folio_walk_end: fw was not started by folio_walk_start');
        }
        fwHandles.delete(fw);
        host.folio_walk_end(h, handleOf(vma, 'vma', 'folio_walk_end'));
    });

    define('find_vma', (mm, addr) => host.find_vma(handleOf(mm, 'mm', 'find_vma'), addr));
    define('for_each_vma', (mm, fn) => {
        for (const vma of Array.from(host.vmas(handleOf(mm, 'mm', 'for_each_vma')))) {
            fn(vma);
        }
    });

    // ---- what /proc/PID/smaps prints besides the counters (show_map_vma, show_smap)
    define('get_gate_vma', (mm) => host.get_gate_vma(handleOf(mm, 'mm', 'get_gate_vma')));
    define('vma_kernel_pagesize', (vma) => host.vma_kernel_pagesize(handleOf(vma, 'vma', 'vma_kernel_pagesize')));
    define('vma_mmu_pagesize', (vma) => host.vma_kernel_pagesize(handleOf(vma, 'vma', 'vma_mmu_pagesize')));
    // The VmFlags mnemonics in bit order, each followed by a space ("rd wr mr mw me ac ").
    define('show_smap_vma_flags', (vma) => host.show_smap_vma_flags(handleOf(vma, 'vma', 'show_smap_vma_flags')));
    // (THPeligible: thp_eligible(vma), with the other helpers of the reference plugins below.)
    // The device of a mapped file (s_dev, MKDEV encoding) and its parts.
    define('file_dev', (file) => host.file_dev(handleOf(file, 'mapping (vma.vm_file)', 'file_dev')));
    define('MAJOR', (dev) => Math.floor(dev / 1048576));
    define('MINOR', (dev) => dev % 1048576);
    // mincore's page-cache lookup for an unmapped file page (the model knows the pages it imported).
    define('mincore_page', (file, index) => host.mincore_page(handleOf(file, 'mapping (vma.vm_file)', 'mincore_page'), index));

    // ---- page-table entry helpers. The pure bit tests are JavaScript (they sit in hot loops);
    // they are checked against the runtime's Pgtable in the tests.
    const big = (x, fn) => {
        if (typeof x === 'bigint') {
            // Entries from the walker are already unsigned: no new BigInt in the common case.
            return (x >= 0n && x <= M64) ? x : x & M64;
        }
        if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) {
            return BigInt(x);
        }
        throw new TypeError(fn + ': an entry (BigInt) expected, got ' + typeof x);
    };
    const C = G;
    const PROT_OR_PRESENT = C._PAGE_PRESENT | C._PAGE_PROTNONE;
    const KNL_ERRATUM = C._PAGE_DIRTY | C._PAGE_ACCESSED;
    const pte_none = (pte) => (big(pte, 'pte_none') & ~KNL_ERRATUM) === 0n;
    const pte_present = (pte) => (big(pte, 'pte_present') & PROT_OR_PRESENT) !== 0n;
    define('pte_none', pte_none);
    define('pte_present', pte_present);
    define('is_swap_pte', (pte) => !pte_none(pte) && !pte_present(pte));
    // The other predicates and PFN extractors are the runtime's own (Pgtable), one crossing each.
    for (const name of ['pte_write', 'pte_dirty', 'pte_young', 'pte_special', 'pte_exec', 'pte_soft_dirty',
        'pte_uffd_wp', 'pte_protnone', 'pmd_none', 'pmd_present', 'pmd_leaf', 'pmd_trans_huge', 'is_swap_pmd',
        'pmd_write', 'pmd_dirty', 'pmd_young', 'pmd_soft_dirty', 'pmd_uffd_wp', 'pud_none', 'pud_present',
        'pud_leaf', 'pud_trans_huge', 'p4d_none', 'p4d_present', 'p4d_bad', 'pgd_none', 'pgd_present', 'pgd_bad',
        'pte_swp_soft_dirty', 'pte_swp_uffd_wp', 'pte_swp_exclusive']) {
        define(name, (x) => host.pgtableTest(name, big(x, name)));
    }
    for (const name of ['pte_pfn', 'pmd_pfn', 'pud_pfn']) {
        define(name, (x) => host.pgtableNum(name, big(x, name)));
    }

    // Swap entries and markers: the runtime's Swapops (64-bit results come back as BigInt).
    const swap64 = (name) => (x) => { host.swap64(name, big(x, name)); return swapResult[0]; };
    define('pte_to_swp_entry', swap64('pte_to_swp_entry'));
    define('pmd_to_swp_entry', swap64('pmd_to_swp_entry'));
    // The PTE of a marker (PTE_MARKER_GUARD, PTE_MARKER_UFFD_WP, ...), as install_pte writes it.
    define('make_pte_marker', swap64('make_pte_marker'));
    define('swp_offset', (e) => Number(host.swapNum('swp_offset', big(e, 'swp_offset'))));
    define('swp_type', (e) => host.swapNum('swp_type', big(e, 'swp_type')));
    define('swp_offset_pfn', (e) => host.swapNum('swp_offset_pfn', big(e, 'swp_offset_pfn')));
    for (const name of ['is_migration_entry', 'is_writable_migration_entry', 'is_device_private_entry',
        'is_device_exclusive_entry', 'is_hwpoison_entry', 'is_pfn_swap_entry', 'non_swap_entry',
        'is_pte_marker_entry', 'is_pte_marker', 'is_guard_pte_marker', 'is_uffd_wp_pte_marker',
        'is_poisoned_pte_marker', 'is_pmd_migration_entry']) {
        define(name, (x) => host.swapTest(name, big(x, name)));
    }

    // ---- pages and folios
    define('vm_normal_page', (vma, addr, pte) =>
        host.vm_normal_page(handleOf(vma, 'vma', 'vm_normal_page'), addr, big(pte, 'vm_normal_page')));
    define('vm_normal_page_pmd', (vma, addr, pmd) =>
        host.vm_normal_page_pmd(handleOf(vma, 'vma', 'vm_normal_page_pmd'), addr, big(pmd, 'vm_normal_page_pmd')));
    define('vm_normal_folio', (vma, addr, pte) =>
        host.vm_normal_folio(handleOf(vma, 'vma', 'vm_normal_folio'), addr, big(pte, 'vm_normal_folio')));
    define('page_folio', (pfn) => host.page_folio(pfn));
    define('page_mapcount', (pfn) => host.page_mapcount(pfn));
    define('page_flags', (pfn) => { host.page_flags(pfn); return swapResult[0]; });
    define('is_zero_pfn', (pfn) => host.is_zero_pfn(pfn));
    define('is_huge_zero_pmd', (pmd) => host.is_huge_zero_pmd(big(pmd, 'is_huge_zero_pmd')));
    const folioFn = (name) => (folio) => host.folio(name, handleOf(folio, 'folio', name));
    for (const name of ['folio_mapcount', 'folio_nr_pages', 'folio_test_anon', 'folio_test_ksm',
        'folio_test_swapbacked', 'folio_test_dirty', 'folio_test_referenced', 'folio_test_lru',
        'folio_test_mlocked', 'folio_test_large', 'folio_maybe_mapped_shared', 'folio_pfn', 'folio_order']) {
        define(name, folioFn(name));
    }
    define('folio_precise_page_mapcount', (folio, pfn) =>
        host.folio_precise_page_mapcount(handleOf(folio, 'folio', 'folio_precise_page_mapcount'), pfn));

    // ---- writes (only with --allow-write)
    define('set_pte_at', (mm, addr, pte) => { host.set_entry_at(handleOf(mm, 'mm', 'set_pte_at'), addr, big(pte, 'set_pte_at'), 4); });
    define('set_pmd_at', (mm, addr, pmd) => { host.set_entry_at(handleOf(mm, 'mm', 'set_pmd_at'), addr, big(pmd, 'set_pmd_at'), 3); });
    define('mm_create', (options) => host.mm_create(options === undefined ? null : options));

    // ---- helpers of the reference plugins
    // smaps' THPeligible (!!thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS, THP_ORDERS_ALL)):
    // 1, 0, or -1 when it rests on what userspace cannot see (see ThpPolicy).
    define('thp_eligible', (vma) => host.thp_eligible(handleOf(vma, 'vma', 'thp_eligible')));
    // Writes (only with --allow-write). vm_flags_set/clear return the VMA's new script object
    // (VMA objects are frozen snapshots; find_vma also returns the new one).
    define('folio_clear_referenced', (folio) => {
        host.folio_clear_referenced(handleOf(folio, 'folio', 'folio_clear_referenced'));
    });
    define('zap_page_range_single', (vma, address, size) => {
        host.zap_page_range_single(handleOf(vma, 'vma', 'zap_page_range_single'), address, size);
    });
    define('vm_flags_set', (vma, flags) =>
        host.vm_flags_mod(handleOf(vma, 'vma', 'vm_flags_set'), big(flags, 'vm_flags_set'), 0n));
    define('vm_flags_clear', (vma, flags) =>
        host.vm_flags_mod(handleOf(vma, 'vma', 'vm_flags_clear'), 0n, big(flags, 'vm_flags_clear')));

    const init = (mm, args) => {
        // Without a target there is no global mm at all, so a script may declare its own
        // (`const mm = mm_create()`); `typeof mm === 'undefined'` tells the two cases apart.
        if (mm !== null) {
            define('mm', mm);
        }
        define('args', Object.freeze(Array.from(args)));
    };

    // ---- for the compiled path (HookCompiler): what a value is, and writes back into the script
    // The built-ins compiled code has its own copies of: a script may replace them (Math.floor = ...).
    const MathFns = ['floor', 'ceil', 'trunc', 'round', 'abs', 'sign', 'min', 'max', 'pow', 'sqrt'];
    const [Math0, Number0, BigInt0, asUintN0] = [G.Math, G.Number, G.BigInt, G.BigInt.asUintN];
    const MathFns0 = MathFns.map((n) => G.Math[n]);
    const compiler = Object.freeze({
        // Asked at every walk that would run compiled: no allocation.
        builtinsIntact: () => {
            if (G.Math !== Math0 || G.Number !== Number0 || G.BigInt !== BigInt0 || BigInt0.asUintN !== asUintN0) return false;
            for (let i = 0; i < MathFns.length; i++) {
                if (Math0[MathFns[i]] !== MathFns0[i]) return false;
            }
            return true;
        },
        kind: (x) => {
            if (x === null) return 'null';
            const t = typeof x;
            if (t !== 'object') return t;
            if (handles.has(x)) return 'api';
            if (!Object.isExtensible(x)) return 'frozen';
            if (Array.isArray(x)) return 'array';
            const proto = Object.getPrototypeOf(x);
            return proto === Object.prototype || proto === null ? 'state' : 'other';
        },
        handle: (x) => (x !== null && typeof x === 'object') ? handles.get(x) : undefined,
        // A field compiled code may hold for a walk: an own, writable data property.
        field: (o, k) => {
            const d = Object.getOwnPropertyDescriptor(o, k);
            if (d === undefined) return 'missing';
            if (!('value' in d)) return 'accessor';
            if (!d.writable) return 'readonly';
            return d.value === null ? 'null' : typeof d.value;
        },
        // The fields of a state object into a buffer, and back: one crossing per object and walk.
        // Returns the fields' kinds, "number,bigint,..." as field() names them ("bigint!" for one
        // outside 0..2**64-1): the values are good only if those are the kinds the class was made for.
        load: (o, names, buf) => {
            const f = new Float64Array(buf);
            const b = new BigUint64Array(buf);
            let kinds = '';
            for (let i = 0; i < names.length; i++) {
                const k = compiler.field(o, names[i]);
                const v = o[names[i]];
                if (k === 'bigint') {
                    if (v < 0n || v > M64) { kinds += 'bigint!,'; continue; }
                    b[i] = v;
                } else if (k === 'boolean') {
                    f[i] = v ? 1 : 0;
                } else if (k === 'number') {
                    f[i] = v;
                }
                kinds += k + ',';
            }
            return kinds;
        },
        store: (o, names, kinds, written, buf) => {
            const f = new Float64Array(buf);
            const b = new BigUint64Array(buf);
            for (const i of written) {
                const k = kinds[i];
                o[names[i]] = k === 'bigint' ? b[i] : k === 'boolean' ? f[i] !== 0 : f[i];
            }
        },
        bigint: (hi, lo) => u64(hi, lo),
        // What compiled hooks pushed: 64 bits each (a double's or a BigInt's) and a kind byte each.
        append: (a, buf, kindBuf, n) => {
            const f = new Float64Array(buf);
            const b = new BigUint64Array(buf);
            const k = new Uint8Array(kindBuf);
            for (let i = 0; i < n; i++) a.push(k[i] === 0 ? f[i] : k[i] === 1 ? b[i] : f[i] !== 0);
        },
    });

    return {
        init, mkMapping, mkVma, mkMm, mkFolio, mkView, mkPtep,
        callEntry, callHugetlb, callHole, callRange, callPostVma, callInstall, callPteBatch, compiler,
    };
})
