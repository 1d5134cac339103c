package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;

/**
 * A bounds-checked walk through one record (records.h): each field is taken where the cursor
 * stands and the cursor moves past it, and a field that would run past the record's end throws,
 * naming the record and the field. Request decoding and the tests' response reader walk records
 * with it; field offsets come from {@link RecordLayout}, which the response writer uses too.
 */
final class RecordCursor {
    private final ByteBuf record;
    private final String recordName;
    private final int end;
    private int position;

    RecordCursor(ByteBuf record, int start, int end, String recordName) {
        this.record = record;
        this.recordName = recordName;
        this.position = start;
        this.end = end;
    }

    int position() {
        return position;
    }

    int end() {
        return end;
    }

    /** Takes the next {@code length} bytes (field {@code index} of its kind; -1 for none); returns where they start. */
    int take(long length, String field, int index) {
        if (length < 0 || length > end - position) {
            throw new IllegalArgumentException(recordName + " " + field + (index < 0 ? "" : " " + index)
                    + " (" + length + " bytes) runs past the record end");
        }
        int start = position;
        position += (int) length;
        return start;
    }

    /**
     * Takes one field entry (records.h HeaderEntry), named e.g. "header entry" in an error; returns
     * where it starts, for the accessors below.
     */
    int takeEntry(String entryName, int index) {
        return take(RecordLayout.HEADER_ENTRY_SIZE, entryName, index);
    }

    int entryId(int entry) {
        return record.getUnsignedByte(entry);
    }

    int entryNameLength(int entry) {
        return record.getUnsignedShortLE(entry + RecordLayout.HEADER_ENTRY_NAME_LENGTH);
    }

    long entryValueLength(int entry) {
        return record.getUnsignedIntLE(entry + RecordLayout.HEADER_ENTRY_VALUE_LENGTH);
    }
}
