package dev.nettyhttpsys.transport;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.util.concurrent.ThreadFactory;

/** A {@link MultiThreadIoEventLoopGroup} of {@link HttpSysIoHandler}s, for symmetry with {@code EpollEventLoopGroup}. */
public final class HttpSysEventLoopGroup extends MultiThreadIoEventLoopGroup {

    /** As many threads as Netty's default (twice the processors unless configured). */
    public HttpSysEventLoopGroup() {
        this(0);
    }

    public HttpSysEventLoopGroup(int threads) {
        super(threads, HttpSysIoHandler.newFactory());
    }

    public HttpSysEventLoopGroup(int threads, ThreadFactory threadFactory) {
        super(threads, threadFactory, HttpSysIoHandler.newFactory());
    }
}
