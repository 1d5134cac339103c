package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;

import java.util.List;

import static dev.nettyhttpsys.transport.ServerSetting.NOT_NATIVE;

/**
 * The table of {@link HttpSysServerChannel} tuning options. Native indexes follow engine.h
 * {@code QueueOptionIndex}; {@link #nativeSettings} builds the array createQueue takes.
 */
final class ServerSettings {
    /** Length of the createQueue settings array (engine.h {@code kQueueOptionCount}). */
    static final int NATIVE_COUNT = 13;

    /** 0: the engine's default (engine.h {@code kDefaultQueueLength}), the one place that number lives. */
    static final int DEFAULT_QUEUE_LENGTH = 0;
    static final int DEFAULT_PENDING_RECEIVES = 4;
    static final int DEFAULT_RECEIVE_BUFFER_SIZE = 16 * 1024;
    /** HTTP.SYS keeps timeouts in 16-bit seconds. */
    private static final int MAX_TIMEOUT_SECONDS = 65535;

    static final List<ServerSetting<?>> ALL = List.of(
            ServerSetting.string(HttpSysChannelOption.REQUEST_QUEUE_NAME,
                    "io.netty.httpsys.requestQueueName", "HTTPSYS_REQUEST_QUEUE_NAME"),
            ServerSetting.enumeration(HttpSysChannelOption.REQUEST_QUEUE_MODE,
                    "io.netty.httpsys.requestQueueMode", "HTTPSYS_REQUEST_QUEUE_MODE", HttpSysQueueMode.CREATE, 0),
            ServerSetting.integer(HttpSysChannelOption.RECEIVE_BUFFER_SIZE,
                    "io.netty.httpsys.bufferSize", "HTTPSYS_BUFFER_SIZE", DEFAULT_RECEIVE_BUFFER_SIZE,
                    1024, 64 * 1024 * 1024, 1),
            ServerSetting.integer(HttpSysChannelOption.PENDING_RECEIVES,
                    "io.netty.httpsys.pendingReceives", "HTTPSYS_PENDING_READ_COUNT", DEFAULT_PENDING_RECEIVES,
                    1, 1024, 2),
            ServerSetting.integer(HttpSysChannelOption.REQUEST_QUEUE_LENGTH,
                    "io.netty.httpsys.requestQueueLength", "HTTPSYS_REQUEST_QUEUE_LENGTH", DEFAULT_QUEUE_LENGTH,
                    0, 65535, 3),
            ServerSetting.longValue(HttpSysChannelOption.MAX_REQUEST_BODY_SIZE,
                    "io.netty.httpsys.maxRequestBodySize", "HTTPSYS_MAX_REQUEST_BODY_SIZE", 0, 0, Long.MAX_VALUE, 4),
            ServerSetting.integer(HttpSysChannelOption.MAX_CONNECTIONS,
                    "io.netty.httpsys.maxConnections", "HTTPSYS_MAX_CONNECTIONS", 0, 0, Integer.MAX_VALUE, 5),
            timeout(HttpSysChannelOption.ENTITY_BODY_TIMEOUT, "entityBodyTimeout", "HTTPSYS_ENTITY_BODY_TIMEOUT", 6),
            timeout(HttpSysChannelOption.DRAIN_ENTITY_BODY_TIMEOUT,
                    "drainEntityBodyTimeout", "HTTPSYS_DRAIN_ENTITY_BODY_TIMEOUT", 7),
            timeout(HttpSysChannelOption.REQUEST_QUEUE_TIMEOUT,
                    "requestQueueTimeout", "HTTPSYS_REQUEST_QUEUE_TIMEOUT", 8),
            timeout(HttpSysChannelOption.IDLE_CONNECTION_TIMEOUT,
                    "idleConnectionTimeout", "HTTPSYS_IDLE_CONNECTION_TIMEOUT", 9),
            timeout(HttpSysChannelOption.HEADER_WAIT_TIMEOUT, "headerWaitTimeout", "HTTPSYS_HEADER_WAIT_TIMEOUT", 10),
            ServerSetting.integer(HttpSysChannelOption.MIN_SEND_RATE,
                    "io.netty.httpsys.minSendRate", "HTTPSYS_MIN_SEND_RATE", 0, 0, Integer.MAX_VALUE, 11),
            ServerSetting.bool(HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE,
                    "io.netty.httpsys.exportClientCert", "HTTPSYS_EXPORT_CLIENT_CERT", false, 12),
            ServerSetting.integer(HttpSysChannelOption.CACHE_DURATION_SECONDS,
                    "io.netty.httpsys.cacheDuration", "HTTPSYS_CACHE_DURATION", 0, 0, Integer.MAX_VALUE, NOT_NATIVE),
            ServerSetting.bool(HttpSysChannelOption.KERNEL_RESPONSE_BUFFERING,
                    "io.netty.httpsys.kernelResponseBuffering", "HTTPSYS_KERNEL_RESPONSE_BUFFERING", false,
                    NOT_NATIVE));

    private ServerSettings() {
    }

    private static ServerSetting<Integer> timeout(ChannelOption<Integer> option, String name, String variable,
                                                  int nativeIndex) {
        return ServerSetting.integer(option, "io.netty.httpsys." + name, variable, 0, 0, MAX_TIMEOUT_SECONDS,
                nativeIndex);
    }

    static ServerSetting<?> find(ChannelOption<?> option) {
        for (ServerSetting<?> setting : ALL) {
            if (setting.option == option) {
                return setting;
            }
        }
        return null;
    }

    /** The engine's settings array for the current values ({@code values} is keyed by option). */
    static long[] nativeSettings(java.util.Map<ChannelOption<?>, Object> values) {
        long[] settings = new long[NATIVE_COUNT];
        for (ServerSetting<?> setting : ALL) {
            if (setting.nativeIndex != NOT_NATIVE) {
                settings[setting.nativeIndex] = setting.nativeValue(values.get(setting.option));
            }
        }
        return settings;
    }
}
