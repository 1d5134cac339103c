package dev.nettyhttpsys.codec;

import dev.nettyhttpsys.testsupport.LeakDetectorGate;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS facts and the client certificate, decoded from request records as the windows backend
 * writes them. The certificate fixture was made with openssl (a test CA signing "test client");
 * the expected fingerprints and dates are what {@code openssl x509 -fingerprint} printed for it.
 */
@ExtendWith(LeakDetectorGate.class)
class TlsFactsTest {
    private static final int SECURE = DecodedRequest.FLAG_SECURE;
    private static final int NEGOTIATED_WITH_CERT = TlsFacts.CLIENT_CERT_NEGOTIATED | TlsFacts.CLIENT_CERT_PRESENT;
    private static final int TLS12_SERVER = 0x400;
    private static final int AES_256 = 0x6610;

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferReleased() {
        alloc.assertAllReleased();
    }

    private static byte[] certificateFixture() throws IOException {
        try (InputStream in = TlsFactsTest.class.getResourceAsStream("/tls/client-certificate.der")) {
            return in.readAllBytes();
        }
    }

    private DecodedRequest decode(ByteBuf record) {
        DecodedRequest decoded = RequestRecordDecoder.decode(record, alloc);
        decoded.initialBody().release();
        return decoded;
    }

    @Test
    void plainRequestsHaveNoTlsFacts() {
        DecodedRequest decoded = decode(new RequestRecordBuilder().build());
        assertNull(decoded.tls());
        assertNull(ClientCertificate.of(decoded.tls()));
    }

    @Test
    void trustedCertificateIsAuthorizedWithItsFacts() throws Exception {
        byte[] der = certificateFixture();
        DecodedRequest decoded = decode(new RequestRecordBuilder().flags(SECURE).body("abc")
                .tls(NEGOTIATED_WITH_CERT, TLS12_SERVER, AES_256, 256, 0, der).build());
        TlsFacts tls = decoded.tls();
        assertEquals("TLSv1.2", tls.protocolName());
        assertEquals("AES_256", tls.cipherName());
        assertEquals(256, tls.cipherStrength());
        assertEquals("SHA256", tls.hashName());
        assertEquals("ECDHE", tls.keyExchangeName());
        assertEquals(384, tls.keyExchangeStrength());
        assertEquals(256, tls.connectionKeySize());
        assertEquals(2048, tls.serverCertificateKeySize());
        assertTrue(tls.clientCertificateNegotiated());

        ClientCertificate certificate = ClientCertificate.of(tls);
        assertTrue(certificate.isPresent());
        assertTrue(certificate.isAuthorized());
        assertNull(certificate.authorizationError());
        assertEquals("O=netty-httpsys,CN=test client", certificate.subject());
        assertEquals("CN=netty-httpsys test CA", certificate.issuer());
        assertEquals(Instant.parse("2026-11-29T02:43:29Z"), certificate.validFrom());
        assertEquals(Instant.parse("2126-11-05T02:43:29Z"), certificate.validTo());
        assertEquals("FA:C4:12:72:53:69:72:43:80:31:30:2C:15:79:CF:7B:96:8C:EA:CB", certificate.fingerprint());
        assertEquals("05:BD:19:56:7E:F4:38:01:84:9E:EA:08:F7:44:25:70:58:45:12:F1:E5:EC:78:82:9F:C3:CE:24:AD:69:5E:58",
                certificate.fingerprint256());
        assertArrayEquals(der, certificate.raw());
        assertArrayEquals(der, certificate.certificate().getEncoded());
    }

    @Test
    void untrustedCertificateNamesWindowsReason() throws IOException {
        DecodedRequest decoded = decode(new RequestRecordBuilder().flags(SECURE)
                .tls(NEGOTIATED_WITH_CERT, 0x1000, AES_256, 256, 0x800B0109, certificateFixture()).build());
        ClientCertificate certificate = ClientCertificate.of(decoded.tls());
        assertEquals("TLSv1.3", decoded.tls().protocolName());
        assertFalse(certificate.isAuthorized());
        assertEquals("CERT_E_UNTRUSTEDROOT", certificate.authorizationError());

        decoded = decode(new RequestRecordBuilder().flags(SECURE)
                .tls(NEGOTIATED_WITH_CERT | TlsFacts.CERT_DENIED_BY_MAPPER, TLS12_SERVER, AES_256, 256, 0,
                        certificateFixture()).build());
        assertEquals(ClientCertificate.DENIED_BY_MAPPER, ClientCertificate.of(decoded.tls()).authorizationError());

        decoded = decode(new RequestRecordBuilder().flags(SECURE)
                .tls(NEGOTIATED_WITH_CERT, TLS12_SERVER, AES_256, 256, 0x80090327, certificateFixture()).build());
        assertEquals("0x80090327", ClientCertificate.of(decoded.tls()).authorizationError());
    }

    @Test
    void missingCertificateIsNotAuthorized() {
        DecodedRequest decoded = decode(new RequestRecordBuilder().flags(SECURE)
                .tls(0, TLS12_SERVER, AES_256, 256, 0, new byte[0]).build());
        ClientCertificate certificate = ClientCertificate.of(decoded.tls());
        assertFalse(certificate.isPresent());
        assertFalse(certificate.isAuthorized());
        assertEquals(ClientCertificate.NO_CERTIFICATE, certificate.authorizationError());
        assertNull(certificate.subject());
        assertNull(certificate.fingerprint());
        assertNull(certificate.raw());
    }

    @Test
    void malformedTlsBlocksAreRejectedByName() throws IOException {
        ByteBuf record = new RequestRecordBuilder().flags(SECURE)
                .tls(NEGOTIATED_WITH_CERT, TLS12_SERVER, AES_256, 256, 0, certificateFixture()).build();
        int tlsStart = record.getIntLE(80);
        record.setIntLE(tlsStart + 40, 1_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestRecordDecoder.decode(record, alloc));
        assertTrue(e.getMessage().contains("client certificate (1000000 bytes) runs past"), e.getMessage());

        ByteBuf inside = new RequestRecordBuilder().flags(SECURE).body("xyz")
                .tls(0, TLS12_SERVER, AES_256, 256, 0, new byte[0]).build();
        inside.setIntLE(80, 90);
        e = assertThrows(IllegalArgumentException.class, () -> RequestRecordDecoder.decode(inside, alloc));
        assertTrue(e.getMessage().contains("tlsOffset 90 points inside"), e.getMessage());

        ByteBuf intoBody = new RequestRecordBuilder().flags(SECURE).body("xyz")
                .tls(0, TLS12_SERVER, AES_256, 256, 0, new byte[0]).build();
        int bodyEnd = intoBody.getIntLE(80);
        intoBody.setIntLE(80, bodyEnd - 1);
        e = assertThrows(IllegalArgumentException.class, () -> RequestRecordDecoder.decode(intoBody, alloc));
        assertTrue(e.getMessage().contains("points inside the request head or body"), e.getMessage());

        ByteBuf garbage = new RequestRecordBuilder().flags(SECURE)
                .tls(NEGOTIATED_WITH_CERT, TLS12_SERVER, AES_256, 256, 0, new byte[] {1, 2, 3}).build();
        DecodedRequest decoded = decode(garbage);
        e = assertThrows(IllegalArgumentException.class, () -> ClientCertificate.of(decoded.tls()));
        assertTrue(e.getMessage().contains("not valid X.509 DER (3 bytes)"), e.getMessage());
    }
}
