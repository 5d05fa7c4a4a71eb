package io.pagewalk.dsl.engine;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * A script's console: forwards to whatever {@code System.out}/{@code System.err} is at the time of
 * the write (so that an in-process CLI run can capture it). Also what the CONSTRAINED sandbox
 * requires: the context never writes to the process streams directly.
 */
public final class ConsoleStream extends OutputStream {
    private final Supplier<PrintStream> target;

    private ConsoleStream(Supplier<PrintStream> target) {
        this.target = target;
    }

    public static ConsoleStream stdout() {
        return new ConsoleStream(() -> System.out);
    }

    public static ConsoleStream stderr() {
        return new ConsoleStream(() -> System.err);
    }

    @Override
    public void write(int b) {
        target.get().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        target.get().write(b, off, len);
    }

    @Override
    public void flush() {
        target.get().flush();
    }
}
