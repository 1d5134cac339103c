package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Configuration of an {@link HttpSysServerChannel}. Defaults come from system properties and
 * the original httpsys module's environment variables (the table is {@link ServerSettings}); the
 * options take effect at bind. {@code SO_BACKLOG} is the request queue length, {@code SO_RCVBUF}
 * the initial receive buffer size.
 */
public final class HttpSysServerChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    private final Map<ChannelOption<?>, Object> settings = new ConcurrentHashMap<>();
    private volatile List<String> urlPrefixes = Collections.emptyList();

    HttpSysServerChannelConfig(Channel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        for (ServerSetting<?> setting : ServerSettings.ALL) {
            settings.put(setting.option, setting.initialValue());
        }
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        Map<ChannelOption<?>, Object> options = getOptions(super.getOptions(), ChannelOption.SO_BACKLOG,
                ChannelOption.SO_REUSEADDR, ChannelOption.SO_RCVBUF, HttpSysChannelOption.URL_PREFIXES);
        options.putAll(settings);
        return options;
    }

    @SuppressWarnings({"unchecked", "deprecation"})
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_BACKLOG) {
            return (T) settings.get(HttpSysChannelOption.REQUEST_QUEUE_LENGTH);
        }
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) settings.get(HttpSysChannelOption.RECEIVE_BUFFER_SIZE);
        }
        if (option == ChannelOption.SO_REUSEADDR) {
            return (T) Boolean.TRUE;
        }
        if (option == HttpSysChannelOption.URL_PREFIXES) {
            return (T) urlPrefixes;
        }
        Object value = settings.get(option);
        return value != null ? (T) value : super.getOption(option);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        ChannelOption<?> target = option == ChannelOption.SO_BACKLOG ? HttpSysChannelOption.REQUEST_QUEUE_LENGTH
                : option == ChannelOption.SO_RCVBUF ? HttpSysChannelOption.RECEIVE_BUFFER_SIZE : option;
        ServerSetting<?> setting = ServerSettings.find(target);
        if (setting != null) {
            settings.put(target, setting.validate(value));
        } else if (option == ChannelOption.SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == HttpSysChannelOption.URL_PREFIXES) {
            urlPrefixes = List.copyOf((List<String>) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    <T> T setting(ChannelOption<T> option) {
        return (T) settings.get(option);
    }

    /** The settings array for the engine's createQueue (engine.h QueueOptionIndex). */
    long[] nativeQueueSettings() {
        return ServerSettings.nativeSettings(settings);
    }

    List<String> urlPrefixes() {
        return urlPrefixes;
    }

    @Override
    public int getBacklog() {
        return setting(HttpSysChannelOption.REQUEST_QUEUE_LENGTH);
    }

    @Override
    public HttpSysServerChannelConfig setBacklog(int backlog) {
        setOption(ChannelOption.SO_BACKLOG, backlog);
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
        return setting(HttpSysChannelOption.RECEIVE_BUFFER_SIZE);
    }

    @Override
    public HttpSysServerChannelConfig setReceiveBufferSize(int size) {
        setOption(ChannelOption.SO_RCVBUF, size);
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
