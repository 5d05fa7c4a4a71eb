package io.pagewalk.dsl.api;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

/**
 * Stops a script that runs too long or fills the heap: one daemon thread per run that cancels the
 * context ({@code Context.close(true)}, effective within milliseconds, in a hook or at top level).
 * The community edition has no sandbox.MaxHeapMemory, so memory is watched here: when the heap in
 * use stays above the limit after a full GC, the run is stopped before the JVM itself runs out.
 */
final class Watchdog implements AutoCloseable {
    private static final long POLL_MS = 10;

    enum Reason { NONE, TIMEOUT, MEMORY }

    private final Context context;
    private final long deadlineNanos;
    private final long memoryLimit;
    private final Thread thread;
    private volatile boolean done;
    private volatile Reason reason = Reason.NONE;
    private final Duration timeout;

    private Watchdog(Context context, Duration timeout, long memoryLimitBytes) {
        this.context = context;
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        long max = Runtime.getRuntime().maxMemory();
        this.memoryLimit = memoryLimitBytes > 0 ? memoryLimitBytes : (long) (max * 0.85);
        this.thread = Thread.ofPlatform().daemon().name("pagewalk-watchdog").unstarted(this::watch);
    }

    static Watchdog start(Context context, Duration timeout, long memoryLimitBytes) {
        Watchdog w = new Watchdog(context, timeout, memoryLimitBytes);
        w.thread.start();
        return w;
    }

    Reason reason() {
        return reason;
    }

    Duration timeout() {
        return timeout;
    }

    long memoryLimit() {
        return memoryLimit;
    }

    private void watch() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long lastGc = 0;
        while (!done) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (done) {
                return;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                stop(Reason.TIMEOUT);
                return;
            }
            if (memory.getHeapMemoryUsage().getUsed() > memoryLimit) {
                // Garbage counts as used until collected: only live data above the limit stops the run.
                long now = System.nanoTime();
                if (now - lastGc > 200_000_000L) {
                    lastGc = now;
                    System.gc();
                    if (!done && memory.getHeapMemoryUsage().getUsed() > memoryLimit) {
                        stop(Reason.MEMORY);
                        return;
                    }
                }
            }
        }
    }

    private void stop(Reason why) {
        reason = why;
        try {
            context.close(true);
        } catch (PolyglotException | IllegalStateException e) {
            // The run ended at the same moment.
        }
    }

    @Override
    public void close() {
        done = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
