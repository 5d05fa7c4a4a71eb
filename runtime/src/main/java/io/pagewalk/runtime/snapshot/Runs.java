package io.pagewalk.runtime.snapshot;

import java.io.IOException;

/**
 * The column encoding of the body: a column of longs as runs of arithmetic progressions. A run is
 * {@code (length - 1, first value - last value of the previous run, step)}, the step only for runs
 * longer than one. Consecutive PTEs mapping consecutive PFNs with the same bits are one run (step
 * 4096), a THP's PMD entries one run (step 2 MiB), the head offsets of a folio one run (step 1),
 * equal flags or counts one run (step 0).
 */
final class Runs {
    private Runs() {}

    /** Writes {@code values[0, n)}; {@code previous} carries the last value across columns. */
    static long write(BodyOutput out, long[] values, int n, long previous) throws IOException {
        int i = 0;
        while (i < n) {
            long first = values[i];
            int length = 1;
            long step = 0;
            if (i + 1 < n) {
                step = values[i + 1] - first;
                length = 2;
                while (i + length < n && values[i + length] - values[i + length - 1] == step) {
                    length++;
                }
                if (length == 2) {
                    // A pair is no progression: let the second value start the next run, which
                    // keeps "head, tail, tail, ..." folios at two runs instead of three.
                    length = 1;
                }
            }
            out.writeUnsigned(length - 1);
            out.writeSigned(first - previous);
            if (length > 1) {
                out.writeSigned(step);
            }
            previous = first + step * (length - 1);
            i += length;
        }
        return previous;
    }

    /** Reads {@code n} values into {@code values}; returns the last one, for the next column. */
    static long read(BodyInput in, long[] values, int n, long previous)
            throws IOException, BodyInput.Malformed {
        int i = 0;
        while (i < n) {
            long lengthMinusOne = in.readUnsigned();
            if (lengthMinusOne < 0 || lengthMinusOne >= n - i) {
                throw in.malformed("run of " + Long.toUnsignedString(lengthMinusOne) + "+1 values where "
                        + (n - i) + " are left");
            }
            int length = (int) lengthMinusOne + 1;
            long v = previous + in.readSigned();
            long step = length > 1 ? in.readSigned() : 0;
            for (int k = 0; k < length; k++) {
                values[i + k] = v;
                v += step;
            }
            previous = values[i + length - 1];
            i += length;
        }
        return previous;
    }
}
