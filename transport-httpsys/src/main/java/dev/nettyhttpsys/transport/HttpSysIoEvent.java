package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;

/**
 * One engine completion (engine.h {@code hsys::Completion}) as its {@link HttpSysIoHandle} sees
 * it. The handler reuses one instance for every completion it dispatches, so it is valid only
 * during {@link HttpSysIoHandle#handle}, as Netty's {@link IoEvent} contract says.
 */
final class HttpSysIoEvent implements IoEvent {
    private int type;
    private int status;
    private long requestId;
    private long address;
    private long length;
    private ByteBuf record;

    HttpSysIoEvent update(int type, int status, long requestId, long address, long length, ByteBuf record) {
        this.type = type;
        this.status = status;
        this.requestId = requestId;
        this.address = address;
        this.length = length;
        this.record = record;
        return this;
    }

    /** {@link Native#REQUEST_RECEIVED}, {@link Native#SEND_COMPLETED}, ... */
    int type() {
        return type;
    }

    /** {@link EngineStatus#OK} or a failure. */
    int status() {
        return status;
    }

    long requestId() {
        return requestId;
    }

    /** For {@link Native#CONNECTION_CLOSED}: the connection's id. */
    long connectionId() {
        return address;
    }

    /**
     * How many operations this completion ends: for {@link Native#SEND_COMPLETED}, the sends it
     * completes (the engine folds a token's successful sends in a row into one completion); 1 otherwise.
     */
    int operations() {
        return operations(type, address);
    }

    static int operations(int type, long address) {
        return type == Native.SEND_COMPLETED ? (int) address : 1;
    }

    /** Bytes sent or received, or the record's length. */
    long length() {
        return length;
    }

    /** For {@link Native#REQUEST_RECEIVED}: the request record, valid only during the call; else null. */
    ByteBuf record() {
        return record;
    }
}
