package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.internal.ObjectUtil;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Configuration of an {@link HttpSysServerChannel}. Defaults come from system properties and
 * the original httpsys module's environment variables (see {@link HttpSysChannelOption}); the
 * options take effect at bind. {@code SO_BACKLOG} is the request queue length.
 */
public final class HttpSysServerChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    static final int DEFAULT_QUEUE_LENGTH = 1000;
    static final int DEFAULT_PENDING_RECEIVES = 4;
    static final int DEFAULT_RECEIVE_BUFFER_SIZE = 16 * 1024;

    private volatile List<String> urlPrefixes = Collections.emptyList();
    private volatile String requestQueueName = "";
    private volatile int requestQueueLength = HttpSysSettings.intSetting(
            "io.netty.httpsys.requestQueueLength", "HTTPSYS_REQUEST_QUEUE_LENGTH", DEFAULT_QUEUE_LENGTH, 1, 65535);
    private volatile int pendingReceives = HttpSysSettings.intSetting(
            "io.netty.httpsys.pendingReceives", "HTTPSYS_PENDING_READ_COUNT", DEFAULT_PENDING_RECEIVES, 1, 1024);
    private volatile int receiveBufferSize = HttpSysSettings.intSetting(
            "io.netty.httpsys.bufferSize", "HTTPSYS_BUFFER_SIZE", DEFAULT_RECEIVE_BUFFER_SIZE, 1024, 64 * 1024 * 1024);
    private volatile int cacheDurationSeconds = HttpSysSettings.intSetting(
            "io.netty.httpsys.cacheDuration", "HTTPSYS_CACHE_DURATION", 0, 0, Integer.MAX_VALUE);
    private volatile int maxRequestBodySize = HttpSysSettings.intSetting(
            "io.netty.httpsys.maxRequestBodySize", "HTTPSYS_MAX_REQUEST_BODY_SIZE", 0, 0, Integer.MAX_VALUE);
    private volatile boolean exportClientCertificate = HttpSysSettings.booleanSetting(
            "io.netty.httpsys.exportClientCert", "HTTPSYS_EXPORT_CLIENT_CERT", false);

    HttpSysServerChannelConfig(HttpSysServerChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG, ChannelOption.SO_REUSEADDR,
                ChannelOption.SO_RCVBUF, HttpSysChannelOption.URL_PREFIXES, HttpSysChannelOption.REQUEST_QUEUE_NAME,
                HttpSysChannelOption.REQUEST_QUEUE_LENGTH, HttpSysChannelOption.PENDING_RECEIVES,
                HttpSysChannelOption.RECEIVE_BUFFER_SIZE, HttpSysChannelOption.CACHE_DURATION_SECONDS,
                HttpSysChannelOption.MAX_REQUEST_BODY_SIZE, HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE);
    }

    @SuppressWarnings({"unchecked", "deprecation"})
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_BACKLOG || option == HttpSysChannelOption.REQUEST_QUEUE_LENGTH) {
            return (T) Integer.valueOf(requestQueueLength);
        }
        if (option == ChannelOption.SO_REUSEADDR) {
            return (T) Boolean.TRUE;
        }
        if (option == ChannelOption.SO_RCVBUF || option == HttpSysChannelOption.RECEIVE_BUFFER_SIZE) {
            return (T) Integer.valueOf(receiveBufferSize);
        }
        if (option == HttpSysChannelOption.URL_PREFIXES) {
            return (T) urlPrefixes;
        }
        if (option == HttpSysChannelOption.REQUEST_QUEUE_NAME) {
            return (T) requestQueueName;
        }
        if (option == HttpSysChannelOption.PENDING_RECEIVES) {
            return (T) Integer.valueOf(pendingReceives);
        }
        if (option == HttpSysChannelOption.CACHE_DURATION_SECONDS) {
            return (T) Integer.valueOf(cacheDurationSeconds);
        }
        if (option == HttpSysChannelOption.MAX_REQUEST_BODY_SIZE) {
            return (T) Integer.valueOf(maxRequestBodySize);
        }
        if (option == HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE) {
            return (T) Boolean.valueOf(exportClientCertificate);
        }
        return super.getOption(option);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_BACKLOG || option == HttpSysChannelOption.REQUEST_QUEUE_LENGTH) {
            setBacklog((Integer) value);
        } else if (option == ChannelOption.SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == ChannelOption.SO_RCVBUF || option == HttpSysChannelOption.RECEIVE_BUFFER_SIZE) {
            setReceiveBufferSize((Integer) value);
        } else if (option == HttpSysChannelOption.URL_PREFIXES) {
            urlPrefixes = List.copyOf((List<String>) value);
        } else if (option == HttpSysChannelOption.REQUEST_QUEUE_NAME) {
            requestQueueName = (String) value;
        } else if (option == HttpSysChannelOption.PENDING_RECEIVES) {
            pendingReceives = ObjectUtil.checkInRange((Integer) value, 1, 1024, "pendingReceives");
        } else if (option == HttpSysChannelOption.CACHE_DURATION_SECONDS) {
            cacheDurationSeconds = ObjectUtil.checkPositiveOrZero((Integer) value, "cacheDurationSeconds");
        } else if (option == HttpSysChannelOption.MAX_REQUEST_BODY_SIZE) {
            maxRequestBodySize = ObjectUtil.checkPositiveOrZero((Integer) value, "maxRequestBodySize");
        } else if (option == HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE) {
            exportClientCertificate = (Boolean) value;
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    List<String> urlPrefixes() {
        return urlPrefixes;
    }

    String requestQueueName() {
        return requestQueueName;
    }

    int pendingReceives() {
        return pendingReceives;
    }

    int cacheDurationSeconds() {
        return cacheDurationSeconds;
    }

    int maxRequestBodySize() {
        return maxRequestBodySize;
    }

    boolean exportClientCertificate() {
        return exportClientCertificate;
    }

    @Override
    public int getBacklog() {
        return requestQueueLength;
    }

    @Override
    public HttpSysServerChannelConfig setBacklog(int backlog) {
        requestQueueLength = ObjectUtil.checkInRange(backlog, 1, 65535, "backlog (request queue length)");
        return this;
    }

    /** Always true: HTTP.SYS shares ports by URL prefix. */
    @Override
    public boolean isReuseAddress() {
        return true;
    }

    @Override
    public HttpSysServerChannelConfig setReuseAddress(boolean reuseAddress) {
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    @Override
    public HttpSysServerChannelConfig setReceiveBufferSize(int size) {
        receiveBufferSize = ObjectUtil.checkInRange(size, 1024, 64 * 1024 * 1024, "receiveBufferSize");
        return this;
    }

    /** Ignored: HTTP.SYS owns the sockets. */
    @Override
    public HttpSysServerChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public HttpSysServerChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    @Deprecated
    public HttpSysServerChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public HttpSysServerChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public HttpSysServerChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }
}
