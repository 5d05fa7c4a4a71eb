package io.pagewalk.runtime.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link BodyOutput} writes, from the inflated body, never past the raw length the
 * header declares. Every count read from the file is checked against the bytes left before it is
 * used, so no length field can make the reader allocate more than the body could describe.
 */
final class BodyInput {
    /** A malformed body (the checksum matched, so the writer or a crafted file is at fault). */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final InputStream in;
    private final long limit;
    private long position;
    private String part = "start";

    BodyInput(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    /** Names the part being read, for messages. */
    void part(String part) {
        this.part = part;
    }

    long position() {
        return position;
    }

    long remaining() {
        return limit - position;
    }

    Malformed malformed(String what) {
        return new Malformed("malformed body at raw byte " + position + " (" + part + "): " + what);
    }

    int readByte() throws IOException, Malformed {
        if (position >= limit) {
            throw malformed("ends before its declared length " + limit);
        }
        int b = in.read();
        if (b < 0) {
            throw malformed("compressed data ends early");
        }
        position++;
        return b;
    }

    long readUnsigned() throws IOException, Malformed {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            if (shift == 63 && (b & 0x7e) != 0) {
                throw malformed("varint longer than 64 bits");
            }
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    long readSigned() throws IOException, Malformed {
        long z = readUnsigned();
        return (z >>> 1) ^ -(z & 1);
    }

    /**
     * A count of items that each take at least {@code minBytesEach} bytes of the body: bounded by
     * what is left, so a crafted count fails here instead of in an allocation.
     */
    int readCount(String what, int minBytesEach) throws IOException, Malformed {
        long n = readUnsigned();
        if (n < 0 || n > remaining() / minBytesEach || n > Integer.MAX_VALUE - 8) {
            throw malformed(what + " count " + Long.toUnsignedString(n) + " exceeds what the body can hold");
        }
        return (int) n;
    }

    int readInt(String what) throws IOException, Malformed {
        long v = readSigned();
        if (v != (int) v) {
            throw malformed(what + " " + v + " does not fit 32 bits");
        }
        return (int) v;
    }

    boolean readBoolean(String what) throws IOException, Malformed {
        int b = readByte();
        if (b > 1) {
            throw malformed(what + " is " + b + ", not 0 or 1");
        }
        return b == 1;
    }

    String readString(String what) throws IOException, Malformed {
        int n = readCount(what + " length", 1);
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw malformed("compressed data ends inside " + what);
        }
        position += n;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(what + " is not UTF-8");
        }
    }
}
