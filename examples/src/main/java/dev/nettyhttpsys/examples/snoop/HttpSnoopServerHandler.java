package dev.nettyhttpsys.examples.snoop;

import dev.nettyhttpsys.codec.ClientCertificate;
import dev.nettyhttpsys.codec.TlsFacts;
import dev.nettyhttpsys.examples.common.HttpResponses;
import dev.nettyhttpsys.transport.HttpSysChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Answers each whole request with a plain-text description of it (what the client sent, as the server saw it). */
public final class HttpSnoopServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        StringBuilder text = new StringBuilder();
        text.append("method: ").append(request.method()).append('\n');
        text.append("uri: ").append(request.uri()).append('\n');
        text.append("version: ").append(request.protocolVersion()).append('\n');
        text.append("client: ").append(ctx.channel().remoteAddress()).append('\n');
        text.append("server: ").append(ctx.channel().localAddress()).append('\n');
        for (Map.Entry<String, String> header : request.headers()) {
            text.append("header: ").append(header.getKey()).append(": ").append(header.getValue()).append('\n');
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        text.append("path: ").append(query.path()).append('\n');
        for (Map.Entry<String, List<String>> parameter : query.parameters().entrySet()) {
            text.append("query: ").append(parameter.getKey()).append(" = ").append(parameter.getValue()).append('\n');
        }
        text.append("body: ").append(request.content().readableBytes()).append(" bytes\n");
        if (request.content().isReadable()) {
            text.append(request.content().toString(StandardCharsets.UTF_8)).append('\n');
        }
        appendTls(ctx.channel(), text);

        HttpResponses.send(ctx, request, HttpResponses.text(request, HttpResponseStatus.OK, text));
    }

    /** TLS is HTTP.SYS's (netsh http add sslcert); on other transports and plain HTTP there is nothing to show. */
    private static void appendTls(Channel channel, StringBuilder text) {
        TlsFacts tls = channel instanceof HttpSysChannel ? ((HttpSysChannel) channel).tls() : null;
        if (tls == null) {
            text.append("tls: none\n");
            return;
        }
        text.append("tls: ").append(tls.protocolName()).append(", cipher ").append(tls.cipherName())
                .append(' ').append(tls.cipherStrength()).append(" bits, hash ").append(tls.hashName())
                .append(", key exchange ").append(tls.keyExchangeName()).append('\n');
        ClientCertificate certificate = ((HttpSysChannel) channel).clientCertificate();
        if (certificate.isPresent()) {
            text.append("client certificate: ").append(certificate.subject()).append(" (authorized: ")
                    .append(certificate.isAuthorized()).append(")\n");
        } else {
            text.append("client certificate: none\n");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cause.printStackTrace();
        ctx.close();
    }
}
