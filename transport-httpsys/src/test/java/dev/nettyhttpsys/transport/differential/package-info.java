/**
 * The differential suite: one {@code ChannelInitializer<SocketChannel>} serves on
 * {@code NioServerSocketChannel} and on {@code HttpSysServerChannel}, the same raw requests go to
 * both, and the responses must match. Where HTTP.SYS semantics legitimately differ (the engine
 * owns the connection, answers some errors itself, always speaks HTTP/1.1), the difference is
 * asserted explicitly in the case, never silently excluded; the few header exclusions are
 * listed, with their reason, in {@link dev.nettyhttpsys.transport.differential.Differential}.
 */
package dev.nettyhttpsys.transport.differential;
