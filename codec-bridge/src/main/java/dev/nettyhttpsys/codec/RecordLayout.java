package dev.nettyhttpsys.codec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the records' fields sit (records.h), for the code that writes and reads them, and the table of
 * every record fact this module was compiled for, named as the engine names them. The transport
 * compares that table with the one the native library exports (engine_abi.h) once at load, so a
 * jar and a library built from different sources fail at once instead of misreading records.
 * Plumbing between the transport and the engine; applications need none of it.
 */
public final class RecordLayout {
    static final int REQUEST_FLAGS = 4;
    static final int REQUEST_ID = 8;
    static final int REQUEST_CONNECTION_ID = 16;
    static final int REQUEST_HTTP_MAJOR = 24;
    static final int REQUEST_HTTP_MINOR = 26;
    static final int REQUEST_HEADER_COUNT = 28;
    static final int REQUEST_METHOD_LENGTH = 30;
    static final int REQUEST_URL_LENGTH = 32;
    static final int REQUEST_BODY_LENGTH = 36;
    static final int REQUEST_REMOTE = 40;
    static final int REQUEST_LOCAL = 60;
    static final int REQUEST_TLS_OFFSET = 80;
    static final int REQUEST_COOKED_URL_LENGTH = 84;
    static final int RESPONSE_FLAGS = 4;
    static final int RESPONSE_STATUS = 8;
    static final int RESPONSE_REASON_LENGTH = 10;
    static final int RESPONSE_HEADER_COUNT = 12;
    static final int RESPONSE_CHUNK_COUNT = 14;
    static final int RESPONSE_CACHE_TTL = 16;
    static final int RESPONSE_TRAILER_COUNT = 20;
    static final int RESPONSE_RESERVED = 22;
    static final int CHUNK_HANDLE_OR_ADDRESS = 8;
    static final int CHUNK_OFFSET = 16;
    static final int CHUNK_LENGTH = 24;
    static final int HEADER_ENTRY_SIZE = 8;
    static final int HEADER_ENTRY_NAME_LENGTH = 2;
    static final int HEADER_ENTRY_VALUE_LENGTH = 4;
    static final int ADDRESS_PORT = 2;
    static final int ADDRESS_BYTES = 4;
    static final int TLS_PROTOCOL = 4;
    static final int TLS_CONNECTION_KEY_SIZE = 32;
    static final int TLS_CERT_ERROR_FLAGS = 36;
    static final int TLS_CERT_LENGTH = 40;

    private RecordLayout() {
    }

    /** The record facts of this module as {@code engine name -> value}, in the engine's spelling. */
    public static Map<String, String> abiFacts() {
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "kRequestMoreBody", DecodedRequest.FLAG_MORE_BODY);
        put(facts, "kRequestSecure", DecodedRequest.FLAG_SECURE);
        put(facts, "kRequestHttp2", DecodedRequest.FLAG_HTTP2);
        put(facts, "kTlsClientCertNegotiated", TlsFacts.CLIENT_CERT_NEGOTIATED);
        put(facts, "kTlsClientCertPresent", TlsFacts.CLIENT_CERT_PRESENT);
        put(facts, "kTlsCertDeniedByMapper", TlsFacts.CERT_DENIED_BY_MAPPER);
        put(facts, "TlsRecord.size", TlsRecordDecoder.SIZE);
        put(facts, "TlsRecord.protocol", TLS_PROTOCOL);
        put(facts, "TlsRecord.connectionKeySize", TLS_CONNECTION_KEY_SIZE);
        put(facts, "TlsRecord.certErrorFlags", TLS_CERT_ERROR_FLAGS);
        put(facts, "TlsRecord.certLength", TLS_CERT_LENGTH);
        put(facts, "SocketAddressRecord.size", SocketAddressDecoder.SIZE);
        put(facts, "SocketAddressRecord.port", ADDRESS_PORT);
        put(facts, "SocketAddressRecord.address", ADDRESS_BYTES);
        put(facts, "RequestRecordHeader.size", RequestRecordDecoder.HEADER_SIZE);
        put(facts, "RequestRecordHeader.flags", REQUEST_FLAGS);
        put(facts, "RequestRecordHeader.requestId", REQUEST_ID);
        put(facts, "RequestRecordHeader.connectionId", REQUEST_CONNECTION_ID);
        put(facts, "RequestRecordHeader.httpMajor", REQUEST_HTTP_MAJOR);
        put(facts, "RequestRecordHeader.httpMinor", REQUEST_HTTP_MINOR);
        put(facts, "RequestRecordHeader.headerCount", REQUEST_HEADER_COUNT);
        put(facts, "RequestRecordHeader.methodLength", REQUEST_METHOD_LENGTH);
        put(facts, "RequestRecordHeader.urlLength", REQUEST_URL_LENGTH);
        put(facts, "RequestRecordHeader.bodyLength", REQUEST_BODY_LENGTH);
        put(facts, "RequestRecordHeader.remote", REQUEST_REMOTE);
        put(facts, "RequestRecordHeader.local", REQUEST_LOCAL);
        put(facts, "RequestRecordHeader.tlsOffset", REQUEST_TLS_OFFSET);
        put(facts, "RequestRecordHeader.cookedUrlLength", REQUEST_COOKED_URL_LENGTH);
        put(facts, "kUnknownHeader", KnownHeaders.UNKNOWN);
        put(facts, "HeaderEntry.size", HEADER_ENTRY_SIZE);
        put(facts, "HeaderEntry.nameLength", HEADER_ENTRY_NAME_LENGTH);
        put(facts, "HeaderEntry.valueLength", HEADER_ENTRY_VALUE_LENGTH);
        put(facts, "kResponseHasHead", ResponseRecordEncoder.FLAG_HAS_HEAD);
        put(facts, "kResponseMoreData", ResponseRecordEncoder.FLAG_MORE_DATA);
        put(facts, "kResponseDisconnect", ResponseRecordEncoder.FLAG_DISCONNECT);
        put(facts, "kResponseOpaque", ResponseRecordEncoder.FLAG_OPAQUE);
        put(facts, "kResponseBufferData", ResponseRecordEncoder.FLAG_BUFFER_DATA);
        put(facts, "kResponseEnableNagling", ResponseRecordEncoder.FLAG_ENABLE_NAGLING);
        put(facts, "kResponseChunked", ResponseRecordEncoder.FLAG_CHUNKED);
        put(facts, "ResponseRecordHeader.size", ResponseRecordWriter.HEADER_SIZE);
        put(facts, "ResponseRecordHeader.flags", RESPONSE_FLAGS);
        put(facts, "ResponseRecordHeader.status", RESPONSE_STATUS);
        put(facts, "ResponseRecordHeader.reasonLength", RESPONSE_REASON_LENGTH);
        put(facts, "ResponseRecordHeader.headerCount", RESPONSE_HEADER_COUNT);
        put(facts, "ResponseRecordHeader.chunkCount", RESPONSE_CHUNK_COUNT);
        put(facts, "ResponseRecordHeader.cacheTtlSeconds", RESPONSE_CACHE_TTL);
        put(facts, "ResponseRecordHeader.trailerCount", RESPONSE_TRAILER_COUNT);
        put(facts, "ResponseRecordHeader.reserved", RESPONSE_RESERVED);
        put(facts, "kChunkMemory", ResponseRecordWriter.CHUNK_MEMORY);
        put(facts, "kChunkFile", ResponseRecordWriter.CHUNK_FILE);
        put(facts, "DataChunk.size", ResponseRecordWriter.CHUNK_SIZE);
        put(facts, "DataChunk.handleOrAddress", CHUNK_HANDLE_OR_ADDRESS);
        put(facts, "DataChunk.offset", CHUNK_OFFSET);
        put(facts, "DataChunk.length", CHUNK_LENGTH);
        put(facts, "kRequestHeaderCount", KnownHeaders.REQUEST_HEADER_COUNT);
        put(facts, "kResponseHeaderCount", KnownHeaders.RESPONSE_HEADER_COUNT);
        for (int id = 0; id < KnownHeaders.REQUEST_HEADER_COUNT; id++) {
            facts.put("request.header." + id, KnownHeaders.requestHeaderName(id).toString());
        }
        for (int id = 0; id < KnownHeaders.RESPONSE_HEADER_COUNT; id++) {
            facts.put("response.header." + id, KnownHeaders.responseHeaderName(id).toString());
        }
        return facts;
    }

    private static void put(Map<String, String> facts, String name, long value) {
        facts.put(name, Long.toString(value));
    }
}
