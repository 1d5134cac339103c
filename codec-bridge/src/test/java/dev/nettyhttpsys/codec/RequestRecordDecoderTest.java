package dev.nettyhttpsys.codec;

import dev.nettyhttpsys.testsupport.LeakDetectorGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakDetectorGate.class)
class RequestRecordDecoderTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferReleased() {
        alloc.assertAllReleased();
    }

    private DecodedRequest decode(ByteBuf record) {
        DecodedRequest decoded = RequestRecordDecoder.decode(record, alloc);
        decoded.initialBody().release();
        return decoded;
    }

    @Test
    void decodesAPlainGet() {
        ByteBuf record = new RequestRecordBuilder().method("GET").url("/path/x?q=1&r=%20")
                .ids(0x1122334455667788L, -5L)
                .knownHeader(28, "example.com").knownHeader(40, "curl/8").header("X-Trace", "abc").build();
        DecodedRequest decoded = decode(record);
        HttpRequest request = decoded.request();
        assertSame(HttpMethod.GET, request.method());
        assertEquals("/path/x?q=1&r=%20", request.uri());
        assertSame(HttpVersion.HTTP_1_1, request.protocolVersion());
        assertEquals("example.com", request.headers().get(HttpHeaderNames.HOST));
        assertEquals("curl/8", request.headers().get("user-agent"));
        assertEquals("abc", request.headers().get("x-trace"));
        assertEquals(3, request.headers().size());
        assertEquals(0x1122334455667788L, decoded.requestId());
        assertEquals(-5L, decoded.connectionId());
        assertEquals(0, decoded.flags());
        assertFalse(decoded.hasMoreBody());
        assertFalse(decoded.isSecure());
        assertFalse(decoded.isHttp2());
        assertSame(Unpooled.EMPTY_BUFFER, decoded.initialBody());
    }

    @Test
    void theUriIsTheCanonicalTargetAndTheRawOneStaysAvailable() {
        ByteBuf record = new RequestRecordBuilder().url("/app1/..%5capp2/%7ex?q=%2F")
                .cookedUrl("/app2/~x?q=%2F").knownHeader(28, "h").build();
        DecodedRequest decoded = decode(record);
        assertEquals("/app2/~x?q=%2F", decoded.request().uri());
        assertEquals("/app1/..%5capp2/%7ex?q=%2F", decoded.rawUri());
        assertEquals("h", decoded.request().headers().get(HttpHeaderNames.HOST));
    }

    @Test
    void withoutACookedUrlTheRawTargetIsTheUri() {
        DecodedRequest decoded = decode(new RequestRecordBuilder().url("/plain?x=1").build());
        assertEquals("/plain?x=1", decoded.request().uri());
        assertSame(decoded.request().uri(), decoded.rawUri());
    }

    @Test
    void everyRequestHeaderIdMapsToItsName() {
        RequestRecordBuilder builder = new RequestRecordBuilder();
        for (int id = 0; id < KnownHeadersTest.REQUEST.size(); id++) {
            builder.knownHeader(id, "value-" + id);
        }
        HttpHeaders headers = decode(builder.build()).request().headers();
        assertEquals(41, headers.size());
        int id = 0;
        for (Map.Entry<CharSequence, CharSequence> header : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                headers::iteratorCharSequence) {
            assertTrue(KnownHeadersTest.REQUEST.get(id).equalsIgnoreCase(header.getKey().toString()),
                    "id " + id + " named " + header.getKey());
            assertSame(KnownHeaders.requestHeaderName(id), header.getKey(), "the shared constant for id " + id);
            assertEquals("value-" + id, header.getValue().toString());
            id++;
        }
    }

    @Test
    void unknownHeadersKeepTheirNamesAndOrder() {
        ByteBuf record = new RequestRecordBuilder().header("X-First", "1").knownHeader(4, "no-cache")
                .header("x-multi", "a").header("X-Multi", "b").header("Sec-WebSocket-Key", "dGhl").build();
        HttpHeaders headers = decode(record).request().headers();
        List<Map.Entry<String, String>> entries = headers.entries();
        assertEquals("X-First", entries.get(0).getKey());
        assertEquals("Pragma", entries.get(1).getKey());  // a known header in its canonical spelling
        assertEquals(List.of("a", "b"), headers.getAll("X-MULTI"));
        assertEquals("dGhl", headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY));
        headers.iteratorCharSequence().forEachRemaining(e -> assertInstanceOf(AsciiString.class, e.getKey()));
    }

    @Test
    void valuesAreIso88591AndNotValidatedAgain() {
        ByteBuf record = new RequestRecordBuilder().header("X-Latin", "caf\u00e9")
                .header("X-Odd Name", "\u0001raw").build();
        HttpHeaders headers = decode(record).request().headers();
        assertEquals("caf\u00e9", headers.get("x-latin"));
        assertEquals("\u0001raw", headers.get("X-Odd Name"));
    }

    @Test
    void emptyHeaderValueIsKept() {
        HttpHeaders headers = decode(new RequestRecordBuilder().header("X-Empty", "").build()).request().headers();
        assertEquals("", headers.get("x-empty"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"})
    void standardVerbsAreTheSharedConstants(String verb) {
        HttpMethod method = decode(new RequestRecordBuilder().method(verb).build()).request().method();
        assertSame(HttpMethod.valueOf(verb), method);
        assertEquals(verb, method.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROPFIND", "MKCOL", "BREW", "get", "X", "M-SEARCH"})
    void otherVerbsPassThrough(String verb) {
        assertEquals(verb, decode(new RequestRecordBuilder().method(verb).build()).request().method().name());
    }

    @Test
    void invalidVerbIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> decode(new RequestRecordBuilder().method("GE T").build()));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> decode(new RequestRecordBuilder().method("").build()));
        assertTrue(empty.getMessage().contains("method"), empty.getMessage());
    }

    @Test
    void httpVersions() {
        assertSame(HttpVersion.HTTP_1_0, decode(new RequestRecordBuilder().version(1, 0).build())
                .request().protocolVersion());
        assertSame(HttpVersion.HTTP_1_1, decode(new RequestRecordBuilder().version(1, 1).build())
                .request().protocolVersion());
        DecodedRequest http2 = decode(new RequestRecordBuilder().version(2, 0)
                .flags(DecodedRequest.FLAG_HTTP2 | DecodedRequest.FLAG_SECURE).build());
        assertSame(HttpVersion.HTTP_1_1, http2.request().protocolVersion());
        assertTrue(http2.isHttp2());
        assertTrue(http2.isSecure());
        assertFalse(http2.hasMoreBody());
    }

    @Test
    void moreBodyFlag() {
        DecodedRequest decoded = decode(new RequestRecordBuilder().flags(DecodedRequest.FLAG_MORE_BODY).build());
        assertTrue(decoded.hasMoreBody());
        assertEquals(1, decoded.flags());
    }

    @Test
    void ipv4AndIpv6Addresses() throws Exception {
        InetSocketAddress remote6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 65535);
        InetSocketAddress local6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        DecodedRequest v6 = decode(new RequestRecordBuilder().remote(remote6).local(local6).build());
        assertEquals(remote6, v6.remoteAddress());
        assertEquals(local6, v6.localAddress());

        InetSocketAddress remote4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 1);
        InetSocketAddress local4 = new InetSocketAddress(InetAddress.getByName("192.168.0.1"), 8080);
        DecodedRequest v4 = decode(new RequestRecordBuilder().remote(remote4).local(local4).build());
        assertEquals(remote4, v4.remoteAddress());
        assertEquals(local4, v4.localAddress());
    }

    @Test
    void unknownAddressFamilyZeroIsNull() {
        DecodedRequest decoded = decode(new RequestRecordBuilder().remote(null).local(null).build());
        assertNull(decoded.remoteAddress());
        assertNull(decoded.localAddress());
    }

    @Test
    void localAddressIsReusedWhileItStaysTheSame() throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 18080);
        InetSocketAddress first = decode(new RequestRecordBuilder().local(local).build()).localAddress();
        InetSocketAddress second = decode(new RequestRecordBuilder().local(local).build()).localAddress();
        assertSame(first, second);
        InetSocketAddress otherPort = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 18081);
        assertEquals(otherPort, decode(new RequestRecordBuilder().local(otherPort).build()).localAddress());
    }

    @Test
    void addressFamilyOtherThan4Or6IsMalformed() {
        ByteBuf record = new RequestRecordBuilder().build();
        record.setShortLE(40, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestRecordDecoder.decode(record, alloc));
        assertTrue(e.getMessage().contains("remote"), e.getMessage());
    }

    @Test
    void bodyIsCopiedOutOfTheRecord() {
        ByteBuf record = new RequestRecordBuilder().method("POST").body("hello=world").build();
        DecodedRequest decoded = RequestRecordDecoder.decode(record, alloc);
        ByteBuf body = decoded.initialBody();
        record.setZero(0, record.capacity());  // native memory is reused soon after decoding
        assertEquals("hello=world", body.toString(StandardCharsets.US_ASCII));
        assertEquals(1, alloc.allocationCount());
        body.release();
    }

    @Test
    void readsFromTheReaderIndexWithoutMovingIt() {
        ByteBuf record = new RequestRecordBuilder().url("/offset").body("b").build();
        ByteBuf window = RequestRecordBuilder.scratch();
        window.writeZero(40).writeBytes(record).writeZero(16);
        window.readerIndex(40);
        DecodedRequest decoded = decode(window);
        assertEquals("/offset", decoded.request().uri());
        assertEquals(40, window.readerIndex());
    }

    @Test
    void decodesFromDirectMemory() {
        ByteBuf heap = new RequestRecordBuilder().url("/direct").knownHeader(28, "h").body("xyz").build();
        ByteBuf direct = Unpooled.directBuffer(heap.readableBytes()).writeBytes(heap);
        try {
            DecodedRequest decoded = RequestRecordDecoder.decode(direct, alloc);
            assertEquals("/direct", decoded.request().uri());
            assertEquals("xyz", decoded.initialBody().toString(StandardCharsets.US_ASCII));
            decoded.initialBody().release();
        } finally {
            direct.release();
        }
    }

    @Test
    void stringsOutliveTheNextRecordDecodedOnTheThread() {
        // The text of a record is copied into an array the thread reuses: what the request
        // keeps (unknown names included) must be its own copy.
        HttpRequest first = decode(new RequestRecordBuilder().url("/first").header("X-Alpha", "one").build()).request();
        HttpRequest second = decode(new RequestRecordBuilder().url("/2nd").header("X-Omega", "two").build()).request();
        assertEquals("/first", first.uri());
        assertEquals("X-Alpha", first.headers().names().iterator().next());
        assertEquals("one", first.headers().get("x-alpha"));
        assertEquals("/2nd", second.uri());
        assertEquals("X-Omega", second.headers().names().iterator().next());
    }

    @Test
    void aHeadLargerThanTheReusedArrayDecodes() {
        String large = "v".repeat(6000);
        HttpRequest big = decode(new RequestRecordBuilder().url("/big").header("X-Large", large).body("b").build())
                .request();
        HttpRequest small = decode(new RequestRecordBuilder().url("/s").knownHeader(28, "h").build()).request();
        assertEquals(large, big.headers().get("x-large"));
        assertEquals("/big", big.uri());
        assertEquals("/s", small.uri());
        assertEquals("h", small.headers().get(HttpHeaderNames.HOST));
    }

    // ---- malformed records ----

    private void assertMalformed(ByteBuf record, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestRecordDecoder.decode(record, alloc));
        assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
    }

    @Test
    void recordShorterThanItsHeader() {
        assertMalformed(RequestRecordBuilder.scratch().writeZero(87), "88-byte header");
    }

    @Test
    void recordLengthPastTheBuffer() {
        ByteBuf record = new RequestRecordBuilder().build();
        record.setIntLE(0, record.readableBytes() + 1);
        assertMalformed(record, "recordLength");
        record.setIntLE(0, 87);
        assertMalformed(record, "recordLength");
        record.setIntLE(0, -1);
        assertMalformed(record, "recordLength");
    }

    @Test
    void methodPastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().build();
        record.setShortLE(30, 0xFFFF);
        assertMalformed(record, "method");
    }

    @Test
    void urlPastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().build();
        record.setIntLE(32, Integer.MAX_VALUE);
        assertMalformed(record, "url");
        record.setIntLE(32, -1);  // u32 0xFFFFFFFF, not a negative length
        assertMalformed(record, "url");
    }

    @Test
    void cookedUrlPastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().build();
        record.setIntLE(84, 5000);
        assertMalformed(record, "cooked url");
        record.setIntLE(84, -1);
        assertMalformed(record, "cooked url");
    }

    @Test
    void headerEntryPastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().knownHeader(28, "h").build();
        record.setShortLE(28, 2);
        assertMalformed(record, "header entry 1");
    }

    @Test
    void headerNamePastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().header("X-A", "1").build();
        record.setShortLE(88 + 3 + 1 + 2, 5000);  // entry after "GET" "/"
        assertMalformed(record, "header name 0");
    }

    @Test
    void headerValuePastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().knownHeader(28, "h").build();
        record.setIntLE(88 + 3 + 1 + 4, 5000);
        assertMalformed(record, "header value 0");
    }

    @Test
    void bodyPastTheEnd() {
        ByteBuf record = new RequestRecordBuilder().body("abc").build();
        record.setIntLE(36, 4);
        assertMalformed(record, "body");
    }

    @Test
    void knownIdOutsideTheRequestTable() {
        assertMalformed(new RequestRecordBuilder().knownHeader(41, "x").build(), "unknown id 41");
    }

    @Test
    void knownIdWithAName() {
        byte[] entry = {28, 0, 1, 0, 1, 0, 0, 0, 'h', 'v'};
        assertMalformed(new RequestRecordBuilder().rawHeader(entry).build(), "both a known id and a name");
    }

    @Test
    void unknownHeaderWithoutAName() {
        byte[] entry = {(byte) 0xFF, 0, 0, 0, 1, 0, 0, 0, 'v'};
        assertMalformed(new RequestRecordBuilder().rawHeader(entry).build(), "header name 0 is empty");
    }
}
