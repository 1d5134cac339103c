package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_CHUNKED;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_HAS_HEAD;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_MORE_DATA;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_OPAQUE;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several messages of one flush appended into one send: one record, every part's chunks in order. */
class BatchedSendEncodingTest extends EncoderTestSupport {
    private static final long HANDLE = 42;

    private EncodedSend finish(ResponseRecordEncoder encoder) {
        return encoder.finishSend();
    }

    @Test
    void aWholeStreamedResponseInOneFlushIsOneRecord(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HTTP_1_1, false, 0, r -> HANDLE);
        Path file = Files.writeString(dir.resolve("part.txt"), "FILEPART", StandardCharsets.US_ASCII);
        ByteBuf direct = direct("direct|");
        encoder.append(head(OK), alloc);
        encoder.append(content(heap("heap|")), alloc);
        encoder.append(content(direct), alloc);
        assertFalse(encoder.mustFinishSend());
        encoder.append(track(new DefaultFileRegion(file.toFile(), 0, 8)), alloc);
        LastHttpContent last = last(heap("|end"));
        last.trailingHeaders().add("X-Digest", "abc");
        encoder.append(last, alloc);
        assertTrue(encoder.mustFinishSend(), "the response is complete");

        EncodedSend send = finish(encoder);
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertTrue(send.isLast());
        assertEquals(FLAG_HAS_HEAD | FLAG_CHUNKED, record.flags(), "one chunked send: head, data, end");
        assertEquals(200, record.status());
        assertEquals(List.of(new ParsedResponseRecord.Header(-1, "X-Digest", "abc")), record.trailers());
        List<ParsedResponseRecord.Chunk> chunks = record.chunks();
        assertEquals(4, chunks.size(), "copied heap bytes, the direct buffer in place, the file, copied heap bytes");
        assertEquals("heap|", new String(chunks.get(0).bytes(), StandardCharsets.ISO_8859_1));
        assertEquals(direct.memoryAddress() + direct.readerIndex(), chunks.get(1).handleOrAddress());
        assertEquals(ResponseRecordWriter.CHUNK_FILE, chunks.get(2).kind());
        assertEquals(HANDLE, chunks.get(2).handleOrAddress());
        assertEquals(8, chunks.get(2).length());
        assertEquals("|end", new String(chunks.get(3).bytes(), StandardCharsets.ISO_8859_1));
        assertEquals(3, send.pinnedBufferCount(), "the direct buffer, the file region, the copies after the head");
        assertEquals(1, direct.refCnt(), "held by the send until it completes");
        send.release();
        assertEquals(0, direct.refCnt());
        assertNull(encoder.finishSend(), "nothing left to send");
    }

    @Test
    void copiesAfterTheHeadShareOneOverflowChunk() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse head = head(OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 6);
        encoder.append(head, alloc);
        encoder.append(content(heap("abc")), alloc);
        encoder.append(content(heap("def")), alloc);
        EncodedSend send = finish(encoder);
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA, record.flags(), "the last part is still to come");
        assertEquals("6", record.header("content-length"));
        assertEquals(1, record.chunks().size(), "adjacent copies share a chunk");
        assertEquals("abcdef", text(record));
        send.release();
    }

    @Test
    void aFailingPartLeavesTheEarlierPartsInTheSend() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        encoder.append(head(OK), alloc);
        encoder.append(content(heap("kept")), alloc);
        LastHttpContent bad = track(new DefaultLastHttpContent(heap("lost"),
                DefaultHttpHeadersFactory.trailersFactory().withValidation(false)));
        bad.trailingHeaders().add("X-Bad", "line\r\nbreak");
        assertThrows(IllegalArgumentException.class, () -> encoder.append(bad, alloc));
        assertEquals(0, bad.refCnt(), "a refused part is released");
        EncodedSend send = finish(encoder);
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA | FLAG_CHUNKED, record.flags());
        assertEquals("kept", text(record));
        assertTrue(record.trailers().isEmpty());
        send.release();
    }

    @Test
    void aFailingHeadLeavesNothingToSend() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse head = new DefaultHttpResponse(HTTP_1_1, OK,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        head.headers().add("X-Fine", "ok").add("X-Bad", "line\r\nbreak");
        assertThrows(IllegalArgumentException.class, () -> encoder.append(head, alloc));
        assertNull(encoder.finishSend());
        assertFalse(encoder.mustFinishSend());
    }

    @Test
    void switchingProtocolsEndsTheSendAndOpaqueBytesBatch() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse upgrade = head(HttpResponseStatus.SWITCHING_PROTOCOLS);
        upgrade.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        encoder.append(upgrade, alloc);
        assertTrue(encoder.mustFinishSend(), "opaque reads start when the 101 is sent");
        EncodedSend switched = finish(encoder);
        assertEquals(FLAG_HAS_HEAD | FLAG_OPAQUE | FLAG_MORE_DATA, switched.flags());
        switched.release();

        encoder.append(heap("frame1"), alloc);
        encoder.append(heap("frame2"), alloc);
        assertFalse(encoder.mustFinishSend());
        EncodedSend frames = finish(encoder);
        ParsedResponseRecord record = ResponseRecordReader.read(frames);
        assertEquals(FLAG_MORE_DATA, record.flags());
        assertEquals("frame1frame2", text(record));
        frames.release();
    }
}
