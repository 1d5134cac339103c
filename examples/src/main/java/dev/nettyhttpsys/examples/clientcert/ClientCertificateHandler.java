package dev.nettyhttpsys.examples.clientcert;

import dev.nettyhttpsys.codec.ClientCertificate;
import dev.nettyhttpsys.codec.TlsFacts;
import dev.nettyhttpsys.examples.common.HttpResponses;
import dev.nettyhttpsys.transport.HttpSysChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Base64;

/**
 * Answers with the request's TLS facts and client certificate as text: 200 when Windows
 * authorized the certificate, 403 with the reason otherwise (none sent, CERT_E_* name, denied by
 * the mapper), 400 for a request that did not come over TLS.
 */
public final class ClientCertificateHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpSysChannel channel = (HttpSysChannel) ctx.channel();
        TlsFacts tls = channel.tls();
        if (tls == null) {
            HttpResponses.send(ctx, request, HttpResponses.text(request, HttpResponseStatus.BAD_REQUEST,
                    "not a TLS request: use https:// and a port bound with netsh http add sslcert\n"));
            return;
        }
        ClientCertificate certificate = channel.clientCertificate();
        StringBuilder text = new StringBuilder();
        text.append("tls: ").append(tls.protocolName()).append(", ").append(tls.cipherName()).append(' ')
                .append(tls.cipherStrength()).append(" bits\n");
        text.append("client certificate negotiated: ").append(tls.clientCertificateNegotiated()).append('\n');
        text.append("authorized: ").append(certificate.isAuthorized()).append('\n');
        text.append("authorization error: ").append(certificate.authorizationError()).append('\n');
        if (certificate.isPresent()) {
            text.append("subject: ").append(certificate.subject()).append('\n');
            text.append("issuer: ").append(certificate.issuer()).append('\n');
            text.append("valid: ").append(certificate.validFrom()).append(" to ").append(certificate.validTo()).append('\n');
            text.append("fingerprint (SHA-1): ").append(certificate.fingerprint()).append('\n');
            text.append("fingerprint256: ").append(certificate.fingerprint256()).append('\n');
            text.append("raw DER (base64): ").append(Base64.getEncoder().encodeToString(certificate.raw())).append('\n');
        }
        HttpResponseStatus status = certificate.isAuthorized() ? HttpResponseStatus.OK : HttpResponseStatus.FORBIDDEN;
        HttpResponses.send(ctx, request, HttpResponses.text(request, status, text));
    }
}
