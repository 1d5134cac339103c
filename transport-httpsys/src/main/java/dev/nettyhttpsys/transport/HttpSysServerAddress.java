package dev.nettyhttpsys.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A bind address made of explicit HTTP.SYS URL prefixes:
 * {@code bind(new HttpSysServerAddress("http://+:8080/api/", "http://localhost:8080/admin/"))}.
 * Binding a plain {@link InetSocketAddress} with port P means the prefix {@code http://+:P/}.
 * As an {@link InetSocketAddress} it reports the first prefix's port.
 */
public final class HttpSysServerAddress extends InetSocketAddress {
    private static final long serialVersionUID = 1L;

    private final List<UrlPrefix> prefixes;

    /** An address of one or more URL prefixes; throws {@link IllegalArgumentException} naming a malformed one. */
    public HttpSysServerAddress(String... prefixes) {
        this(parseAll(prefixes));
    }

    private HttpSysServerAddress(List<UrlPrefix> prefixes) {
        super(prefixes.get(0).port());
        this.prefixes = Collections.unmodifiableList(prefixes);
    }

    private static List<UrlPrefix> parseAll(String... prefixes) {
        if (prefixes == null || prefixes.length == 0) {
            throw new IllegalArgumentException("at least one URL prefix is needed");
        }
        List<UrlPrefix> parsed = new ArrayList<>(prefixes.length);
        for (String prefix : prefixes) {
            parsed.add(UrlPrefix.parse(prefix));
        }
        return parsed;
    }

    /** The prefixes, in the order given. */
    public List<UrlPrefix> prefixes() {
        return prefixes;
    }

    @Override
    public String toString() {
        return prefixes.toString();
    }
}
