package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Case-insensitive name-to-id lookup over a small, fixed set of header names, without allocating:
 * an open-addressing table keyed by {@link AsciiString#hashCode(CharSequence)}, which is already
 * case-insensitive and cached inside {@code AsciiString} names such as the {@code HttpHeaderNames}
 * constants handlers usually pass.
 *
 * <p>The table's names are spelled canonically ({@code Content-Type}), the constants handlers pass
 * are lower case ({@code content-type}): each slot also keeps the {@link HttpHeaderNames} constant
 * of its name, so the usual lookup ends at an identity check instead of comparing the letters.
 */
final class HeaderIdTable {
    private final AsciiString[] names;
    private final AsciiString[] nettyConstants;
    private final byte[] ids;
    private final int mask;

    HeaderIdTable(AsciiString[] namesById) {
        int slots = Integer.highestOneBit(namesById.length * 4 - 1) << 1;  // load factor <= 1/4
        names = new AsciiString[slots];
        nettyConstants = new AsciiString[slots];
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
        for (AsciiString constant : nettyHeaderNames()) {
            int slot = slotOf(constant);
            if (slot >= 0) {
                nettyConstants[slot] = constant;
            }
        }
    }

    /** The id of name, or -1 when it is not in the table. */
    int idOf(CharSequence name) {
        int slot = slotOf(name);
        return slot < 0 ? -1 : ids[slot];
    }

    private int slotOf(CharSequence name) {
        int slot = slot(AsciiString.hashCode(name));
        for (AsciiString candidate; (candidate = names[slot]) != null; slot = (slot + 1) & mask) {
            if (nettyConstants[slot] == name || candidate == name || candidate.contentEqualsIgnoreCase(name)) {
                return slot;
            }
        }
        return -1;
    }

    private int slot(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }

    /** Every {@code AsciiString} constant of {@link HttpHeaderNames}. */
    private static AsciiString[] nettyHeaderNames() {
        Field[] fields = HttpHeaderNames.class.getFields();
        AsciiString[] constants = new AsciiString[fields.length];
        int count = 0;
        for (Field field : fields) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == AsciiString.class) {
                try {
                    constants[count++] = (AsciiString) field.get(null);
                } catch (IllegalAccessException e) {
                    throw new ExceptionInInitializerError(e);  // public fields of a public class
                }
            }
        }
        return Arrays.copyOf(constants, count);
    }
}
