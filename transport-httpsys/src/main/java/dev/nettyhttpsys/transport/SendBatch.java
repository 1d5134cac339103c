package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.ResponseRecordEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.Arrays;

/**
 * Gathers what one flush holds for one response into one engine send, as a socket transport
 * gathers it into one {@code writev}: flushed messages are appended to the response's encoder, in
 * order, until the response is complete, it switched protocols, a byte budget is reached, or a
 * message is refused. The messages stay in the outbound buffer until the send was handed to the
 * engine; then {@link #removeTaken} completes their promises.
 *
 * <p>Cancelled writes are skipped by {@link ChannelOutboundBuffer#forEachFlushedMessage}, so the
 * taken messages are remembered by identity and removed up to the last of them.
 *
 * <p>A batch lives only through one {@code doWrite}, so a connection holds none: each thread
 * lends its own ({@link #borrow()}); a write that starts while it is out (a promise listener
 * flushing another channel) gets a fresh one.
 */
final class SendBatch implements ChannelOutboundBuffer.MessageProcessor {
    /** Parts per send: bounds the record's chunk table and the memory kept here. */
    private static final int MAX_PARTS = 64;
    private static final FastThreadLocal<SendBatch> OF_THREAD = new FastThreadLocal<SendBatch>() {
        @Override
        protected SendBatch initialValue() {
            return new SendBatch();
        }
    };

    private Object[] parts = new Object[4];
    private long[] partSizes = new long[4];  // each taken part's payloadSize, read once
    private int taken;
    private long payloadBytes;
    private long budget;
    private Throwable refusal;
    private ResponseRecordEncoder encoder;
    private ByteBufAllocator alloc;
    private boolean lent;

    /** This thread's batch, or a fresh one while that is lent; {@link #giveBack()} after use. */
    static SendBatch borrow() {
        SendBatch batch = OF_THREAD.get();
        if (batch.lent) {
            return new SendBatch();
        }
        batch.lent = true;
        return batch;
    }

    /** Ends a use: forgets what a failed gather left. */
    void giveBack() {
        Arrays.fill(parts, 0, taken, null);
        taken = 0;
        refusal = null;
        lent = false;
    }

    /**
     * Appends flushed messages to {@code encoder}, at least one and up to about {@code budget}
     * payload bytes. Afterwards {@link #taken()} messages went into the encoder's send, and
     * {@link #refusal()} says why the message after them was refused, if one was.
     */
    void gather(ChannelOutboundBuffer in, ResponseRecordEncoder encoder, ByteBufAllocator alloc, long budget)
            throws Exception {
        this.encoder = encoder;
        this.alloc = alloc;
        this.budget = budget;
        taken = 0;
        payloadBytes = 0;
        refusal = null;
        try {
            in.forEachFlushedMessage(this);
        } finally {
            this.encoder = null;
            this.alloc = null;
        }
    }

    @Override
    public boolean processMessage(Object msg) {
        try {
            // The encoder consumes a reference; the outbound buffer keeps its own until removal.
            encoder.append(ReferenceCountUtil.retain(msg), alloc);
        } catch (Throwable t) {
            refusal = t;
            return false;
        }
        if (taken == parts.length) {
            parts = Arrays.copyOf(parts, parts.length * 2);
            partSizes = Arrays.copyOf(partSizes, parts.length);
        }
        long size = payloadSize(msg);
        partSizes[taken] = size;
        parts[taken++] = msg;
        payloadBytes += size;
        return !encoder.mustFinishSend() && payloadBytes < budget && taken < MAX_PARTS;
    }

    int taken() {
        return taken;
    }

    /** Payload bytes of the taken messages, as their progressive promises count them. */
    long payloadBytes() {
        return payloadBytes;
    }

    /** Why the message after the taken ones was refused (it is the buffer's current one then); null if none was. */
    Throwable refusal() {
        return refusal;
    }

    /**
     * Removes the taken messages (and cancelled writes among them) from the outbound buffer:
     * their promises succeed, or fail with {@code cause} when it is not null.
     */
    void removeTaken(ChannelOutboundBuffer in, Throwable cause) {
        int removed = 0;
        while (removed < taken) {
            Object current = in.current();
            if (current == null) {
                break;  // the channel closed from a listener and failed the rest itself
            }
            if (current == parts[removed]) {
                long size = partSizes[removed];
                if (size > 0 && cause == null) {
                    in.progress(size);  // for ChannelProgressivePromise (file downloads)
                }
                parts[removed++] = null;
            }
            if (cause == null) {
                in.remove();
            } else {
                in.remove(cause);
            }
        }
        Arrays.fill(parts, removed, taken, null);
        taken = 0;
        if (parts.length > 4 * 4) {
            parts = new Object[4];  // a burst of small parts does not pin a big array for the thread's life
            partSizes = new long[4];
        }
    }

    /** The message's own bytes, as its progressive promise counts them (no framing). */
    static long payloadSize(Object msg) {
        if (msg instanceof FileRegion) {
            FileRegion region = (FileRegion) msg;
            return region.count() - region.transferred();
        }
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        return msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
    }
}
