package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;

import java.util.List;

/**
 * Options of {@link HttpSysServerChannel}. Each tuning option also takes its default from a
 * system property ({@code io.netty.httpsys.<name>}) and from an environment variable (the
 * original httpsys module's where it had one), so operators can tune a deployment without a code
 * change; an explicit {@code option(...)} wins over both. The table is {@link ServerSettings}.
 */
public final class HttpSysChannelOption<T> extends ChannelOption<T> {

    /** Extra URL prefixes registered at bind, e.g. {@code http://+:8080/api/}. */
    public static final ChannelOption<List<String>> URL_PREFIXES = valueOf("HTTPSYS_URL_PREFIXES");

    /** Name of the request queue; empty for an anonymous one. Needed to share a queue between processes. */
    public static final ChannelOption<String> REQUEST_QUEUE_NAME = valueOf("HTTPSYS_REQUEST_QUEUE_NAME");

    /** Whether bind creates the named queue, attaches to another process's, or either. */
    public static final ChannelOption<HttpSysQueueMode> REQUEST_QUEUE_MODE = valueOf("HTTPSYS_REQUEST_QUEUE_MODE");

    /**
     * Requests that may wait for the application to take them before HTTP.SYS answers 503 itself
     * and closes the connection ({@code HTTPSYS_REQUEST_QUEUE_LENGTH}); a request the application
     * has taken no longer counts. 0 (the default) is the engine's default, 5000, as in the
     * original httpsys module. {@code SO_BACKLOG} is the same setting.
     */
    public static final ChannelOption<Integer> REQUEST_QUEUE_LENGTH = valueOf("HTTPSYS_REQUEST_QUEUE_LENGTH");

    /** Receives kept posted on the queue ({@code HTTPSYS_PENDING_READ_COUNT}). */
    public static final ChannelOption<Integer> PENDING_RECEIVES = valueOf("HTTPSYS_PENDING_RECEIVES");

    /** Initial buffer per posted receive, in bytes ({@code HTTPSYS_BUFFER_SIZE}). {@code SO_RCVBUF} is the same. */
    public static final ChannelOption<Integer> RECEIVE_BUFFER_SIZE = valueOf("HTTPSYS_RECEIVE_BUFFER_SIZE");

    /**
     * Default time-to-live in seconds of responses offered to the kernel output cache; 0 disables
     * caching unless a response asks for it ({@code HTTPSYS_CACHE_DURATION}).
     */
    public static final ChannelOption<Integer> CACHE_DURATION_SECONDS = valueOf("HTTPSYS_CACHE_DURATION_SECONDS");

    /** Largest request body accepted before the engine answers 413; 0 = unlimited. */
    public static final ChannelOption<Long> MAX_REQUEST_BODY_SIZE = valueOf("HTTPSYS_MAX_REQUEST_BODY_SIZE");

    /** Connections accepted at once on the queue's URLs; 0 = unlimited. */
    public static final ChannelOption<Integer> MAX_CONNECTIONS = valueOf("HTTPSYS_MAX_CONNECTIONS");

    /** Seconds for a whole request body to arrive; 0 = the engine's default (2 minutes). */
    public static final ChannelOption<Integer> ENTITY_BODY_TIMEOUT = valueOf("HTTPSYS_ENTITY_BODY_TIMEOUT");

    /** Seconds to drain an unread request body after the response; 0 = default (2 minutes). */
    public static final ChannelOption<Integer> DRAIN_ENTITY_BODY_TIMEOUT = valueOf("HTTPSYS_DRAIN_ENTITY_BODY_TIMEOUT");

    /** Seconds a request may wait in the queue for the application; 0 = default (2 minutes). */
    public static final ChannelOption<Integer> REQUEST_QUEUE_TIMEOUT = valueOf("HTTPSYS_REQUEST_QUEUE_TIMEOUT");

    /** Seconds a keep-alive connection may stay idle; 0 = default (2 minutes). */
    public static final ChannelOption<Integer> IDLE_CONNECTION_TIMEOUT = valueOf("HTTPSYS_IDLE_CONNECTION_TIMEOUT");

    /** Seconds for a request head to arrive; 0 = default (2 minutes). */
    public static final ChannelOption<Integer> HEADER_WAIT_TIMEOUT = valueOf("HTTPSYS_HEADER_WAIT_TIMEOUT");

    /** Clients reading the response slower than this many bytes per second are dropped; 0 = default (150). */
    public static final ChannelOption<Integer> MIN_SEND_RATE = valueOf("HTTPSYS_MIN_SEND_RATE");

    /** Whether the client certificate's raw DER bytes are exposed ({@code HTTPSYS_EXPORT_CLIENT_CERT}). */
    public static final ChannelOption<Boolean> EXPORT_CLIENT_CERTIFICATE = valueOf("HTTPSYS_EXPORT_CLIENT_CERT");

    /** Let the kernel buffer response data (HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA); helps small streamed writes. */
    public static final ChannelOption<Boolean> KERNEL_RESPONSE_BUFFERING = valueOf("HTTPSYS_KERNEL_RESPONSE_BUFFERING");

    @SuppressWarnings("deprecation")
    private HttpSysChannelOption() {
        super(null);
    }
}
