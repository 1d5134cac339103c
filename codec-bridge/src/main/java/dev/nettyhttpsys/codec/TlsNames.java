package dev.nettyhttpsys.codec;

import java.util.Locale;

/** Names for the Windows numbers in TLS facts: SP_PROT_* protocols, ALG_IDs, CERT_E_* statuses. */
final class TlsNames {
    private TlsNames() {
    }

    /** Schannel reports server and client bits of the same protocol; either names it. */
    static String protocol(int bits) {
        if ((bits & 0x3000) != 0) {
            return "TLSv1.3";
        }
        if ((bits & 0x0C00) != 0) {
            return "TLSv1.2";
        }
        if ((bits & 0x0300) != 0) {
            return "TLSv1.1";
        }
        if ((bits & 0x00C0) != 0) {
            return "TLSv1";
        }
        if ((bits & 0x0030) != 0) {
            return "SSLv3";
        }
        return bits == 0 ? null : String.format(Locale.ROOT, "0x%x", bits);
    }

    /** wincrypt.h ALG_IDs that Schannel reports for ciphers, hashes and key exchanges. */
    static String algorithm(int algId) {
        switch (algId) {
            case 0: return null;
            case 0x6603: return "3DES";
            case 0x660e: return "AES_128";
            case 0x660f: return "AES_192";
            case 0x6610: return "AES_256";
            case 0x6611: return "AES";
            case 0x6801: return "RC4";
            case 0x8003: return "MD5";
            case 0x8004: return "SHA1";
            case 0x800c: return "SHA256";
            case 0x800d: return "SHA384";
            case 0x800e: return "SHA512";
            case 0xa400: return "RSA";
            case 0xaa02: return "DHE";
            case 0xaa05: return "ECDH";
            case 0xae06: return "ECDHE";
            default: return String.format(Locale.ROOT, "0x%04x", algId);
        }
    }

    /** CertFlags of HTTP_SSL_CLIENT_CERT_INFO: CERT_CHAIN_POLICY_STATUS.dwError values, or an SSPI status. */
    static String certificateStatus(int status) {
        switch (status) {
            case 0: return null;
            case 0x800B0101: return "CERT_E_EXPIRED";
            case 0x800B0102: return "CERT_E_VALIDITYPERIODNESTING";
            case 0x800B0103: return "CERT_E_ROLE";
            case 0x800B0104: return "CERT_E_PATHLENCONST";
            case 0x800B0105: return "CERT_E_CRITICAL";
            case 0x800B0106: return "CERT_E_PURPOSE";
            case 0x800B0107: return "CERT_E_ISSUERCHAINING";
            case 0x800B0108: return "CERT_E_MALFORMED";
            case 0x800B0109: return "CERT_E_UNTRUSTEDROOT";
            case 0x800B010A: return "CERT_E_CHAINING";
            case 0x800B010B: return "TRUST_E_FAIL";
            case 0x800B010C: return "CERT_E_REVOKED";
            case 0x800B010D: return "CERT_E_UNTRUSTEDTESTROOT";
            case 0x800B010E: return "CERT_E_REVOCATION_FAILURE";
            case 0x800B010F: return "CERT_E_CN_NO_MATCH";
            case 0x800B0110: return "CERT_E_WRONG_USAGE";
            case 0x800B0112: return "CERT_E_UNTRUSTEDCA";
            case 0x80096004: return "TRUST_E_CERT_SIGNATURE";
            default: return String.format(Locale.ROOT, "0x%08X", status);
        }
    }
}
