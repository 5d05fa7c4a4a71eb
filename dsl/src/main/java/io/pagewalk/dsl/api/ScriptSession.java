package io.pagewalk.dsl.api;

import io.pagewalk.dsl.adapter.HookContext;
import io.pagewalk.dsl.compiler.CompileMode;
import io.pagewalk.dsl.compiler.HookCompiler;
import io.pagewalk.dsl.compiler.ScriptAccess;
import io.pagewalk.dsl.compiler.rt.CompiledHookException;
import io.pagewalk.dsl.compiler.rt.Env;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.walk.FolioWalk;
import io.pagewalk.dsl.engine.ConsoleStream;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyArray;

/**
 * One script run: a sandboxed GraalJS context on the shared engine, the API bound into it, and
 * the watchdog. Not thread-safe (a context runs on one thread); close it when done.
 */
public final class ScriptSession implements AutoCloseable, ScriptAccess {

    /**
     * @param allowWrite set_pte_at/set_pmd_at/install_pte may change the model
     * @param timeout the whole run, top level and hooks
     * @param memoryLimitBytes heap in use (after a GC) at which the run is stopped; 0 = 85% of -Xmx
     * @param batch cross into the script once per PTE table (pteBatch) rather than once per PTE
     */
    public record Options(boolean allowWrite, Duration timeout, long memoryLimitBytes, boolean batch, List<String> args,
            CompileMode compile) {
        public static Options defaults() {
            return new Options(false, Duration.ofSeconds(60), 0, true, List.of(), CompileMode.AUTO);
        }

        public Options withAllowWrite(boolean v) {
            return new Options(v, timeout, memoryLimitBytes, batch, args, compile);
        }

        public Options withTimeout(Duration v) {
            return new Options(allowWrite, v, memoryLimitBytes, batch, args, compile);
        }

        public Options withMemoryLimit(long v) {
            return new Options(allowWrite, timeout, v, batch, args, compile);
        }

        public Options withBatch(boolean v) {
            return new Options(allowWrite, timeout, memoryLimitBytes, v, args, compile);
        }

        public Options withArgs(List<String> v) {
            return new Options(allowWrite, timeout, memoryLimitBytes, batch, List.copyOf(v), compile);
        }

        /** Whether hooks are compiled to JVM bytecode (auto: when they fall in the subset). */
        public Options withCompile(CompileMode v) {
            return new Options(allowWrite, timeout, memoryLimitBytes, batch, args, v);
        }
    }

    /** 512 batched PTEs plus two slots for single-entry hooks (entry, hugetlb hmask). */
    public static final int BUFFER_SLOTS = 514;
    public static final int SINGLE_SLOT = 512;

    private static final String PRELUDE_NAME = "pagewalk-prelude.js";
    /** One Source each, so that every context on the shared engine reuses their parsed and compiled code. */
    private static final Source PRELUDE = Source.newBuilder("js", readPrelude(), PRELUDE_NAME).buildLiteral();
    private static final Source CONSTANTS = Source.newBuilder("js", Constants.javaScript(), "pagewalk-constants.js").buildLiteral();

    private final ScriptEngine engine;
    private final Context context;
    private final Options options;
    private MmStruct mm;
    private boolean attached;
    private final HostApi host;
    private final Value api;
    final Value callEntry;
    final Value callHugetlb;
    final Value callHole;
    final Value callRange;
    final Value callPostVma;
    final Value callInstall;
    final Value callPteBatch;
    private final Value mkVma;
    private final Value mkMm;
    private final Value mkMapping;
    final Value mkFolio;
    final Value mkPtep;

    private final Map<VmArea, Value> vmaObjects = new IdentityHashMap<>();
    private final Map<MmStruct, Value> mmObjects = new IdentityHashMap<>();
    private final Map<AddressSpace, Value> mappingObjects = new IdentityHashMap<>();
    private final List<EntryBuffer> buffers = new ArrayList<>();
    private int walkDepth;
    private final ByteBuffer result = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private Source scriptSource;
    private long hookCalls;
    private final HookCompiler compiler;
    private final Value compilerSupport;
    private volatile Watchdog watchdog;

    /** A direct buffer of entries and its BigUint64Array view, one per nesting depth of walks. */
    public record EntryBuffer(ByteBuffer buffer, Value view) {}

    public ScriptSession(MmStruct mm, Options options) {
        this(options);
        attach(mm);
    }

    /**
     * A session whose context and API are made now, and whose target comes with {@link #attach}:
     * the CLI makes the context while the target is being imported.
     */
    public static ScriptSession prepare(Options options) {
        return new ScriptSession(options);
    }

    /** Gives the prepared session its target (null: none) and the script its globals mm and args. */
    public void attach(MmStruct target) {
        if (attached) {
            throw new IllegalStateException("session already has its target");
        }
        attached = true;
        this.mm = target;
        Value mmValue = target == null ? null : mmObject(target);
        api.getMember("init").executeVoid(mmValue, ProxyArray.fromList(new ArrayList<Object>(options.args())));
    }

    private ScriptSession(Options options) {
        this.engine = ScriptEngine.shared();
        this.options = options;
        HostAccess hostAccess = HostAccess.newBuilder(HostAccess.CONSTRAINED)
                .allowBufferAccess(true)
                .build();
        this.context = Context.newBuilder("js")
                .engine(engine.engine())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(ConsoleStream.stdout())
                .err(ConsoleStream.stderr())
                .allowHostAccess(hostAccess)
                .allowHostClassLookup(name -> false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .build();
        this.host = new HostApi(this);
        try {
            Value constants = context.eval(CONSTANTS);
            Value prelude = context.eval(PRELUDE);
            this.api = prelude.execute(host, constants);
        } catch (PolyglotException e) {
            context.close(true);
            throw new IllegalStateException("pagewalk prelude failed: " + e.getMessage(), e);
        }
        callEntry = api.getMember("callEntry");
        callHugetlb = api.getMember("callHugetlb");
        callHole = api.getMember("callHole");
        callRange = api.getMember("callRange");
        callPostVma = api.getMember("callPostVma");
        callInstall = api.getMember("callInstall");
        callPteBatch = api.getMember("callPteBatch");
        mkVma = api.getMember("mkVma");
        mkMm = api.getMember("mkMm");
        mkMapping = api.getMember("mkMapping");
        mkFolio = api.getMember("mkFolio");
        mkPtep = api.getMember("mkPtep");
        compilerSupport = api.getMember("compiler");
        compiler = new HookCompiler(this, options.compile());
    }

    private static String readPrelude() {
        try (InputStream in = ScriptSession.class.getResourceAsStream("prelude.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("pagewalk prelude.js missing from the class path", e);
        }
    }

    public Options options() {
        return options;
    }

    public MmStruct mm() {
        return mm;
    }

    public Context context() {
        return context;
    }

    private long bindNanos;
    private long walkNanos;

    /** Time spent binding hooks to walks (compiling them, when compiled), for --stats. */
    public double bindMillis() {
        return bindNanos / 1e6;
    }

    /** Time spent in walks (the walker and the hooks), for --stats. */
    public double walkMillis() {
        return walkNanos / 1e6;
    }

    void bindTime(long nanos) {
        if (walkDepth == 1) {
            bindNanos += nanos;
        }
    }

    void walkTime(long nanos) {
        if (walkDepth == 1) {
            walkNanos += nanos;
        }
    }

    /** Calls from the walker into script hooks so far (for --stats). */
    public long hookCalls() {
        return hookCalls;
    }

    ByteBuffer resultBuffer() {
        return result;
    }

    /** Runs a script file's source to completion under the watchdog. */
    public Value run(Source source) {
        this.scriptSource = source;
        try (Watchdog dog = Watchdog.start(context, options.timeout(), options.memoryLimitBytes())) {
            watchdog = dog;
            try {
                return context.eval(source);
            } catch (PolyglotException e) {
                throw ScriptErrors.translate(e, source, dog, compiledError);
            } catch (OutOfMemoryError e) {
                throw new ScriptException(ScriptException.Kind.MEMORY, source.getName()
                        + ": the script ran out of memory (Java heap exhausted)");
            } finally {
                releaseOpenFolioWalks();
            }
        }
    }

    private void releaseOpenFolioWalks() {
        host.releaseFolioWalks();
    }

    // ---------------------------------------------------------------- the compiled path

    /** The compiler of this session's hooks (never null: under --compile=never it only explains). */
    public HookCompiler compiler() {
        return compiler;
    }

    /** Per hook seen: compiled, or on GraalJS and why (for --explain). */
    public List<String> compileExplanations() {
        return compiler.explanations();
    }

    @Override
    public Value compilerSupport() {
        return compilerSupport;
    }

    @Override
    public MmStruct model() {
        return host.modelOrNull();
    }

    /** The last error of a compiled hook (its location names the hook's line in the final message). */
    private CompiledHookException compiledError;
    private boolean compiledErrorTaken;

    void compiledError(CompiledHookException e) {
        compiledError = e;
        compiledErrorTaken = false;
    }

    /** The compiled hook's TypeError or RangeError the prelude is to throw as a script error, once. */
    CompiledHookException takeCompiledErrorForScript() {
        if (compiledError == null || compiledErrorTaken || compiledError.kind() == null) {
            return null;
        }
        compiledErrorTaken = true;
        return compiledError;
    }

    @Override
    public Env.Writes writes() {
        return new Env.Writes() {
            @Override
            public boolean allowed() {
                return options.allowWrite();
            }

            @Override
            public void entryWritten(MmStruct m, long addr, int level, long value) {
                ScriptSession.this.entryWritten(m, addr, level, value);
            }
        };
    }

    @Override
    public void addHookCalls(long n) {
        hookCalls += n;
    }

    @Override
    public boolean stopRequested() {
        Watchdog dog = watchdog;
        return dog != null && dog.reason() != Watchdog.Reason.NONE;
    }

    @Override
    public Value toScript(Object o) {
        return switch (o) {
            case VmArea v -> vmaObject(v);
            case MmStruct m -> mmObject(m);
            case AddressSpace a -> mappingObject(a);
            case FolioWalk.Folio f -> folioObject(f.mm(), f.pfn());
            default -> throw new IllegalArgumentException("no script object for " + o.getClass().getSimpleName());
        };
    }

    @Override
    public Object hostOf(Value apiObject) {
        Value h = compilerSupport.getMember("handle").execute(apiObject);
        return h != null && h.isProxyObject() && h.asProxyObject() instanceof Handle handle ? handle.target : null;
    }

    /** The folio of a page as the script sees it (a new frozen object: folios have no identity). */
    Value folioObject(MmStruct m, long pfn) {
        MemMap mem = m.memMap();
        long head = mem.folioHead(pfn);
        return mkFolio.execute(new Handle(new FolioWalk.Folio(m, head)), head, mem.folioNrPages(head), mem.folioOrder(head));
    }

    // ---------------------------------------------------------------- model objects as JS objects

    public Value vmaObject(VmArea vma) {
        Value v = vmaObjects.get(vma);
        if (v == null) {
            Value file = vma.file() == null ? null : mappingObject(vma.file());
            long flags = vma.flags();
            v = mkVma.execute(new Handle(vma), Conv.addrToJs(vma.start()), Conv.addrToJs(vma.end()),
                    (int) (flags >>> 32), (int) flags, vma.pgoff(), vma.name(), file, vma.isAnonymous(),
                    vma.isHugetlb());
            vmaObjects.put(vma, v);
        }
        return v;
    }

    /** After vm_flags_set/clear: the next lookup of this VMA builds a fresh (frozen) script object. */
    void vmaChanged(VmArea vma) {
        vmaObjects.remove(vma);
    }

    public Value mmObject(MmStruct m) {
        Value v = mmObjects.get(m);
        if (v == null) {
            int pid = m.origin() == null ? -1 : m.origin().pid();
            String origin = m.origin() == null ? "synthetic" : m.origin().kind();
            v = mkMm.execute(new Handle(m), pid, origin);
            mmObjects.put(m, v);
        }
        return v;
    }

    public Value mappingObject(AddressSpace mapping) {
        Value v = mappingObjects.get(mapping);
        if (v == null) {
            v = mkMapping.execute(new Handle(mapping), mapping.path(), mapping.inode(), mapping.isShmem());
            mappingObjects.put(mapping, v);
        }
        return v;
    }

    /** The entry buffer of the walk being started (nested walks get their own). */
    public EntryBuffer enterWalk() {
        if (walkDepth == buffers.size()) {
            ByteBuffer bb = ByteBuffer.allocateDirect(BUFFER_SLOTS * 8).order(ByteOrder.nativeOrder());
            buffers.add(new EntryBuffer(bb, api.getMember("mkView").execute(bb)));
        }
        return buffers.get(walkDepth++);
    }

    public void exitWalk() {
        walkDepth--;
    }

    // ---------------------------------------------------------------- hooks

    private final HookContext.Listener listener = new HookContext.Listener() {
        @Override
        public void batchStarted(ByteBuffer buffer, PageTable table, int first, long addr, int nr) {
            batchBuffer = buffer;
            batchTable = table;
            batchFirst = first;
            batchNr = nr;
        }

        @Override
        public void batchEnded(ByteBuffer buffer) {
            if (batchBuffer == buffer) {
                batchBuffer = null;
                batchTable = null;
            }
        }

        @Override
        public void hookCalls(long n) {
            hookCalls += n;
        }
    };
    private ByteBuffer batchBuffer;
    private PageTable batchTable;
    private int batchFirst;
    private int batchNr;

    /** What the hooks of a walk about to start need (its own entry buffer and walk object). */
    public HookContext hookContext(EntryBuffer b) {
        return new HookContext(callEntry, callHugetlb, callHole, callRange, callPostVma, callInstall, callPteBatch,
                mkPtep, b.buffer(), b.view(), new WalkProxy(this), options.batch(), listener);
    }

    /**
     * After set_pte_at: a PTE of the run being handed to pte_entry must read as the kernel's would
     * (a later pte_entry of the same table sees the new value).
     */
    void entryWritten(MmStruct m, long addr, int level, long value) {
        if (batchTable == null || level != PagingGeometry.PTE) {
            return;
        }
        EntryPointer p = PageTables.entry(m, addr, PagingGeometry.PTE, false);
        if (p != null && p.table() == batchTable && p.index() >= batchFirst && p.index() < batchFirst + batchNr) {
            batchBuffer.putLong((p.index() - batchFirst) * 8, value);
        }
    }

    @Override
    public void close() {
        try {
            context.close(true);
        } catch (PolyglotException e) {
            // Already cancelled by the watchdog.
        }
    }

    /** The user's script, for error locations. */
    Source scriptSource() {
        return scriptSource;
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
