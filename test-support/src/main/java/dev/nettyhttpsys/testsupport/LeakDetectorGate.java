package dev.nettyhttpsys.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails a test class when Netty's leak detector (PARANOID in the build) reports a leaked buffer:
 * after the class, it collects garbage and allocates a few tracked buffers, which makes the
 * detector report what the collector found; the reports are captured from its JUL logger.
 *
 * <p>codec-bridge's tests name it with {@code @ExtendWith}; the transport's tests get it for every
 * class through JUnit's extension auto-detection (junit-platform.properties and META-INF/services
 * there).
 */
public final class LeakDetectorGate implements BeforeAllCallback, AfterAllCallback {
    private static final Logger DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());
    private final List<String> leaks = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue() && String.valueOf(record.getMessage())
                    .contains("LEAK")) {
                synchronized (leaks) {
                    leaks.add(record.getMessage());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        List<String> found = stop();
        assertTrue(found.isEmpty(), "Netty reported leaks in " + context.getDisplayName() + ": " + found);
    }

    /** Starts listening to the leak detector. */
    void start() {
        DETECTOR_LOG.addHandler(capture);
    }

    /** Makes the detector report what the collector found, stops listening, and returns the reports. */
    List<String> stop() throws InterruptedException {
        try {
            for (int round = 0; round < 3; round++) {
                System.gc();
                Thread.sleep(20);
                ByteBuf probe = UnpooledByteBufAllocator.DEFAULT.directBuffer(1);
                probe.release();
            }
            synchronized (leaks) {
                return new ArrayList<>(leaks);
            }
        } finally {
            DETECTOR_LOG.removeHandler(capture);
        }
    }
}
