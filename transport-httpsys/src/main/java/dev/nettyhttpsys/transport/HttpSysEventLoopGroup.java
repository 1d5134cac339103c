package dev.nettyhttpsys.transport;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.util.concurrent.ThreadFactory;

/** A {@link MultiThreadIoEventLoopGroup} of {@link HttpSysIoHandler}s, for symmetry with {@code EpollEventLoopGroup}. */
public final class HttpSysEventLoopGroup extends MultiThreadIoEventLoopGroup {

    /** As many threads as Netty's default (twice the processors unless configured). */
    public HttpSysEventLoopGroup() {
        this(0);
    }

    /** {@code threads} event loops, each with its own engine loop (0: Netty's default count). */
    public HttpSysEventLoopGroup(int threads) {
        super(threads, HttpSysIoHandler.newFactory());
    }

    /** {@code threads} event loops whose threads come from {@code threadFactory}. */
    public HttpSysEventLoopGroup(int threads, ThreadFactory threadFactory) {
        super(threads, threadFactory, HttpSysIoHandler.newFactory());
    }
}
