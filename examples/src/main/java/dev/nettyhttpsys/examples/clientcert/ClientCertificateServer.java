package dev.nettyhttpsys.examples.clientcert;

import dev.nettyhttpsys.examples.common.ServerTransport;
import dev.nettyhttpsys.transport.HttpSys;
import dev.nettyhttpsys.transport.HttpSysChannelOption;
import dev.nettyhttpsys.transport.HttpSysServerAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Shows what HTTP.SYS tells about a client certificate: whether Windows trusts it and why not,
 * the parsed certificate, its fingerprints and its raw DER. A binding with
 * {@code clientcertnegotiation=enable} asks for the certificate in the handshake; otherwise
 * {@code HTTPSYS_EXPORT_CLIENT_CERT=true} makes the transport ask HTTP.SYS for it
 * ({@code HttpReceiveClientCertificate}) before the request reaches the pipeline. Windows only: HTTP.SYS terminates TLS with the certificate bound to the port by
 * {@code netsh http add sslcert ... clientcertnegotiation=enable} (docs/windows-setup.md); the
 * Linux engine has no TLS and refuses https prefixes, which this program reports.
 * Then {@code curl --cert client.pem --key client.key https://localhost:8443/}.
 */
public final class ClientCertificateServer {
    private ClientCertificateServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8443);
        String prefix = "https://+:" + port + "/";
        ServerTransport transport = ServerTransport.httpSys();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    new ClientCertificateHandler());
                        }
                    });
            Channel server;
            try {
                server = bootstrap.bind(new HttpSysServerAddress(prefix)).sync().channel();
            } catch (Exception e) {
                System.out.println("Cannot register " + prefix + ": " + e.getMessage());
                if (!"windows-httpapi".equals(HttpSys.backendName())) {
                    System.out.println("Client certificates need Windows: HTTP.SYS terminates TLS there and hands "
                            + "the certificate to the application; the " + HttpSys.backendName()
                            + " engine has no TLS.");
                }
                System.exit(1);
                return;
            }
            boolean fetched = server.config().getOption(HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE);
            System.out.println("Client certificate example on " + transport.name() + " listening on " + prefix
                    + (fetched ? " (asks HTTP.SYS for a certificate the TLS handshake did not negotiate)"
                            : " (only certificates negotiated by the binding; HTTPSYS_EXPORT_CLIENT_CERT=true asks for them)"));
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
