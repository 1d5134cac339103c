package dev.nettyhttpsys.codec;

import java.util.Locale;

/**
 * What HTTP.SYS tells about a request's TLS connection (HTTP_SSL_INFO, HTTP_SSL_PROTOCOL_INFO and
 * HTTP_SSL_CLIENT_CERT_INFO), decoded from the request record's TlsRecord. Numbers stay raw for
 * whoever needs them; the {@code *Name()} methods give the names Java's TLS APIs use.
 */
public final class TlsFacts {
    /** TlsFlags (records.h). */
    static final int CLIENT_CERT_NEGOTIATED = 1;
    static final int CLIENT_CERT_PRESENT = 2;
    static final int CERT_DENIED_BY_MAPPER = 4;

    private final int flags;
    private final int protocol;
    private final int cipherType;
    private final int cipherStrength;
    private final int hashType;
    private final int hashStrength;
    private final int keyExchangeType;
    private final int keyExchangeStrength;
    private final int connectionKeySize;
    private final int serverCertKeySize;
    private final int certificateStatus;
    private final byte[] certificate;

    TlsFacts(int flags, int protocol, int cipherType, int cipherStrength, int hashType, int hashStrength,
             int keyExchangeType, int keyExchangeStrength, int connectionKeySize, int serverCertKeySize,
             int certificateStatus, byte[] certificate) {
        this.flags = flags;
        this.protocol = protocol;
        this.cipherType = cipherType;
        this.cipherStrength = cipherStrength;
        this.hashType = hashType;
        this.hashStrength = hashStrength;
        this.keyExchangeType = keyExchangeType;
        this.keyExchangeStrength = keyExchangeStrength;
        this.connectionKeySize = connectionKeySize;
        this.serverCertKeySize = serverCertKeySize;
        this.certificateStatus = certificateStatus;
        this.certificate = certificate;
    }

    /** The SP_PROT_* bits of the negotiated protocol; 0 when HTTP.SYS did not say. */
    public int protocol() {
        return protocol;
    }

    /** "TLSv1.2", "TLSv1.3", ... as {@code SSLSession.getProtocol()} names them; null when unknown. */
    public String protocolName() {
        return TlsNames.protocol(protocol);
    }

    /** The cipher's ALG_ID (e.g. 0x6610 for AES-256). */
    public int cipherType() {
        return cipherType;
    }

    /** The cipher's name, e.g. "AES_256"; the ALG_ID in hex when unnamed, null when HTTP.SYS gave none. */
    public String cipherName() {
        return TlsNames.algorithm(cipherType);
    }

    /** The cipher's key length in bits. */
    public int cipherStrength() {
        return cipherStrength;
    }

    /** The hash's ALG_ID (e.g. 0x800c for SHA-256). */
    public int hashType() {
        return hashType;
    }

    /** The hash's name, e.g. "SHA256"; the ALG_ID in hex when unnamed, null when HTTP.SYS gave none. */
    public String hashName() {
        return TlsNames.algorithm(hashType);
    }

    /** The hash's strength in bits. */
    public int hashStrength() {
        return hashStrength;
    }

    /** The key exchange's ALG_ID (e.g. 0xae06 for ECDHE). */
    public int keyExchangeType() {
        return keyExchangeType;
    }

    /** The key exchange's name, e.g. "ECDHE"; the ALG_ID in hex when unnamed, null when HTTP.SYS gave none. */
    public String keyExchangeName() {
        return TlsNames.algorithm(keyExchangeType);
    }

    /** The key exchange's strength in bits. */
    public int keyExchangeStrength() {
        return keyExchangeStrength;
    }

    /** HTTP_SSL_INFO's ConnectionKeySize: the session key's size in bits. */
    public int connectionKeySize() {
        return connectionKeySize;
    }

    /** HTTP_SSL_INFO's ServerCertKeySize: the server certificate's key size in bits. */
    public int serverCertificateKeySize() {
        return serverCertKeySize;
    }

    /** The client certificate was negotiated during the TLS handshake (SslClientCertNegotiated). */
    public boolean clientCertificateNegotiated() {
        return (flags & CLIENT_CERT_NEGOTIATED) != 0;
    }

    /** The certificate mapper refused the certificate (CertDeniedByMapper). */
    public boolean certificateDeniedByMapper() {
        return (flags & CERT_DENIED_BY_MAPPER) != 0;
    }

    /** CertFlags: 0 when Windows trusts the client certificate, else a CERT_E_* or SSPI status. */
    public int certificateStatus() {
        return certificateStatus;
    }

    /** The client certificate's DER bytes (a copy), or null when the engine did not obtain one. */
    public byte[] clientCertificateDer() {
        return certificate == null ? null : certificate.clone();
    }

    boolean hasClientCertificate() {
        return certificate != null;
    }

    byte[] certificateBytes() {
        return certificate;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TlsFacts(%s, cipher %s/%d, hash %s, key exchange %s, client cert %s)",
                protocolName(), cipherName(), cipherStrength, hashName(), keyExchangeName(),
                certificate == null ? "none" : certificate.length + " bytes, status " + TlsNames.certificateStatus(
                        certificateStatus));
    }
}
