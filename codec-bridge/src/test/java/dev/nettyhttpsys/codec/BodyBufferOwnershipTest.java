package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Direct bodies are referenced in place and held until release; everything else is copied. */
class BodyBufferOwnershipTest extends EncoderTestSupport {

    @Test
    void heapBodyIsCopiedIntoTheRecordBufferAndReleasedAtOnce() {
        ByteBuf body = heap("heap body");
        EncodedSend send = encode(encoder(HttpMethod.GET), full(OK, body));
        assertEquals(0, body.refCnt());
        assertEquals(0, send.pinnedBufferCount());
        assertEquals(1, alloc.allocationCount(), "record and copied bytes share one direct buffer");
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals("heap body", text(record));
        long chunk = record.chunks().get(0).handleOrAddress();
        long bufferStart = send.record().memoryAddress();
        assertTrue(chunk >= bufferStart && chunk < send.recordAddress(), "copied bytes precede the record");
    }

    @Test
    void directBodyIsReferencedInPlaceUntilRelease() {
        ByteBuf body = direct("direct body");
        FullHttpResponse response = full(OK, body);
        EncodedSend send = encode(encoder(HttpMethod.GET), response);
        assertEquals(0, response.refCnt() - body.refCnt(), "the response and its content share a count");
        assertEquals(1, body.refCnt());
        assertEquals(1, send.pinnedBufferCount());
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(1, record.chunks().size());
        assertEquals(body.memoryAddress(), record.chunks().get(0).handleOrAddress());
        assertEquals("direct body", text(record));
        send.release();
        assertEquals(0, body.refCnt());
        send.release();  // a second release does nothing
        assertEquals(0, body.refCnt());
    }

    @Test
    void aSendTheEngineCopiedReleasesItsBodyAtOnceAndItsBufferHoldsTheNextRecord() {
        // An allocator whose buffers name it as their alloc(), as Netty's own do (the tracking
        // one's name its delegate), so the thread may keep the buffer for it.
        ByteBufAllocator direct = new UnpooledByteBufAllocator(true, true);
        ByteBuf body = direct("copied body");
        EncodedSend first = encoder(HttpMethod.GET).encode(full(OK, body), direct);
        ByteBuf firstRecord = first.record();
        assertEquals(1, body.refCnt());
        first.engineCopied();
        assertEquals(0, body.refCnt(), "the pinned body is released as soon as the engine copied it");
        assertEquals(1, firstRecord.refCnt(), "the record's buffer is kept for the thread's next record");
        first.release();  // the completion that follows changes nothing
        assertEquals(1, firstRecord.refCnt());

        EncodedSend second = encoder(HttpMethod.GET).encode(full(OK, heap("the next one")), direct);
        assertSame(firstRecord, second.record());
        assertEquals("the next one", text(ResponseRecordReader.read(second)));
        second.release();  // not copied: released as ever
        assertEquals(0, firstRecord.refCnt());

        EncodedSend third = encoder(HttpMethod.GET).encode(full(OK, heap("a fresh buffer")), direct);
        assertNotSame(firstRecord, third.record());
        third.release();
    }

    @Test
    void directSliceIsReferencedAtItsReaderIndex() {
        ByteBuf parent = direct("0123456789");
        ByteBuf slice = parent.retainedSlice(3, 4);
        parent.release();
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), full(OK, slice));
        assertEquals(parent.memoryAddress() + 3, record.chunks().get(0).handleOrAddress());
        assertEquals("3456", text(record));
        assertEquals("4", record.header("content-length"));
    }

    @Test
    void directCompositeIsReferencedComponentByComponent() {
        CompositeByteBuf composite = track(Unpooled.compositeBuffer());
        ByteBuf first = Unpooled.directBuffer().writeBytes("abc".getBytes(StandardCharsets.US_ASCII));
        ByteBuf second = Unpooled.directBuffer().writeBytes("defg".getBytes(StandardCharsets.US_ASCII));
        composite.addComponents(true, first, second);
        EncodedSend send = encode(encoder(HttpMethod.GET), full(OK, composite));
        assertEquals(2, send.pinnedBufferCount());
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(2, record.chunks().size());
        assertEquals("abcdefg", text(record));
        assertEquals("7", record.header("content-length"));
        assertEquals(0, composite.refCnt());
        assertEquals(1, first.refCnt());
        send.release();
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
    }

    @Test
    void mixedCompositeCopiesHeapPartsAndReferencesDirectOnes() {
        CompositeByteBuf composite = track(Unpooled.compositeBuffer());
        ByteBuf heapPart = Unpooled.copiedBuffer("heap-", StandardCharsets.US_ASCII);
        ByteBuf directPart = Unpooled.directBuffer().writeBytes("direct".getBytes(StandardCharsets.US_ASCII));
        composite.addComponents(true, heapPart, directPart);
        EncodedSend send = encode(encoder(HttpMethod.GET), full(OK, composite));
        assertEquals(1, send.pinnedBufferCount());
        assertEquals("heap-direct", text(ResponseRecordReader.read(send)));
        assertEquals(0, heapPart.refCnt());
        send.release();
        assertEquals(0, directPart.refCnt());
    }

    @Test
    void heapCompositeIsCopied() {
        CompositeByteBuf composite = track(Unpooled.compositeBuffer());
        composite.addComponents(true, Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII),
                Unpooled.copiedBuffer("cd", StandardCharsets.US_ASCII));
        EncodedSend send = encode(encoder(HttpMethod.GET), full(OK, composite));
        assertEquals(0, send.pinnedBufferCount());
        assertEquals(0, composite.refCnt());
        assertEquals("abcd", text(ResponseRecordReader.read(send)));
    }

    @Test
    void largeHeapBodyIsCopiedWhole() {
        String big = "0123456789abcdef".repeat(16 * 1024);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), full(big));
        assertEquals(big, text(record));
        assertEquals(String.valueOf(big.length()), record.header("content-length"));
    }

    @Test
    void directBuffersFromTheAllocatorAreReferencedToo() {
        ByteBuf body = track(alloc.directBuffer().writeBytes("pooled".getBytes(StandardCharsets.US_ASCII)));
        EncodedSend send = encode(encoder(HttpMethod.GET), full(OK, body));
        assertEquals(1, send.pinnedBufferCount());
        assertEquals("pooled", text(ResponseRecordReader.read(send)));
    }
}
