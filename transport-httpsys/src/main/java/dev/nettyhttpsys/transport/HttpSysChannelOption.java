package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;

import java.util.List;

/**
 * Options of {@link HttpSysServerChannel}. Each tuning option also takes its default from a
 * system property and from the environment variable of the original httpsys module, so operators
 * can tune a deployment without a code change; an explicit {@code option(...)} wins over both.
 */
public final class HttpSysChannelOption<T> extends ChannelOption<T> {

    /** Extra URL prefixes registered at bind, e.g. {@code http://+:8080/api/}. */
    public static final ChannelOption<List<String>> URL_PREFIXES = valueOf("HTTPSYS_URL_PREFIXES");

    /** Name of the request queue; empty for an anonymous one. */
    public static final ChannelOption<String> REQUEST_QUEUE_NAME = valueOf("HTTPSYS_REQUEST_QUEUE_NAME");

    /**
     * Requests that may wait for the application before HTTP.SYS answers 503 itself
     * ({@code HTTPSYS_REQUEST_QUEUE_LENGTH}, {@code io.netty.httpsys.requestQueueLength}).
     */
    public static final ChannelOption<Integer> REQUEST_QUEUE_LENGTH = valueOf("HTTPSYS_REQUEST_QUEUE_LENGTH");

    /** Receives kept posted on the queue ({@code HTTPSYS_PENDING_READ_COUNT}). */
    public static final ChannelOption<Integer> PENDING_RECEIVES = valueOf("HTTPSYS_PENDING_RECEIVES");

    /** Initial buffer per posted receive, in bytes ({@code HTTPSYS_BUFFER_SIZE}). */
    public static final ChannelOption<Integer> RECEIVE_BUFFER_SIZE = valueOf("HTTPSYS_RECEIVE_BUFFER_SIZE");

    /**
     * Default time-to-live in seconds of responses offered to the kernel output cache; 0 disables
     * caching unless a response asks for it ({@code HTTPSYS_CACHE_DURATION}).
     */
    public static final ChannelOption<Integer> CACHE_DURATION_SECONDS = valueOf("HTTPSYS_CACHE_DURATION_SECONDS");

    /** Largest request body accepted before the engine answers 413; 0 = unlimited. */
    public static final ChannelOption<Integer> MAX_REQUEST_BODY_SIZE = valueOf("HTTPSYS_MAX_REQUEST_BODY_SIZE");

    /** Whether the client certificate's raw DER bytes are exposed ({@code HTTPSYS_EXPORT_CLIENT_CERT}). */
    public static final ChannelOption<Boolean> EXPORT_CLIENT_CERTIFICATE = valueOf("HTTPSYS_EXPORT_CLIENT_CERT");

    @SuppressWarnings("deprecation")
    private HttpSysChannelOption() {
        super(null);
    }
}
