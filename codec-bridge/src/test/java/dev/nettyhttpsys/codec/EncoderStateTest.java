package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message order, unsupported messages, and cleanup when encoding fails. */
class EncoderStateTest extends EncoderTestSupport {

    private static void assertMessage(RuntimeException e, String part) {
        assertTrue(e.getMessage().contains(part), "message mentions '" + part + "': " + e.getMessage());
    }

    @Test
    void contentBeforeTheHeadIsRejectedAndReleased() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, content(heap("x")))),
                "before the response head");
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, direct("x"))),
                "before the response head");
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, last(heap("x")))),
                "before the response head");
        send(encoder, full("still usable"));
    }

    @Test
    void anythingAfterTheCompleteResponseIsRejectedAndReleased() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, full("done"));
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, content(heap("late")))),
                "already complete");
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, full("again"))),
                "already complete");
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, direct("raw"))),
                "already complete");
    }

    @Test
    void afterTheLastContentTheResponseIsComplete() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        send(encoder, LastHttpContent.EMPTY_LAST_CONTENT);
        assertTrue(encoder.isComplete());
        assertThrows(IllegalStateException.class, () -> encode(encoder, LastHttpContent.EMPTY_LAST_CONTENT));
    }

    @Test
    void aSecondHeadIsRejected() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, full("second"))),
                "second response head");
    }

    @Test
    void unsupportedTypesAreNamed() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> encode(encoder, "a string")),
                "java.lang.String");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> encode(encoder, null)), "null");
        DefaultFullHttpRequest request = track(new DefaultFullHttpRequest(HTTP_1_1, HttpMethod.GET, "/",
                heap("body")));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> encode(encoder, request)),
                "DefaultFullHttpRequest");
        send(encoder, head(OK));
        DefaultByteBufHolder holder = track(new DefaultByteBufHolder(heap("held")));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> encode(encoder, holder)),
                "DefaultByteBufHolder");
    }

    @Test
    void fileRegionBeforeTheHeadIsRejectedAndReleased(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("body.txt"), "file body");
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        DefaultFileRegion region = track(new DefaultFileRegion(file.toFile(), 0, 9));
        assertMessage(assertThrows(IllegalStateException.class, () -> encode(encoder, region)),
                "before the response head");
    }

    @Test
    void failureWhileEncodingReleasesEverythingAndKeepsTheState() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        ByteBuf body = direct("pinned before the failure");
        FullHttpResponse response = full(OK, body);
        response.headers().set("X-" + "n".repeat(70_000), "name longer than a u16");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> encode(encoder, response)),
                "field name length");
        assertEquals(0, body.refCnt());
        alloc.assertAllReleased();
        send(encoder, full("the response can still be sent"));
    }

    @Test
    void statusOutsideHttpsRangeIsRejected() {
        for (int code : new int[] {600, 999, 1000}) {
            HttpResponse response = head(new io.netty.handler.codec.http.HttpResponseStatus(code, "Beyond"));
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> encode(encoder(HttpMethod.GET), response)), "status " + code + " outside 100-599");
        }
        assertEquals(599, send(encoder(HttpMethod.GET), full(new io.netty.handler.codec.http.HttpResponseStatus(599,
                "Last"), direct("x"))).status());
    }
}
