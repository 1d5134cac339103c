package dev.nettyhttpsys.codec;

import io.netty.util.AsciiString;

/**
 * Case-insensitive name-to-id lookup over a small, fixed set of header names, without allocating:
 * an open-addressing table keyed by {@link AsciiString#hashCode(CharSequence)}, which is already
 * case-insensitive and cached inside {@code AsciiString} names such as the {@code HttpHeaderNames}
 * constants handlers usually pass.
 */
final class HeaderIdTable {
    private final AsciiString[] names;
    private final byte[] ids;
    private final int mask;

    HeaderIdTable(AsciiString[] namesById) {
        int slots = Integer.highestOneBit(namesById.length * 4 - 1) << 1;  // load factor <= 1/4
        names = new AsciiString[slots];
        ids = new byte[slots];
        mask = slots - 1;
        for (int id = 0; id < namesById.length; id++) {
            int slot = slot(AsciiString.hashCode(namesById[id]));
            while (names[slot] != null) {
                slot = (slot + 1) & mask;
            }
            names[slot] = namesById[id];
            ids[slot] = (byte) id;
        }
    }

    /** The id of name, or -1 when it is not in the table. */
    int idOf(CharSequence name) {
        int slot = slot(AsciiString.hashCode(name));
        for (AsciiString candidate; (candidate = names[slot]) != null; slot = (slot + 1) & mask) {
            if (candidate == name || candidate.contentEqualsIgnoreCase(name)) {
                return ids[slot];
            }
        }
        return -1;
    }

    private int slot(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }
}
