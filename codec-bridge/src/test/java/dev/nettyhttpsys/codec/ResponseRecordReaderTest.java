package dev.nettyhttpsys.codec;

import dev.nettyhttpsys.testsupport.LeakDetectorGate;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader rejects what the engine's parser rejects (and empty memory chunks). */
@ExtendWith(LeakDetectorGate.class)
class ResponseRecordReaderTest {

    /** A head-only record: status 200, reason "OK", one header, no chunks. */
    private static ByteBuf minimal() {
        ByteBuf r = RequestRecordBuilder.scratch();
        r.writeIntLE(0).writeIntLE(1).writeShortLE(200).writeShortLE(2).writeShortLE(1).writeShortLE(0)
                .writeIntLE(0).writeIntLE(0);
        r.writeBytes(new byte[] {'O', 'K'});
        r.writeByte(12).writeByte(0).writeShortLE(0).writeIntLE(4).writeBytes(new byte[] {'t', 'e', 'x', 't'});
        r.writeZero((8 - (r.writerIndex() & 7)) & 7);
        r.setIntLE(0, r.writerIndex());
        return r;
    }

    private static void assertInvalid(ByteBuf record, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResponseRecordReader.read(record));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void readsAWellFormedRecord() {
        ParsedResponseRecord record = ResponseRecordReader.read(minimal());
        assertEquals(200, record.status());
        assertEquals("OK", record.reason());
        assertEquals("text", record.header("Content-Type"));
        assertEquals(12, record.headers().get(0).knownId());
        assertTrue(record.hasHead());
        assertTrue(record.chunks().isEmpty());
    }

    @Test
    void lengthMustMatch() {
        ByteBuf r = minimal();
        r.setIntLE(0, r.readableBytes() - 1);
        assertInvalid(r, "does not match");
        assertInvalid(RequestRecordBuilder.scratch().writeZero(23), "shorter than");
    }

    @Test
    void trailingBytesAreRejected() {
        ByteBuf r = minimal().writeZero(8);
        r.setIntLE(0, r.readableBytes());
        assertInvalid(r, "trailing bytes");
    }

    @Test
    void headerNeedsEitherAnIdOrAName() {
        ByteBuf r = minimal();
        r.setShortLE(24 + 2 + 2, 1);
        assertInvalid(r, "either a known id or a name");
        ByteBuf unnamed = minimal();
        unnamed.setByte(24 + 2, 0xFF);
        assertInvalid(unnamed, "either a known id or a name");
    }

    @Test
    void statusMustBeInRangeWhenThereIsAHead() {
        ByteBuf r = minimal();
        r.setShortLE(8, 99);
        assertInvalid(r, "outside 100-599");
        ByteBuf beyond = minimal();
        beyond.setShortLE(8, 600);
        assertInvalid(beyond, "outside 100-599");
    }

    @Test
    void reservedHalfAfterTheTrailerCountMustBeZero() {
        ByteBuf r = minimal();
        r.setShortLE(22, 1);
        assertInvalid(r, "reserved field");
    }

    private static ByteBuf withChunk(int kind, long address, long offset, long length) {
        ByteBuf r = minimal();
        r.setShortLE(14, 1);
        r.writeIntLE(kind).writeIntLE(0).writeLongLE(address).writeLongLE(offset).writeLongLE(length);
        r.setIntLE(0, r.readableBytes());
        return r;
    }

    @Test
    void chunkKindsAndEmptyMemoryChunks() {
        assertInvalid(withChunk(2, 1, 0, 1), "unknown kind 2");
        assertInvalid(withChunk(0, 1, 0, 0), "length > 0");
        assertInvalid(withChunk(0, 0, 0, 1), "must have an address");
        ParsedResponseRecord file = ResponseRecordReader.read(withChunk(1, 7, 100, 50));
        assertEquals(new ParsedResponseRecord.Chunk(1, 7, 100, 50), file.chunks().get(0));
    }

    @Test
    void chunkTableRunningPastTheEnd() {
        ByteBuf r = minimal();
        r.setShortLE(14, 1);
        assertInvalid(r, "data chunk 0 (32 bytes) runs past");
    }
}
