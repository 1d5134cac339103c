package dev.nettyhttpsys.transport.differential;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A client connection that writes requests byte for byte and parses responses strictly, so both
 * servers see exactly the same input and every framing detail of the output is visible.
 */
final class RawConnection implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 15_000;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        this("127.0.0.1", port);
    }

    RawConnection(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    RawConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response, interim (1xx) ones included; HEAD requests' responses have no body. */
    RawResponse read(boolean headRequest) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("the server closed the connection before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = fields();
        RawResponse probe = new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers,
                new byte[0], List.of(), RawResponse.Framing.NONE);
        if (headRequest || status < 200 || status == 204 || status == 304) {
            return probe;
        }
        String encoding = probe.header("transfer-encoding");
        String length = probe.header("content-length");
        if (encoding != null && encoding.toLowerCase().contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (;;) {
                String sizeLine = line();
                if (sizeLine == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    break;
                }
                body.write(exactly(size));
                if (!requiredLine().isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
            return new RawResponse(parts[0], status, probe.reason, headers, body.toByteArray(), fields(),
                    RawResponse.Framing.CHUNKED);
        }
        if (length != null) {
            return new RawResponse(parts[0], status, probe.reason, headers, exactly(Integer.parseInt(length.trim())),
                    List.of(), RawResponse.Framing.LENGTH);
        }
        return new RawResponse(parts[0], status, probe.reason, headers, in.readAllBytes(), List.of(),
                RawResponse.Framing.CLOSE);
    }

    /** Reads responses until a final (non-1xx, or 101) one; returns them all, interim ones first. */
    List<RawResponse> readExchange(boolean headRequest) throws IOException {
        List<RawResponse> responses = new ArrayList<>();
        RawResponse response;
        do {
            response = read(headRequest);
            responses.add(response);
        } while (response.status < 200 && response.status != 101);
        return responses;
    }

    /** True when the server ended the connection: EOF or reset, within the read timeout. */
    boolean awaitServerClose() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("unexpected byte after the response: " + (char) b);
            }
            return true;
        } catch (SocketException e) {
            return true;  // reset
        }
    }

    /**
     * Waits up to millis for the server to end the connection with nothing more said: true when
     * it did (EOF or reset), false when it is still open.
     */
    boolean closesWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return awaitServerClose();
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
    }

    /** Reads whatever arrives until EOF/reset and returns it; for "the server gave up" cases. */
    byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // reset: the connection is gone, which is what the caller waits for
        }
        return all.toByteArray();
    }

    /** Reads one WebSocket frame as sent (server frames are not masked) and returns its bytes. */
    byte[] readWebSocketFrame() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        byte[] start = exactly(2);
        frame.write(start);
        long length = start[1] & 0x7F;
        if (length == 126) {
            byte[] extended = exactly(2);
            frame.write(extended);
            length = ((extended[0] & 0xFF) << 8) | (extended[1] & 0xFF);
        } else if (length == 127) {
            byte[] extended = exactly(8);
            frame.write(extended);
            length = java.nio.ByteBuffer.wrap(extended).getLong();
        }
        if ((start[1] & 0x80) != 0) {
            throw new IOException("a server frame is masked");
        }
        frame.write(exactly(Math.toIntExact(length)));
        return frame.toByteArray();
    }

    /** A client frame: FIN, the opcode, masked payload (RFC 6455 5.3; a fixed mask keeps runs comparable). */
    static byte[] clientFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    private byte[] exactly(int size) throws IOException {
        byte[] bytes = in.readNBytes(size);
        if (bytes.length != size) {
            throw new EOFException("body ended after " + bytes.length + " of " + size + " bytes");
        }
        return bytes;
    }

    private List<Map.Entry<String, String>> fields() throws IOException {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (String line = requiredLine(); !line.isEmpty(); line = requiredLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a field line: " + line);
            }
            fields.add(new AbstractMap.SimpleImmutableEntry<>(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
        return fields;
    }

    private String requiredLine() throws IOException {
        String line = line();
        if (line == null) {
            throw new EOFException("connection closed inside a response head or chunked body");
        }
        return line;
    }

    /** One CRLF-terminated line without its CRLF; null at EOF before any byte. */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                if (line.length() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a line: " + line);
            }
            if (b == '\n') {
                int end = line.length();
                if (end == 0 || line.charAt(end - 1) != '\r') {
                    throw new IOException("bare LF in " + line);
                }
                return line.substring(0, end - 1);
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
