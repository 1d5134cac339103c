package dev.nettyhttpsys.benchmarks;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.util.Locale;
import java.util.function.Supplier;

/** The transports compared by the benchmarks: ours and Netty's own. */
enum Transport {
    HTTPSYS(HttpSysIoHandler::newFactory, HttpSysServerChannel.class),
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class),
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class),
    IO_URING(IoUringIoHandler::newFactory, IoUringServerSocketChannel.class);

    final Supplier<IoHandlerFactory> factory;
    final Class<? extends ServerChannel> channel;

    Transport(Supplier<IoHandlerFactory> factory, Class<? extends ServerChannel> channel) {
        this.factory = factory;
        this.channel = channel;
    }

    static Transport named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
