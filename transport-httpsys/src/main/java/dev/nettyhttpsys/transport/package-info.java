/**
 * A Netty transport on Windows HTTP.SYS (and on Linux, a native engine with the same semantics).
 *
 * <p>Swap {@code NioIoHandler.newFactory()} for {@link dev.nettyhttpsys.transport.HttpSysIoHandler#newFactory()}
 * and {@code NioServerSocketChannel} for {@link dev.nettyhttpsys.transport.HttpSysServerChannel}; pipelines
 * stay as they are. Each request arrives on its own {@link dev.nettyhttpsys.transport.HttpSysChannel}.
 * {@link dev.nettyhttpsys.transport.HttpSys} tells whether the native engine can be used.
 */
package dev.nettyhttpsys.transport;
