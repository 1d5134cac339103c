package dev.nettyhttpsys.transport.differential;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One response as it came off the wire: status line, header fields in order, de-framed body. */
final class RawResponse {
    enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

    final String version;
    final int status;
    final String reason;
    /** Field lines in arrival order, names as sent. */
    final List<Map.Entry<String, String>> headers;
    final byte[] body;
    final List<Map.Entry<String, String>> trailers;
    final Framing framing;

    RawResponse(String version, int status, String reason, List<Map.Entry<String, String>> headers, byte[] body,
                List<Map.Entry<String, String>> trailers, Framing framing) {
        this.version = version;
        this.status = status;
        this.reason = reason;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.trailers = List.copyOf(trailers);
        this.framing = framing;
    }

    /** The first value of a field, case-insensitively; null when absent. */
    String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** Fields by lower-case name, values in arrival order: field order across names carries no meaning (RFC 9110 5.3). */
    static TreeMap<String, List<String>> byName(List<Map.Entry<String, String>> fields) {
        TreeMap<String, List<String>> map = new TreeMap<>();
        for (Map.Entry<String, String> field : fields) {
            map.computeIfAbsent(field.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(field.getValue());
        }
        return map;
    }

    String bodyText() {
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        String text = bodyText();
        return version + " " + status + " " + reason + " " + headers + " framing=" + framing + " body("
                + body.length + ")=" + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
}
