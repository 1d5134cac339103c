package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.EncodedSend;
import dev.nettyhttpsys.codec.ResponseRecordEncoder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-connection queues that keep their first element in a field ({@link SmallFifo},
 * {@link SendsInEngine}): order and accounting stay those of a plain queue when pipelining
 * spills into the overflow, it wraps, and it empties and fills again.
 */
class ConnectionQueuesTest {

    @Test
    void smallFifoKeepsOrderThroughItsOverflow() {
        SmallFifo<Integer> fifo = new SmallFifo<>();
        assertTrue(fifo.isEmpty());
        assertNull(fifo.pollFirst());
        int next = 0;
        int expected = 0;
        // Fill and drain in uneven steps so the overflow wraps and empties several times.
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < round % 7 + 1; i++) {
                fifo.addLast(next++);
            }
            for (int i = 0; i < round % 5 + 1 && !fifo.isEmpty(); i++) {
                assertEquals(expected, fifo.peekFirst());
                assertEquals(expected++, fifo.pollFirst());
            }
        }
        while (!fifo.isEmpty()) {
            assertEquals(expected++, fifo.pollFirst());
        }
        assertEquals(next, expected);
        assertNull(fifo.peekFirst());
    }

    @Test
    void sendsInEngineCompleteOldestFirstAndCountTheirBytes() {
        List<EncodedSend> made = new ArrayList<>();
        try {
            SendsInEngine sends = new SendsInEngine();
            assertTrue(sends.isEmpty());
            assertNull(sends.removeFirst());
            int next = 0;
            int completed = 0;
            long bytes = 0;
            for (int round = 0; round < 12; round++) {
                for (int i = 0; i < round % 9 + 1; i++) {  // up to 9 in the engine: the ring grows past 4
                    made.add(send());
                    sends.add(made.get(next), next + 1);
                    bytes += next + 1;
                    next++;
                }
                assertEquals(bytes, sends.bytes());
                for (int i = 0; i < round % 4 + 1 && !sends.isEmpty(); i++) {
                    assertSame(made.get(completed), sends.removeFirst());
                    bytes -= ++completed;
                    assertEquals(bytes, sends.bytes());
                }
            }
            // A refused send is taken back from the end, whether it is the only one or not.
            made.add(send());
            sends.add(made.get(next), 1000);
            assertSame(made.get(next), sends.removeLast());
            assertEquals(bytes, sends.bytes());
            while (!sends.isEmpty()) {
                assertSame(made.get(completed), sends.removeFirst());
                bytes -= ++completed;
            }
            assertEquals(next, completed);
            assertEquals(0, sends.bytes());
            made.add(send());
            sends.add(made.get(next + 1), 7);
            assertSame(made.get(next + 1), sends.removeLast());
            assertTrue(sends.isEmpty());
            assertEquals(0, sends.bytes());
        } finally {
            made.forEach(EncodedSend::release);
        }
    }

    private static EncodedSend send() {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HttpVersion.HTTP_1_1, false, 0);
        encoder.append(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT),
                ByteBufAllocator.DEFAULT);
        return encoder.finishSend();
    }
}
