package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Known response names travel as ids, everything else by name, values byte for byte. */
class HeaderEncodingTest extends EncoderTestSupport {

    @Test
    void everyKnownResponseNameIsSentById() {
        FullHttpResponse response = full("");
        for (int id = 0; id < KnownHeadersTest.RESPONSE.size(); id++) {
            String name = KnownHeadersTest.RESPONSE.get(id);
            if (id != KnownHeaders.TRANSFER_ENCODING && id != KnownHeaders.CONTENT_LENGTH) {
                // mixed spellings: the lookup is case-insensitive
                response.headers().add(id % 2 == 0 ? name : name.toUpperCase(Locale.ROOT), "v" + id);
            }
        }
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(KnownHeadersTest.RESPONSE.size() - 1, record.headers().size());
        for (ParsedResponseRecord.Header header : record.headers()) {
            int id = header.knownId();
            assertEquals(KnownHeadersTest.RESPONSE.get(id), header.name());
            if (id != KnownHeaders.CONTENT_LENGTH) {
                assertEquals("v" + id, header.value());
            }
        }
    }

    @Test
    void unknownNamesAreSentAsWrittenIncludingRequestOnlyNames() {
        FullHttpResponse response = full("");
        response.headers().add("X-Custom-Header", "1").add(AsciiString.of("x-lower"), "2")
                .add("Host", "request-only id").add("Cookie", "request-only too");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        List<ParsedResponseRecord.Header> headers = record.headers();
        assertEquals(new ParsedResponseRecord.Header(-1, "X-Custom-Header", "1"), headers.get(0));
        assertEquals(new ParsedResponseRecord.Header(-1, "x-lower", "2"), headers.get(1));
        assertEquals(new ParsedResponseRecord.Header(-1, "Host", "request-only id"), headers.get(2));
        assertEquals(new ParsedResponseRecord.Header(-1, "Cookie", "request-only too"), headers.get(3));
    }

    @Test
    void repeatedHeadersAreSeparateEntriesInOrder() {
        FullHttpResponse response = full("");
        response.headers().add(HttpHeaderNames.SET_COOKIE, "a=1").add(HttpHeaderNames.SET_COOKIE, "b=2")
                .add("X-Multi", "x").add("X-Multi", "y");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(List.of("a=1", "b=2"), record.headerValues("set-cookie"));
        assertEquals(27, record.headers().get(0).knownId());
        assertEquals(27, record.headers().get(1).knownId());
        assertEquals(List.of("x", "y"), record.headerValues("x-multi"));
    }

    @Test
    void valuesAreIso88591BytesAndMayBeEmpty() {
        FullHttpResponse response = full("");
        response.headers().add("X-Latin", "caf\u00e9").add("X-Empty", "");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals("caf\u00e9", record.header("x-latin"));
        assertEquals("", record.header("x-empty"));
    }

    @Test
    void addedContentLengthIsAKnownHeaderAfterTheHandlers() {
        FullHttpResponse response = full("12345678901");
        response.headers().add("X-First", "1");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(new ParsedResponseRecord.Header(KnownHeaders.CONTENT_LENGTH, "Content-Length", "11"),
                record.headers().get(1));
    }

    @Test
    void valuesOfEveryKindOfCharSequenceAreWrittenByteForByte() {
        FullHttpResponse response = full("");
        response.headers().add("X-String", "caf\u00e9 \u00ff").add("X-Ascii", AsciiString.of("ascii value"))
                .add("X-Builder", new StringBuilder("built\tvalue"));
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(List.of("caf\u00e9 \u00ff"), record.headerValues("x-string"), "obs-text as ISO-8859-1");
        assertEquals(List.of("ascii value"), record.headerValues("x-ascii"));
        assertEquals(List.of("built\tvalue"), record.headerValues("x-builder"));
    }

    @Test
    void twoResponsesBuiltAtOnceOnOneThreadKeepTheirOwnFields() {
        // The second head is appended while the first send is still being built: each record
        // is laid out in its own memory.
        ResponseRecordEncoder first = encoder(HttpMethod.GET);
        ResponseRecordEncoder second = encoder(HttpMethod.GET);
        HttpResponse firstHead = head(HttpResponseStatus.OK);
        firstHead.headers().set("X-Which", "first").set(HttpHeaderNames.CONTENT_LENGTH, 5);
        HttpResponse secondHead = head(HttpResponseStatus.NOT_FOUND);
        secondHead.headers().set("X-Which", "second, a longer value").set(HttpHeaderNames.CONTENT_LENGTH, 6);
        first.append(firstHead, alloc);
        second.append(secondHead, alloc);
        ParsedResponseRecord secondRecord = ResponseRecordReader.read(keep(second.finishSend()));
        ParsedResponseRecord firstRecord = ResponseRecordReader.read(keep(first.finishSend()));
        assertEquals(200, firstRecord.status());
        assertEquals(List.of("first"), firstRecord.headerValues("x-which"));
        assertEquals(List.of("5"), firstRecord.headerValues("content-length"));
        assertEquals(404, secondRecord.status());
        assertEquals(List.of("second, a longer value"), secondRecord.headerValues("x-which"));
        assertEquals(List.of("6"), secondRecord.headerValues("content-length"));
    }
}
