package dev.nettyhttpsys.examples.websocket;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The clients connected to the chat and the last messages, shared by every connection's handler. */
public final class ChatRoom {
    /** Messages a client gets when it joins. */
    static final int HISTORY = 20;

    private final ChannelGroup members = new DefaultChannelGroup("chat", GlobalEventExecutor.INSTANCE);
    private final ArrayDeque<String> history = new ArrayDeque<>();

    /** Adds a WebSocket channel (it leaves by itself when it closes) and sends it the recent messages. */
    public void join(Channel channel) {
        List<String> recent;
        synchronized (history) {
            recent = new ArrayList<>(history);
        }
        for (String message : recent) {
            channel.write(new TextWebSocketFrame(message));
        }
        channel.flush();
        members.add(channel);
    }

    /** Sends one message to every member and keeps it for those who join later. */
    public void broadcast(String message) {
        synchronized (history) {
            history.addLast(message);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        members.writeAndFlush(new TextWebSocketFrame(message));
    }
}
