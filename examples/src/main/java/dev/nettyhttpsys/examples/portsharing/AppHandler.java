package dev.nettyhttpsys.examples.portsharing;

import dev.nettyhttpsys.examples.common.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/** One application: answers "Hello from APP (pid N): URI" so a client sees which queue and process served it. */
public final class AppHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String app;

    /** The handler of the application named {@code app}. */
    public AppHandler(String app) {
        this.app = app;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String text = "Hello from " + app + " (pid " + ProcessHandle.current().pid() + "): " + request.uri() + "\n";
        FullHttpResponse response = HttpResponses.text(request, HttpResponseStatus.OK, text);
        response.headers().set("X-App", app);
        HttpResponses.send(ctx, request, response);
    }
}
