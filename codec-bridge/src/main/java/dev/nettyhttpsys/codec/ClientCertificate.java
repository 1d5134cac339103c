package dev.nettyhttpsys.codec;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;

/**
 * The TLS client's certificate as a handler sees it: whether Windows trusts it ("authorized", with
 * the reason when not), the parsed {@link X509Certificate}, and the facts Node's
 * {@code getPeerCertificate()} gives (subject, issuer, validity, fingerprints, raw DER).
 * Trust is decided by Windows (the certificate binding's chain policy), not by Java.
 */
public final class ClientCertificate {
    /** authorizationError() when the client sent no certificate. */
    public static final String NO_CERTIFICATE = "NO_CLIENT_CERTIFICATE";
    /** authorizationError() when the Windows certificate mapper refused the certificate. */
    public static final String DENIED_BY_MAPPER = "CERT_DENIED_BY_MAPPER";

    private final TlsFacts facts;
    private final X509Certificate certificate;

    private ClientCertificate(TlsFacts facts, X509Certificate certificate) {
        this.facts = facts;
        this.certificate = certificate;
    }

    /**
     * The client certificate of a TLS request, or null when the request has no TLS facts.
     *
     * @throws IllegalArgumentException when the certificate bytes are not an X.509 certificate
     */
    public static ClientCertificate of(TlsFacts facts) {
        if (facts == null) {
            return null;
        }
        if (!facts.hasClientCertificate()) {
            return new ClientCertificate(facts, null);
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate parsed = (X509Certificate) factory.generateCertificate(
                    new ByteArrayInputStream(facts.certificateBytes()));
            return new ClientCertificate(facts, parsed);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the client certificate from HTTP.SYS is not valid X.509 DER ("
                    + facts.certificateBytes().length + " bytes): " + e.getMessage(), e);
        }
    }

    /** Whether the client sent a certificate. */
    public boolean isPresent() {
        return certificate != null;
    }

    /** True when a certificate is present and Windows found it valid (CertFlags 0, not denied by the mapper). */
    public boolean isAuthorized() {
        return authorizationError() == null;
    }

    /**
     * Why the certificate is not authorized: {@link #NO_CERTIFICATE}, {@link #DENIED_BY_MAPPER}, or the
     * CERT_E_* name of CertFlags (hex for other SSPI statuses); null when authorized.
     */
    public String authorizationError() {
        if (certificate == null) {
            return NO_CERTIFICATE;
        }
        if (facts.certificateDeniedByMapper()) {
            return DENIED_BY_MAPPER;
        }
        return TlsNames.certificateStatus(facts.certificateStatus());
    }

    /** The parsed certificate; null when none was sent. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The subject's distinguished name (RFC 2253); null when no certificate was sent. */
    public String subject() {
        return certificate == null ? null : certificate.getSubjectX500Principal().getName();
    }

    /** The issuer's distinguished name (RFC 2253); null when no certificate was sent. */
    public String issuer() {
        return certificate == null ? null : certificate.getIssuerX500Principal().getName();
    }

    /** Start of the validity period; null when no certificate was sent. */
    public Instant validFrom() {
        return certificate == null ? null : certificate.getNotBefore().toInstant();
    }

    /** End of the validity period; null when no certificate was sent. */
    public Instant validTo() {
        return certificate == null ? null : certificate.getNotAfter().toInstant();
    }

    /** SHA-1 of the DER bytes as colon-separated upper-case hex, as Node's {@code fingerprint}. */
    public String fingerprint() {
        return digest("SHA-1");
    }

    /** SHA-256 of the DER bytes, as Node's {@code fingerprint256}. */
    public String fingerprint256() {
        return digest("SHA-256");
    }

    /** The DER bytes (a copy); null when none was sent. */
    public byte[] raw() {
        return facts.clientCertificateDer();
    }

    /** The TLS facts of the connection this certificate came with. */
    public TlsFacts tls() {
        return facts;
    }

    private String digest(String algorithm) {
        if (certificate == null) {
            return null;
        }
        try {
            byte[] hash = MessageDigest.getInstance(algorithm).digest(facts.certificateBytes());
            StringBuilder text = new StringBuilder(hash.length * 3);
            for (byte b : hash) {
                if (text.length() > 0) {
                    text.append(':');
                }
                text.append(String.format(Locale.ROOT, "%02X", b & 0xFF));
            }
            return text.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
