package dev.nettyhttpsys.transport;

import java.util.Locale;

/**
 * An HTTP.SYS URL prefix such as {@code http://+:8080/api/}: scheme, host (a name, an address,
 * {@code +} strong wildcard or {@code *} weak wildcard), port and path. Parsed in Java so a bad
 * prefix fails with a message naming the mistake before any native call.
 */
public final class UrlPrefix {
    private final String text;
    private final boolean secure;
    private final String host;
    private final int port;
    private final String path;

    private UrlPrefix(String text, boolean secure, String host, int port, String path) {
        this.text = text;
        this.secure = secure;
        this.host = host;
        this.port = port;
        this.path = path;
    }

    /** Parses a prefix; throws {@link IllegalArgumentException} saying what is wrong. */
    public static UrlPrefix parse(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("URL prefix is empty");
        }
        String lower = prefix.toLowerCase(Locale.ROOT);
        boolean secure;
        int rest;
        if (lower.startsWith("http://")) {
            secure = false;
            rest = 7;
        } else if (lower.startsWith("https://")) {
            secure = true;
            rest = 8;
        } else {
            throw new IllegalArgumentException("URL prefix must start with http:// or https://: " + prefix);
        }
        int slash = prefix.indexOf('/', rest);
        if (slash < 0) {
            throw new IllegalArgumentException("URL prefix needs a path ending with '/', e.g. "
                    + prefix + "/ : " + prefix);
        }
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("URL prefix must end with '/': " + prefix);
        }
        String authority = prefix.substring(rest, slash);
        String host;
        int port = secure ? 443 : 80;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && authority.indexOf(']', colon) < 0) {
            host = authority.substring(0, colon);
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("URL prefix has an invalid port: " + prefix);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("URL prefix port must be 1-65535 (0: a free port chosen at bind): "
                        + prefix);
            }
        } else {
            host = authority;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("URL prefix has no host (use + for every host): " + prefix);
        }
        return new UrlPrefix(prefix, secure, host, port, prefix.substring(slash));
    }

    /** {@code http://+:port/}: every host name and address on that port, like binding a socket. */
    public static UrlPrefix anyHost(int port) {
        return parse("http://+:" + port + "/");
    }

    /** The same prefix on another port (bind picks one for port 0). */
    public UrlPrefix withPort(int newPort) {
        return parse((secure ? "https://" : "http://") + host + ":" + newPort + path);
    }

    /** True for {@code https://} (TLS by HTTP.SYS, with a certificate bound by {@code netsh http add sslcert}). */
    public boolean isSecure() {
        return secure;
    }

    /** The host part: {@code +}, {@code *}, a name or an address. */
    public String host() {
        return host;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The path, beginning and ending with {@code /}. */
    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UrlPrefix && ((UrlPrefix) o).text.equalsIgnoreCase(text);
    }

    @Override
    public int hashCode() {
        return text.toLowerCase(Locale.ROOT).hashCode();
    }
}
