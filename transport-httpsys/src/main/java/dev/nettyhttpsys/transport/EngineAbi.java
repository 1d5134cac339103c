package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.RecordLayout;
import io.netty.channel.ChannelOption;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's binary contract as these classes were compiled for it, checked once at load against
 * the table the native library exports (native/include/hsys/engine_abi.h). The C++ definitions are
 * the source; each Java constant is named here once by its engine name, so a constant that drifts
 * (or a library built from another checkout) fails the load with both fingerprints and every fact
 * that differs, not a misread record later.
 */
final class EngineAbi {
    private EngineAbi() {
    }

    /** Throws when the library's table differs from what the Java classes expect. */
    static void check(String nativeTable) throws HttpSysException {
        check(parse(nativeTable), expected());
    }

    static void check(Map<String, String> library, Map<String, String> java) throws HttpSysException {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> fact : java.entrySet()) {
            String libraryValue = library.get(fact.getKey());
            if (!fact.getValue().equals(libraryValue)) {
                differences.add(fact.getKey() + " is " + (libraryValue == null ? "missing" : libraryValue)
                        + " in the library, " + fact.getValue() + " in Java");
            }
        }
        for (String name : library.keySet()) {
            if (!java.containsKey(name)) {
                differences.add(name + " is " + library.get(name) + " in the library, unknown to Java");
            }
        }
        if (!differences.isEmpty()) {
            throw new HttpSysException("the native library's engine ABI " + fingerprint(library)
                    + " does not match the Java classes' ABI " + fingerprint(java) + ": "
                    + String.join("; ", differences)
                    + ". Use the netty-httpsys jar and native library of one build.", EngineStatus.INVALID_ARGUMENT, 0);
        }
    }

    /** Every fact the Java side relies on, by its engine name. */
    static Map<String, String> expected() {
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "Completion.size", Native.COMPLETION_SIZE);
        put(facts, "kRequestReceived", Native.REQUEST_RECEIVED);
        put(facts, "kSendCompleted", Native.SEND_COMPLETED);
        put(facts, "kBodyReceived", Native.BODY_RECEIVED);
        put(facts, "kQueueClosed", Native.QUEUE_CLOSED);
        put(facts, "kRequestAborted", Native.REQUEST_ABORTED);
        put(facts, "kConnectionClosed", Native.CONNECTION_CLOSED);
        put(facts, "kOk", EngineStatus.OK);
        put(facts, "kOkCopied", EngineStatus.OK_COPIED);
        put(facts, "kCancelled", EngineStatus.CANCELLED);
        put(facts, "kConnectionLost", EngineStatus.CONNECTION_LOST);
        put(facts, "kInvalidArgument", EngineStatus.INVALID_ARGUMENT);
        put(facts, "kNoSuchRequest", EngineStatus.NO_SUCH_REQUEST);
        put(facts, "kBusy", EngineStatus.BUSY);
        put(facts, "kSystemError", EngineStatus.SYSTEM_ERROR);
        put(facts, "kUnsupported", EngineStatus.UNSUPPORTED);
        put(facts, "kMalformedBody", EngineStatus.MALFORMED_BODY);
        put(facts, "kQueueCreate", HttpSysQueueMode.CREATE.ordinal());
        put(facts, "kQueueAttach", HttpSysQueueMode.ATTACH.ordinal());
        put(facts, "kQueueCreateOrAttach", HttpSysQueueMode.CREATE_OR_ATTACH.ordinal());
        put(facts, "kOptMode", index(HttpSysChannelOption.REQUEST_QUEUE_MODE));
        put(facts, "kOptReceiveBufferSize", index(HttpSysChannelOption.RECEIVE_BUFFER_SIZE));
        put(facts, "kOptPendingReceives", index(HttpSysChannelOption.PENDING_RECEIVES));
        put(facts, "kOptQueueLength", index(HttpSysChannelOption.REQUEST_QUEUE_LENGTH));
        put(facts, "kOptMaxRequestBodyBytes", index(HttpSysChannelOption.MAX_REQUEST_BODY_SIZE));
        put(facts, "kOptMaxConnections", index(HttpSysChannelOption.MAX_CONNECTIONS));
        put(facts, "kOptEntityBodyTimeout", index(HttpSysChannelOption.ENTITY_BODY_TIMEOUT));
        put(facts, "kOptDrainEntityBodyTimeout", index(HttpSysChannelOption.DRAIN_ENTITY_BODY_TIMEOUT));
        put(facts, "kOptRequestQueueTimeout", index(HttpSysChannelOption.REQUEST_QUEUE_TIMEOUT));
        put(facts, "kOptIdleConnectionTimeout", index(HttpSysChannelOption.IDLE_CONNECTION_TIMEOUT));
        put(facts, "kOptHeaderWaitTimeout", index(HttpSysChannelOption.HEADER_WAIT_TIMEOUT));
        put(facts, "kOptMinSendRate", index(HttpSysChannelOption.MIN_SEND_RATE));
        put(facts, "kOptExportClientCertificate", index(HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE));
        put(facts, "kQueueOptionCount", ServerSettings.NATIVE_COUNT);
        put(facts, "kEngineStatsCount", HttpSysEngineStats.COUNT);
        facts.putAll(RecordLayout.abiFacts());
        return facts;
    }

    /** Parses the library's "name=value" lines. */
    static Map<String, String> parse(String table) {
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : table.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                facts.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return facts;
    }

    /** A short name for a table: FNV-1a over its sorted lines, so both sides name it alike. */
    static String fingerprint(Map<String, String> facts) {
        long hash = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> fact : new TreeMap<>(facts).entrySet()) {
            for (byte b : (fact.getKey() + '=' + fact.getValue() + '\n').getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
        }
        return String.format("%016x", hash);
    }

    private static int index(ChannelOption<?> option) {
        for (ServerSetting<?> setting : ServerSettings.ALL) {
            if (setting.option == option) {
                return setting.nativeIndex;
            }
        }
        throw new IllegalStateException(option + " is not a server setting");
    }

    private static void put(Map<String, String> facts, String name, long value) {
        facts.put(name, Long.toString(value));
    }
}
