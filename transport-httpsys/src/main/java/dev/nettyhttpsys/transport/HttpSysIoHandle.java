package dev.nettyhttpsys.transport;

import io.netty.channel.IoHandle;

/** The {@link IoHandle}s an {@link HttpSysIoHandler} accepts: the unsafes of this transport's channels. */
interface HttpSysIoHandle extends IoHandle {
}
