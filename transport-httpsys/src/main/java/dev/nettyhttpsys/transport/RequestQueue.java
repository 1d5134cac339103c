package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.DirectAddresses;
import dev.nettyhttpsys.codec.EncodedSend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * One native request queue, owned by an {@link HttpSysServerChannel} and used only on the event
 * loop whose engine loop created it (the engine contract). Requests' channels may live on other
 * loops: their calls hop to this loop, and their completions hop back to the request's loop.
 */
final class RequestQueue implements CompletionTarget {
    /** Callbacks of one request, invoked on the request channel's own event loop. */
    interface RequestOps {
        EventLoop eventLoop();

        void onSendCompleted(int status, long bytes);

        void onBodyReceived(int status, long bytes);

        void onAborted();
    }

    private final HttpSysServerChannel server;
    private final HttpSysIoHandler handler;
    private final EventLoop loop;
    private final LongKeyTable<RequestOps> openRequests = new LongKeyTable<>();
    private long handle;
    private long token;
    private boolean closed;

    RequestQueue(HttpSysServerChannel server, HttpSysIoHandler handler, EventLoop loop) {
        this.server = server;
        this.handler = handler;
        this.loop = loop;
    }

    /** Creates the native queue, registers the prefixes and starts receiving. On this loop. */
    void open(HttpSysServerChannelConfig config, Iterable<UrlPrefix> prefixes) throws HttpSysException {
        String name = config.setting(HttpSysChannelOption.REQUEST_QUEUE_NAME);
        HttpSysQueueMode mode = config.setting(HttpSysChannelOption.REQUEST_QUEUE_MODE);
        if (mode != HttpSysQueueMode.CREATE && name.isEmpty()) {
            throw new IllegalArgumentException("REQUEST_QUEUE_MODE " + mode
                    + " needs a REQUEST_QUEUE_NAME: only named queues can be shared");
        }
        long[] tokenOut = new long[1];
        handle = handler.createQueue(this, tokenOut, name, config.nativeQueueSettings());
        token = tokenOut[0];
        try {
            // An attached queue serves the URLs its creator registered.
            if (mode != HttpSysQueueMode.ATTACH) {
                for (UrlPrefix prefix : prefixes) {
                    Native.addUrl(handle, prefix.toString());
                }
            }
            Native.startQueue(handle);
        } catch (HttpSysException e) {
            close();
            throw e;
        }
    }

    EventLoop eventLoop() {
        return loop;
    }

    /** Adds or removes one URL prefix while the queue runs. On this loop. */
    void changeUrl(UrlPrefix prefix, boolean add) throws HttpSysException {
        if (handle == 0 || closed) {
            throw new HttpSysException((add ? "addUrl " : "removeUrl ") + prefix + ": the request queue is closed",
                    EngineStatus.CANCELLED, 0);
        }
        if (add) {
            Native.addUrl(handle, prefix.toString());
        } else {
            Native.removeUrl(handle, prefix.toString());
        }
    }

    void track(long requestId, RequestOps request) {
        openRequests.put(requestId, request);
    }

    // ---- called from any thread: hop to the queue's loop ----

    void send(long requestId, RequestOps request, EncodedSend send) {
        if (loop.inEventLoop()) {
            send0(requestId, request, send);
        } else {
            loop.execute(() -> send0(requestId, request, send));
        }
    }

    void receiveBody(long requestId, RequestOps request, ByteBuf buffer) {
        if (loop.inEventLoop()) {
            receiveBody0(requestId, request, buffer);
        } else {
            loop.execute(() -> receiveBody0(requestId, request, buffer));
        }
    }

    /** The request is done (response complete or abandoned): forget it, cancelling it if asked. */
    void finish(long requestId, boolean cancel) {
        if (loop.inEventLoop()) {
            finish0(requestId, cancel);
        } else {
            loop.execute(() -> finish0(requestId, cancel));
        }
    }

    private void send0(long requestId, RequestOps request, EncodedSend send) {
        if (closed) {
            onRequestLoop(request, () -> request.onSendCompleted(EngineStatus.CANCELLED, 0));
            return;
        }
        long sendToken = handler.newToken((type, status, id, record, length) ->
                onRequestLoop(request, () -> request.onSendCompleted(status, length)));
        int status = Native.send(handle, requestId, send.recordAddress(), send.recordLength(), sendToken);
        if (status != EngineStatus.OK) {
            handler.forgetToken(sendToken);
            onRequestLoop(request, () -> request.onSendCompleted(status, 0));
        }
    }

    private void receiveBody0(long requestId, RequestOps request, ByteBuf buffer) {
        if (closed) {
            onRequestLoop(request, () -> request.onBodyReceived(EngineStatus.CANCELLED, 0));
            return;
        }
        long bodyToken = handler.newToken((type, status, id, record, length) ->
                onRequestLoop(request, () -> request.onBodyReceived(status, length)));
        int status = Native.receiveBody(handle, requestId, DirectAddresses.readableAddress(buffer) + buffer.readableBytes(),
                buffer.writableBytes(), bodyToken);
        if (status != EngineStatus.OK) {
            handler.forgetToken(bodyToken);
            onRequestLoop(request, () -> request.onBodyReceived(status, 0));
        }
    }

    private void finish0(long requestId, boolean cancel) {
        openRequests.remove(requestId);
        if (cancel && !closed) {
            Native.cancel(handle, requestId);
        }
    }

    private static void onRequestLoop(RequestOps request, Runnable task) {
        EventLoop requestLoop = request.eventLoop();
        if (requestLoop.inEventLoop()) {
            task.run();
        } else {
            requestLoop.execute(task);
        }
    }

    // ---- completions for the queue itself ----

    @Override
    public void onCompletion(int type, int status, long requestId, ByteBuf record, long length) {
        switch (type) {
            case Native.REQUEST_RECEIVED:
                server.onRequest(record);
                break;
            case Native.REQUEST_ABORTED: {
                RequestOps request = openRequests.remove(requestId);
                if (request != null) {
                    onRequestLoop(request, request::onAborted);
                }
                break;
            }
            case Native.QUEUE_CLOSED:
                handle = 0;
                server.onQueueClosed();
                break;
            default:
                break;
        }
    }

    /** Stops receiving; pending operations complete as cancelled, then QUEUE_CLOSED arrives. */
    void close() {
        if (!closed && handle != 0) {
            closed = true;
            Native.closeQueue(handle);
        }
    }
}
