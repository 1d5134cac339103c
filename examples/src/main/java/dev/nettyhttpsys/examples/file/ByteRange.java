package dev.nettyhttpsys.examples.file;

/**
 * One byte range of a file, parsed from a {@code Range: bytes=...} field (RFC 9110 14.2):
 * {@code first-last}, {@code first-} or the suffix {@code -length}.
 */
final class ByteRange {
    /** A range no byte of the file satisfies: the answer is 416. */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    final long first;
    final long last;

    private ByteRange(long first, long last) {
        this.first = first;
        this.last = last;
    }

    long length() {
        return last - first + 1;
    }

    /**
     * The range a field asks for within a file of {@code size} bytes; null when the whole file
     * should be sent: no field, another unit, several ranges or a malformed one (servers may
     * ignore such a field, RFC 9110 14.2); {@link #UNSATISFIABLE} when it asks for no byte of it.
     */
    static ByteRange parse(String field, long size) {
        if (field == null || !field.startsWith("bytes=") || field.indexOf(',') >= 0) {
            return null;
        }
        String spec = field.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            if (dash == 0) {
                long suffix = Long.parseLong(spec.substring(1));
                if (suffix <= 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(spec.substring(0, dash));
            long last = dash == spec.length() - 1 ? Long.MAX_VALUE : Long.parseLong(spec.substring(dash + 1));
            if (first < 0 || last < first) {
                return null;
            }
            if (first >= size) {
                return UNSATISFIABLE;
            }
            return new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
