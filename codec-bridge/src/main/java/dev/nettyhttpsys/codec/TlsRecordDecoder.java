package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;

/** Reads the TlsRecord (records.h, 48 bytes + certificate DER) that follows a secure request. */
final class TlsRecordDecoder {
    static final int SIZE = 48;

    private TlsRecordDecoder() {
    }

    /**
     * @param start absolute index of the TlsRecord
     * @param end   absolute index just past the request record
     */
    static TlsFacts decode(ByteBuf record, int start, int end) {
        if (start < 0 || SIZE > end - start) {
            throw new IllegalArgumentException("request record TLS block (48 bytes at " + start
                    + ") runs past the record end " + end);
        }
        int flags = record.getIntLE(start);
        long certLength = record.getUnsignedIntLE(start + RecordLayout.TLS_CERT_LENGTH);
        int certStart = start + SIZE;
        if (certLength > end - certStart) {
            throw new IllegalArgumentException("request record client certificate (" + certLength
                    + " bytes) runs past the record end");
        }
        byte[] certificate = null;
        if ((flags & TlsFacts.CLIENT_CERT_PRESENT) != 0 && certLength > 0) {
            certificate = new byte[(int) certLength];
            record.getBytes(certStart, certificate);
        }
        return new TlsFacts(flags, record.getIntLE(start + 4), record.getIntLE(start + 8),
                record.getIntLE(start + 12), record.getIntLE(start + 16), record.getIntLE(start + 20),
                record.getIntLE(start + 24), record.getIntLE(start + 28), record.getUnsignedShortLE(start + 32),
                record.getUnsignedShortLE(start + 34), record.getIntLE(start + 36), certificate);
    }
}
