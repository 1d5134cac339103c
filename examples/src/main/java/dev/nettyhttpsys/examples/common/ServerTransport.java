package dev.nettyhttpsys.examples.common;

import dev.nettyhttpsys.transport.HttpSys;
import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Locale;

/**
 * The transport an example server runs on, picked at start-up: HTTP.SYS when its native engine
 * works here, else epoll (Linux), else NIO. {@code -Dtransport=httpsys|epoll|nio} forces one and
 * fails with the reason when it cannot run. The pipelines are the same on all three; only the
 * IoHandler factory and the server channel class differ.
 */
public final class ServerTransport {
    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannelClass;

    private ServerTransport(String name, IoHandlerFactory ioHandlerFactory,
                            Class<? extends ServerChannel> serverChannelClass) {
        this.name = name;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannelClass = serverChannelClass;
    }

    /** The transport named by {@code -Dtransport} (default {@code auto}: the best one available). */
    public static ServerTransport select() {
        String wanted = System.getProperty("transport", "auto").toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "auto":
                if (HttpSys.isAvailable()) {
                    return httpSys();
                }
                System.err.println("HTTP.SYS transport unavailable (" + HttpSys.unavailabilityCause()
                        + "); falling back to " + (Epoll.isAvailable() ? "epoll" : "NIO"));
                return Epoll.isAvailable() ? epoll() : nio();
            case "httpsys":
                return httpSys();
            case "epoll":
                Epoll.ensureAvailability();
                return epoll();
            case "nio":
                return nio();
            default:
                throw new IllegalArgumentException("-Dtransport must be auto, httpsys, epoll or nio, not " + wanted);
        }
    }

    /** The HTTP.SYS transport; throws with the reason when its native engine cannot run here. */
    public static ServerTransport httpSys() {
        HttpSys.ensureAvailability();
        return new ServerTransport("httpsys (" + HttpSys.backendName() + ")", HttpSysIoHandler.newFactory(),
                HttpSysServerChannel.class);
    }

    private static ServerTransport epoll() {
        return new ServerTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }

    private static ServerTransport nio() {
        return new ServerTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    /** For the start-up line, e.g. {@code httpsys (posix-epoll)}. */
    public String name() {
        return name;
    }

    /** What {@code new MultiThreadIoEventLoopGroup(...)} takes. */
    public IoHandlerFactory ioHandlerFactory() {
        return ioHandlerFactory;
    }

    /** What {@code ServerBootstrap.channel(...)} takes. */
    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }
}
