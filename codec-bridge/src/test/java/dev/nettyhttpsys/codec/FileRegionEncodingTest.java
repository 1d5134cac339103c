package dev.nettyhttpsys.codec;

import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FileRegion bodies: a file chunk when the transport knows the handle, copied bytes otherwise. */
class FileRegionEncodingTest extends EncoderTestSupport {
    private static final long HANDLE = 42;

    private static DefaultFileRegion region(Path dir, int position, int count) throws IOException {
        Path file = Files.writeString(dir.resolve("body.txt"), "0123456789abcdefghij", StandardCharsets.US_ASCII);
        return new DefaultFileRegion(file.toFile(), position, count);
    }

    private static HttpResponse headWithLength(long length) {
        HttpResponse head = head(OK);
        HttpUtil.setContentLength(head, length);
        return head;
    }

    @Test
    void regionWithAHandleBecomesAFileChunkPinnedUntilRelease(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HTTP_1_1, false, 0, r -> HANDLE);
        send(encoder, headWithLength(5));
        DefaultFileRegion region = track(region(dir, 3, 5));
        EncodedSend send = encoder.encode(region, alloc);
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(1, record.chunks().size());
        ParsedResponseRecord.Chunk chunk = record.chunks().get(0);
        assertEquals(ResponseRecordWriter.CHUNK_FILE, chunk.kind());
        assertEquals(HANDLE, chunk.handleOrAddress());
        assertEquals(3, chunk.offset());
        assertEquals(5, chunk.length());
        assertEquals(ResponseRecordEncoder.FLAG_MORE_DATA, record.flags());
        assertEquals(1, region.refCnt(), "the send holds the region (its file must stay open)");
        send.release();
        assertEquals(0, region.refCnt());
    }

    @Test
    void aChunkedResponsesFileChunkIsFramedByTheEngine(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HTTP_1_1, false, 0, r -> HANDLE);
        send(encoder, head(OK));
        ParsedResponseRecord record = send(encoder, track(region(dir, 0, 20)));
        assertTrue(record.isChunked());
        assertEquals(1, record.chunks().size(), "no framing bytes: the engine writes them");
        assertEquals(ResponseRecordWriter.CHUNK_FILE, record.chunks().get(0).kind());
        assertEquals(20, record.chunks().get(0).length());
    }

    @Test
    void aFileRegionPastTheDeclaredLengthIsRefused(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HTTP_1_1, false, 0, r -> HANDLE);
        send(encoder, headWithLength(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encode(encoder, track(region(dir, 0, 20))));
        assertTrue(e.getMessage().contains("runs past its Content-Length of 10"), e.getMessage());
    }

    @Test
    void regionWithoutAHandleIsCopied(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, headWithLength(7));
        ParsedResponseRecord record = send(encoder, track(region(dir, 10, 7)));
        assertEquals("abcdefg", text(record));
        assertEquals(ResponseRecordWriter.CHUNK_MEMORY, record.chunks().get(0).kind());
    }

    @Test
    void headRequestsSendNoFileBytes(@TempDir Path dir) throws IOException {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.HEAD, HTTP_1_1, false, 0, r -> HANDLE);
        HttpResponse head = headWithLength(20);
        assertEquals("20", send(encoder, head).header(HttpHeaderNames.CONTENT_LENGTH.toString()));
        assertNull(encode(encoder, track(region(dir, 0, 20))));
    }
}
