package dev.nettyhttpsys.codec;

/**
 * The rules the engine applies to a response record's fields (native
 * {@code hsys/response_fields.h}), in Java: the encoder checks them before a record is built so a
 * handler gets an exception naming the field, and the tests' ResponseRecordReader checks what
 * the engine would refuse. Each check returns null, or what is wrong.
 */
final class ResponseFieldRules {
    private static final String ALLOWED = " (only HTAB, SP, visible characters and obs-text are allowed)";
    private static final String[] FORBIDDEN_TRAILERS = {
        "content-length", "transfer-encoding", "trailer", "connection", "keep-alive", "upgrade", "te", "host"};

    private ResponseFieldRules() {
    }

    static String checkStatus(int status) {
        return status < 100 || status > 599 ? "response status " + status + " outside 100-599" : null;
    }

    static String checkReason(CharSequence reason) {
        int bad = firstControl(reason);
        return bad < 0 ? null : "the reason phrase contains " + describe(reason.charAt(bad)) + ALLOWED;
    }

    /** A header or trailer field: the name a token, the value without control characters but HTAB. */
    static String checkField(String kind, CharSequence name, CharSequence value) {
        if (!isToken(name)) {
            return kind + " name '" + name + "' is not a token (RFC 9110 5.1)";
        }
        return checkValue(kind, name, value);
    }

    /** A field whose name is known to be a token (a known header's): the value without control characters but HTAB. */
    static String checkValue(String kind, CharSequence name, CharSequence value) {
        int bad = firstControl(value);
        return bad < 0 ? null : kind + " " + name + " contains " + describe(value.charAt(bad)) + ALLOWED
                + "; CR or LF would start another field";
    }

    static String checkTrailerName(CharSequence name) {
        for (String forbidden : FORBIDDEN_TRAILERS) {
            if (forbidden.contentEquals(lowerAscii(name))) {
                return "trailer " + name + " is a framing, routing or connection field, which a trailer cannot carry";
            }
        }
        return null;
    }

    /** A Content-Length value: digits only (at most 18); -1 when it is not one. */
    static long parseContentLength(CharSequence value) {
        int length = value.length();
        if (length == 0 || length > 18) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }

    static boolean isToken(CharSequence text) {
        int length = text.length();
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 0x80 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The index of the first character that is not HTAB, SP, VCHAR or obs-text; -1 when none. */
    private static int firstControl(CharSequence text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(char c) {
        return String.format("character 0x%02X", (int) c);
    }

    private static String lowerAscii(CharSequence name) {
        StringBuilder lower = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return lower.toString();
    }
}
