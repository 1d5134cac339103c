package dev.nettyhttpsys.benchmarks;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Writes the request record (records.h) of a typical browser GET, as an engine would. */
final class BrowserRequestRecord {
    private static final String[][] KNOWN = {
        {"28", "localhost:8080"},
        {"1", "keep-alive"},
        {"20", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
        {"22", "gzip, deflate, br"},
        {"23", "en-US,en;q=0.5"},
        {"40", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
    };

    private BrowserRequestRecord() {
    }

    static ByteBuf write(ByteBuf out) {
        int start = out.writerIndex();
        out.writeZero(88);
        out.writeCharSequence("GET", StandardCharsets.US_ASCII);
        out.writeCharSequence("/index.html?user=42", StandardCharsets.US_ASCII);
        for (String[] header : KNOWN) {
            byte[] value = header[1].getBytes(StandardCharsets.US_ASCII);
            out.writeByte(Integer.parseInt(header[0])).writeByte(0).writeShortLE(0).writeIntLE(value.length);
            out.writeBytes(value);
        }
        byte[] name = "Sec-Fetch-Mode".getBytes(StandardCharsets.US_ASCII);
        byte[] value = "navigate".getBytes(StandardCharsets.US_ASCII);
        out.writeByte(0xFF).writeByte(0).writeShortLE(name.length).writeIntLE(value.length);
        out.writeBytes(name).writeBytes(value);
        out.setIntLE(start, out.writerIndex() - start);        // recordLength
        out.setLongLE(start + 8, 7);                            // requestId
        out.setLongLE(start + 16, 3);                           // connectionId
        out.setShortLE(start + 24, 1).setShortLE(start + 26, 1);  // HTTP/1.1
        out.setShortLE(start + 28, KNOWN.length + 1);           // headerCount
        out.setShortLE(start + 30, 3);                          // methodLength
        out.setIntLE(start + 32, "/index.html?user=42".length());
        out.setShortLE(start + 40, 4).setShortLE(start + 42, 40000);  // remote 127.0.0.1:40000
        out.setBytes(start + 44, new byte[] {127, 0, 0, 1});
        out.setShortLE(start + 60, 4).setShortLE(start + 62, 8080);   // local 127.0.0.1:8080
        out.setBytes(start + 64, new byte[] {127, 0, 0, 1});
        return out;
    }
}
