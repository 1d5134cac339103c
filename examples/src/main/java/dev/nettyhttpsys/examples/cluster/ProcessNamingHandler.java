package dev.nettyhttpsys.examples.cluster;

import dev.nettyhttpsys.examples.common.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Answers "served by ROLE pid N" (also in {@code X-Served-By}), so a client sees which process took the request. */
public final class ProcessNamingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String servedBy;

    /** The handler of a process in {@code role} ("creator" or "worker"). */
    public ProcessNamingHandler(String role) {
        this.servedBy = role + " pid " + ProcessHandle.current().pid();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = HttpResponses.text(request, HttpResponseStatus.OK, "served by " + servedBy + "\n");
        response.headers().set("X-Served-By", servedBy);
        HttpResponses.send(ctx, request, response);
    }
}
