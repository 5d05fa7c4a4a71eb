package io.pagewalk.runtime.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The primitives of the snapshot body: LEB128 varints, zigzag for signed deltas, strings. */
final class BodyOutput {
    private final OutputStream out;
    private long written;

    BodyOutput(OutputStream out) {
        this.out = out;
    }

    /** Flushes and closes the stream below (finishing the compression). */
    void close() throws IOException {
        out.close();
    }

    /** Bytes written so far (the body's raw, uncompressed length). */
    long written() {
        return written;
    }

    void writeByte(int b) throws IOException {
        out.write(b);
        written++;
    }

    /** An unsigned varint: 7 bits a byte, low first; negative longs take 10 bytes. */
    void writeUnsigned(long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            writeByte((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        writeByte((int) v);
    }

    /** A signed value, zigzag-mapped so that small magnitudes stay short. */
    void writeSigned(long v) throws IOException {
        writeUnsigned((v << 1) ^ (v >> 63));
    }

    void writeString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeUnsigned(b.length);
        out.write(b);
        written += b.length;
    }
}
