package dev.nettyhttpsys.codec;

import dev.nettyhttpsys.testsupport.LeakDetectorGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCounted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Shared fixture of the encoder tests: tracked inputs and sends. After each test every send is
 * released, then every input and every buffer the encoder allocated must be at refCnt 0.
 */
@ExtendWith(LeakDetectorGate.class)
abstract class EncoderTestSupport {
    static final HttpVersion HTTP_1_1 = HttpVersion.HTTP_1_1;
    static final HttpVersion HTTP_1_0 = HttpVersion.HTTP_1_0;

    final TrackingAllocator alloc = new TrackingAllocator();
    private final List<ReferenceCounted> inputs = new ArrayList<>();
    private final List<EncodedSend> sends = new ArrayList<>();

    @AfterEach
    final void releaseAndCheckForLeaks() {
        for (EncodedSend send : sends) {
            send.release();
        }
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(0, inputs.get(i).refCnt(), "input " + i + " not released: " + inputs.get(i));
        }
        alloc.assertAllReleased();
    }

    static ResponseRecordEncoder encoder(HttpMethod method) {
        return new ResponseRecordEncoder(method, HTTP_1_1, false, 0);
    }

    static ResponseRecordEncoder encoder(HttpMethod method, HttpVersion version, boolean http2, long ttl) {
        return new ResponseRecordEncoder(method, version, http2, ttl);
    }

    /** Encodes and keeps the send for release after the test; null results are passed through. */
    EncodedSend encode(ResponseRecordEncoder encoder, Object msg) {
        return keep(encoder.encode(msg, alloc));
    }

    /** Keeps a send for release after the test; null is passed through. */
    EncodedSend keep(EncodedSend send) {
        if (send != null) {
            sends.add(send);
        }
        return send;
    }

    /** Encodes a message that must produce a send, and parses it. */
    ParsedResponseRecord send(ResponseRecordEncoder encoder, Object msg) {
        EncodedSend send = encode(encoder, msg);
        assertNotNull(send, "a send for " + msg);
        ParsedResponseRecord parsed = ResponseRecordReader.read(send);
        assertEquals(send.flags(), parsed.flags());
        assertEquals(send.recordLength(), send.record().readableBytes());
        assertEquals(send.record().memoryAddress() + send.record().readerIndex(), send.recordAddress());
        return parsed;
    }

    <T extends ReferenceCounted> T track(T input) {
        inputs.add(input);
        return input;
    }

    ByteBuf heap(String text) {
        return track(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    ByteBuf direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return track(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    }

    FullHttpResponse full(HttpResponseStatus status, ByteBuf body) {
        return track(new DefaultFullHttpResponse(HTTP_1_1, status, body));
    }

    FullHttpResponse full(String body) {
        return full(HttpResponseStatus.OK, heap(body));
    }

    static HttpResponse head(HttpResponseStatus status) {
        return new DefaultHttpResponse(HTTP_1_1, status);
    }

    HttpContent content(ByteBuf bytes) {
        return track(new DefaultHttpContent(bytes));
    }

    LastHttpContent last(ByteBuf bytes) {
        return track(new DefaultLastHttpContent(bytes));
    }

    static String text(ParsedResponseRecord record) {
        return record.body(StandardCharsets.ISO_8859_1);
    }
}
