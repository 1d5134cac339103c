package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Netty {@link IoHandler} over one engine loop: an IO completion port on Windows (HTTP.SYS),
 * an epoll instance on Linux. Each {@link #run} makes one native call that waits for and returns
 * a batch of completions, which are dispatched by token to the {@link HttpSysIoRegistration}s of
 * server channels (their request queues) and connection channels (their sends and body reads).
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(HttpSysIoHandler.newFactory());
 * }</pre>
 */
public final class HttpSysIoHandler implements IoHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysIoHandler.class);
    private static final int BATCH_CAPACITY = 256;
    private static final long AWAKE = -1L;
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final long SHUTDOWN_DRAIN_MILLIS = 5000;

    private final ThreadAwareExecutor executor;
    private final long loop;
    private final ByteBuffer completions;
    private final long completionsAddress;
    private final RecordWindow window = new RecordWindow();
    private final LongKeyTable<HttpSysIoRegistration> registrations = new LongKeyTable<>();
    private final HttpSysIoEvent event = new HttpSysIoEvent();
    private final EngineLoop engine = new Engine();
    private final AtomicLong nextWakeupNanos = new AtomicLong(AWAKE);
    // What runs when the batch being dispatched is done (EngineLoop#runAfterDispatch).
    private final List<AfterDispatch> afterDispatch = new ArrayList<>();
    private boolean dispatching;
    private long nextToken = 1;
    private int openQueues;
    private boolean destroyed;

    private HttpSysIoHandler(ThreadAwareExecutor executor) {
        HttpSys.ensureAvailability();
        this.executor = executor;
        try {
            this.loop = Native.createLoop();
        } catch (HttpSysException e) {
            throw new IllegalStateException("cannot create an engine loop: " + e.getMessage(), e);
        }
        this.completions = ByteBuffer.allocateDirect(BATCH_CAPACITY * Native.COMPLETION_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        this.completionsAddress = Native.bufferAddress(completions);
    }

    /** The factory to pass to {@code MultiThreadIoEventLoopGroup}. */
    public static IoHandlerFactory newFactory() {
        HttpSys.ensureAvailability();
        return HttpSysIoHandler::new;
    }

    @Override
    public int run(IoHandlerContext context) {
        int timeoutMillis = 0;
        if (context.canBlock()) {
            long deadline = context.deadlineNanos();
            nextWakeupNanos.set(deadline == -1 ? NO_DEADLINE : deadline);
            try {
                if (context.canBlock()) {
                    timeoutMillis = deadline == -1 ? -1 : millisUntil(context.delayNanos(System.nanoTime()));
                }
                return pollAndDispatch(context, timeoutMillis);
            } finally {
                nextWakeupNanos.set(AWAKE);
            }
        }
        return pollAndDispatch(context, 0);
    }

    private static int millisUntil(long delayNanos) {
        if (delayNanos <= 0) {
            return 0;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    private int pollAndDispatch(IoHandlerContext context, int timeoutMillis) {
        int count = Native.poll(loop, completionsAddress, BATCH_CAPACITY, timeoutMillis, window);
        if (count < 0) {
            logger.warn("engine poll failed: {}", EngineStatus.describe(count));
            return 0;
        }
        if (count == 0) {
            return 0;
        }
        long start = context.shouldReportActiveIoTime() ? System.nanoTime() : 0;
        dispatch(count);
        if (start != 0) {
            context.reportActiveIoTime(System.nanoTime() - start);
        }
        return count;
    }

    private void dispatch(int count) {
        dispatching = true;
        try {
            dispatchCompletions(count);
        } finally {
            dispatching = false;
            runAfterDispatchTasks();
        }
    }

    private void runAfterDispatchTasks() {
        for (int i = 0; i < afterDispatch.size(); i++) {
            AfterDispatch task = afterDispatch.get(i);
            try {
                task.afterDispatch();
            } catch (Throwable t) {
                logger.warn("a task run after dispatching completions failed: {}", task, t);
            }
        }
        afterDispatch.clear();
    }

    private void dispatchCompletions(int count) {
        ByteBuf records = null;
        for (int i = 0; i < count; i++) {
            int offset = i * Native.COMPLETION_SIZE;
            int type = completions.getInt(offset);
            int status = completions.getInt(offset + 4);
            long token = completions.getLong(offset + 8);
            long requestId = completions.getLong(offset + 16);
            long address = completions.getLong(offset + 24);
            long length = completions.getLong(offset + 32);
            if (type == Native.QUEUE_CLOSED) {
                openQueues--;
            }
            HttpSysIoRegistration registration = registrations.get(token);
            if (registration == null) {
                logger.debug("completion type {} for unknown token {}", type, token);
                continue;
            }
            ByteBuf record = null;
            if (type == Native.REQUEST_RECEIVED) {
                if (records == null) {
                    records = window.records();
                }
                // The window itself, its indexes around this record: no wrapper per request (a
                // consumer reads the record during this dispatch only).
                record = records.setIndex((int) address, (int) (address + length));
            }
            registration.dispatch(type, status, requestId, address, length, record);
        }
    }

    // ---- used by registrations (EngineLoop), on this loop's thread unless said ----

    /** This loop as its registrations see it: not public, unlike the handler's own methods. */
    private final class Engine implements EngineLoop {
        @Override
        public boolean inLoop() {
            return executor.isExecutorThread(Thread.currentThread());
        }

        @Override
        public boolean execute(Runnable task) {
            try {
                executor.execute(task);
                return true;
            } catch (RejectedExecutionException e) {
                return false;
            }
        }

        @Override
        public HttpSysIoEvent event() {
            return event;
        }

        @Override
        public long createQueue(long token, String name, String listenAddress, long[] settings)
                throws HttpSysException {
            long queue = Native.createQueue(loop, token, name, listenAddress, settings);
            openQueues++;
            return queue;
        }

        @Override
        public HttpSysEngineStats stats() {
            long[] counters = new long[HttpSysEngineStats.COUNT];
            Native.stats(loop, counters);
            return new HttpSysEngineStats(counters);
        }

        @Override
        public boolean runAfterDispatch(AfterDispatch task) {
            if (!dispatching || !inLoop()) {
                return false;
            }
            afterDispatch.add(task);
            return true;
        }

        @Override
        public void unregister(long token) {
            registrations.remove(token);
        }
    }

    // ---- IoHandler ----

    @Override
    public IoRegistration register(IoHandle handle) {
        if (!(handle instanceof HttpSysIoHandle)) {
            throw new IllegalArgumentException("not an HTTP.SYS transport handle: " + handle.getClass().getName());
        }
        HttpSysIoRegistration registration = new HttpSysIoRegistration(engine, (HttpSysIoHandle) handle, nextToken++);
        registrations.put(registration.token(), registration);
        handle.registered();
        return registration;
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread()) && nextWakeupNanos.getAndSet(AWAKE) != AWAKE) {
            Native.wakeup(loop);
        }
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return HttpSysIoHandle.class.isAssignableFrom(handleType);
    }

    @Override
    public void prepareToDestroy() {
        List<HttpSysIoRegistration> all = new ArrayList<>(registrations.size());
        registrations.forEachValue(all::add);
        for (HttpSysIoRegistration registration : all) {
            registration.close();
        }
    }

    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        // Closed queues report QUEUE_CLOSED once the engine is done with every buffer they lent
        // out; wait for that so no send still points into memory Java is about to free.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_DRAIN_MILLIS);
        while (openQueues > 0 && System.nanoTime() < deadline) {
            int count = Native.poll(loop, completionsAddress, BATCH_CAPACITY, 50, window);
            if (count > 0) {
                dispatch(count);
            }
        }
        if (openQueues > 0) {
            logger.warn("{} request queue(s) still open after {} ms; destroying the engine loop anyway",
                    openQueues, SHUTDOWN_DRAIN_MILLIS);
        }
        Native.destroyLoop(loop);
    }
}
