package dev.nettyhttpsys.benchmarks;

import dev.nettyhttpsys.transport.HttpSys;
import dev.nettyhttpsys.transport.HttpSysChannelOption;
import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The server transports compared by the benchmarks: ours (with and without its output cache) and
 * Netty's own. The names ({@link #toString()}) are the ones the scripts and JMH parameters use.
 */
enum Transport {
    HTTPSYS("httpsys", HttpSysIoHandler::newFactory, HttpSysServerChannel.class, HttpSys::unavailabilityCause),
    /** httpsys with a 60 s output-cache TTL: after the first response every cacheable GET is a hit. */
    HTTPSYS_CACHED("httpsys-cached", HttpSysIoHandler::newFactory, HttpSysServerChannel.class,
            HttpSys::unavailabilityCause),
    EPOLL("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class, Epoll::unavailabilityCause),
    IO_URING("io_uring", IoUringIoHandler::newFactory, IoUringServerSocketChannel.class, IoUring::unavailabilityCause),
    NIO("nio", NioIoHandler::newFactory, NioServerSocketChannel.class, () -> null);

    private static final int CACHE_SECONDS = 60;

    private final String label;
    final Supplier<IoHandlerFactory> factory;
    final Class<? extends ServerChannel> channel;
    private final Supplier<Throwable> unavailabilityCause;

    Transport(String label, Supplier<IoHandlerFactory> factory, Class<? extends ServerChannel> channel,
              Supplier<Throwable> unavailabilityCause) {
        this.label = label;
        this.factory = factory;
        this.channel = channel;
        this.unavailabilityCause = unavailabilityCause;
    }

    static Transport named(String name) {
        for (Transport transport : values()) {
            if (transport.label.equals(name.toLowerCase(Locale.ROOT))) {
                return transport;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "'; one of httpsys, httpsys-cached, epoll,"
                + " io_uring, nio");
    }

    /** Throws, naming the reason, when this transport cannot run on this machine. */
    void ensureAvailable() {
        Throwable cause = unavailabilityCause.get();
        if (cause != null) {
            throw new IllegalStateException(label + " is not available here: " + cause, cause);
        }
    }

    /**
     * Sets the server options this transport is measured with; the output cache is set explicitly
     * either way, so an {@code HTTPSYS_CACHE_DURATION} in the environment cannot change a row.
     */
    ServerBootstrap configure(ServerBootstrap bootstrap) {
        if (this == HTTPSYS || this == HTTPSYS_CACHED) {
            bootstrap.option(HttpSysChannelOption.CACHE_DURATION_SECONDS, this == HTTPSYS_CACHED ? CACHE_SECONDS : 0);
        }
        return bootstrap.channel(channel);
    }

    @Override
    public String toString() {
        return label;
    }
}
