package dev.nettyhttpsys.transport;

import io.netty.util.collection.LongObjectHashMap;

import java.util.function.Consumer;

/**
 * A long-keyed map for ids the engine hands out (request ids, operation tokens). Such ids are
 * sequential, and Netty's {@link LongObjectHashMap} indexes by the key's low bits with linear
 * probing, so hundreds of live sequential ids form one cluster that every removal walks to its
 * end (it was 40% of the event loop's time under pipelined load). Keys are scrambled with a
 * bijective mix first, so equal ids still meet and different ids cannot collide.
 */
final class LongKeyTable<V> {
    private final LongObjectHashMap<V> map = new LongObjectHashMap<>();
    // The last key found, and its value (null: none). Lookups come in runs of one key (a pipelined
    // connection's requests, one channel's completions), which then skip the hash table.
    private long lastKey;
    private V lastValue;

    V get(long key) {
        if (key == lastKey && lastValue != null) {
            return lastValue;
        }
        V value = map.get(mix(key));
        if (value != null) {
            lastKey = key;
            lastValue = value;
        }
        return value;
    }

    V put(long key, V value) {
        if (key == lastKey) {
            lastValue = value;
        }
        return map.put(mix(key), value);
    }

    V remove(long key) {
        if (key == lastKey) {
            lastValue = null;
        }
        return map.remove(mix(key));
    }

    int size() {
        return map.size();
    }

    void forEachValue(Consumer<V> action) {
        map.values().forEach(action);
    }

    /** MurmurHash3's 64-bit finalizer: invertible, and every input bit moves every output bit. */
    static long mix(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
