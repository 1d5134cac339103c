package dev.nettyhttpsys.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate can fail: a buffer dropped without release is reported. */
class LeakDetectorGateTest {
    @Test
    void aDroppedBufferIsReported() throws InterruptedException {
        assertTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "the build runs tests with -Dio.netty.leakDetection.level=PARANOID");
        LeakDetectorGate gate = new LeakDetectorGate();
        gate.start();
        leak();
        List<String> found = List.of();
        for (int attempt = 0; attempt < 10 && found.isEmpty(); attempt++) {
            found = gate.stop();
            if (found.isEmpty()) {
                gate.start();
            }
        }
        assertFalse(found.isEmpty(), "the leak detector reported the dropped buffer");
    }

    private static void leak() {
        ByteBuf dropped = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
        dropped.writeLong(1);
    }
}
