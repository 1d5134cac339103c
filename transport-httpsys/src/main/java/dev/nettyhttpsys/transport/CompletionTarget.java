package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;

/** Receives the completions whose token it was registered under; called on the loop's thread. */
interface CompletionTarget {
    /**
     * @param record for {@link Native#REQUEST_RECEIVED}: the request record, valid only during
     *               this call; otherwise null
     * @param length bytes transferred (send, body) or the record length
     */
    void onCompletion(int type, int status, long requestId, ByteBuf record, long length);
}
