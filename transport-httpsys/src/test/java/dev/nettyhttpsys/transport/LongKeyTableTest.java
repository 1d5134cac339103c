package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The id table behaves as a map for sequential, sparse and extreme ids. */
class LongKeyTableTest {
    @Test
    void sequentialIdsComeBackAndGo() {
        LongKeyTable<String> table = new LongKeyTable<>();
        for (long id = 1; id <= 10_000; id++) {
            table.put(id, "r" + id);
        }
        assertEquals(10_000, table.size());
        for (long id = 1; id <= 10_000; id += 2) {
            assertEquals("r" + id, table.remove(id));
        }
        for (long id = 1; id <= 10_000; id++) {
            assertEquals(id % 2 == 0 ? "r" + id : null, table.get(id));
        }
        assertEquals(5_000, table.size());
    }

    @Test
    void extremeIdsAreDistinct() {
        LongKeyTable<Long> table = new LongKeyTable<>();
        long[] ids = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, (1L << 32) + 1, 0x8000_0000L};
        for (long id : ids) {
            assertNull(table.put(id, id));
        }
        for (long id : ids) {
            assertEquals(id, table.get(id));
        }
    }

    @Test
    void theLastKeyFoundFollowsPutsAndRemovals() {
        LongKeyTable<String> table = new LongKeyTable<>();
        assertNull(table.get(0));
        table.put(7, "a");
        assertEquals("a", table.get(7));
        assertEquals("a", table.get(7));   // found again, now without the hash table
        table.put(7, "b");
        assertEquals("b", table.get(7));
        table.put(8, "c");
        assertEquals("c", table.get(8));
        assertEquals("b", table.get(7));
        assertEquals("b", table.remove(7));
        assertNull(table.get(7));
        assertEquals("c", table.get(8));
        table.remove(8);
        assertNull(table.get(8));
        assertEquals(0, table.size());
    }

    @Test
    void mixIsABijectionOnASample() {
        Set<Long> seen = new HashSet<>();
        for (long id = -50_000; id < 50_000; id++) {
            assertTrue(seen.add(LongKeyTable.mix(id)), "collision at " + id);
        }
    }
}
