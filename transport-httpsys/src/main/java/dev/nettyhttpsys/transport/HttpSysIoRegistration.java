package dev.nettyhttpsys.transport;

import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;

/**
 * A channel's registration with an {@link HttpSysIoHandler}. The engine is completion based, so
 * there are no interest ops to submit: channels start operations through {@link RequestQueue}.
 */
final class HttpSysIoRegistration implements IoRegistration {
    private final HttpSysIoHandler handler;
    private final HttpSysIoHandle handle;
    private boolean valid = true;

    HttpSysIoRegistration(HttpSysIoHandler handler, HttpSysIoHandle handle) {
        this.handler = handler;
        this.handle = handle;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T attachment() {
        return (T) handler;
    }

    @Override
    public long submit(IoOps ops) {
        throw new UnsupportedOperationException("the HTTP.SYS engine is completion based; no IoOps to submit");
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public boolean cancel() {
        if (!valid) {
            return false;
        }
        valid = false;
        handler.unregister(this);
        handle.unregistered();
        return true;
    }

    /** Cancels and closes the handle: used when the loop shuts down. */
    void close() {
        cancel();
        try {
            handle.close();
        } catch (Exception ignored) {
            // Closing during shutdown: nothing left to tell.
        }
    }
}
