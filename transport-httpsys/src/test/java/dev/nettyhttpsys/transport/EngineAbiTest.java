package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real library's ABI table equals what the Java classes were compiled for; a drift fails the load. */
class EngineAbiTest {
    private static Map<String, String> libraryTable() {
        HttpSys.ensureAvailability();
        return EngineAbi.parse(Native.abiTable());
    }

    @Test
    void theLibraryAndTheJavaClassesAgreeOnEveryFact() {
        Map<String, String> library = libraryTable();
        assertEquals(EngineAbi.expected(), library);
        assertDoesNotThrow(() -> EngineAbi.check(Native.abiTable()));
        // The table covers the record layouts and header tables, not just the completion kinds.
        assertEquals("88", library.get("RequestRecordHeader.size"));
        assertEquals("Content-Length", library.get("response.header.11"));
    }

    @Test
    void aJavaConstantThatDriftsFailsNamingBothVersionsAndTheFact() {
        Map<String, String> library = libraryTable();
        Map<String, String> drifted = new LinkedHashMap<>(EngineAbi.expected());
        drifted.put("RequestRecordHeader.tlsOffset", "76");
        HttpSysException failure = assertThrows(HttpSysException.class, () -> EngineAbi.check(library, drifted));
        String message = failure.getMessage();
        assertTrue(message.contains("engine ABI " + EngineAbi.fingerprint(library)), message);
        assertTrue(message.contains("Java classes' ABI " + EngineAbi.fingerprint(drifted)), message);
        assertTrue(message.contains("RequestRecordHeader.tlsOffset is 80 in the library, 76 in Java"), message);
        assertNotEquals(EngineAbi.fingerprint(library), EngineAbi.fingerprint(drifted));
    }

    @Test
    void aFactOnlyOneSideKnowsFails() {
        Map<String, String> library = new LinkedHashMap<>(libraryTable());
        library.put("kResponseSomethingNew", "128");
        HttpSysException extra = assertThrows(HttpSysException.class,
                () -> EngineAbi.check(library, EngineAbi.expected()));
        assertTrue(extra.getMessage().contains("kResponseSomethingNew is 128 in the library, unknown to Java"),
                extra.getMessage());
        library.remove("kResponseSomethingNew");
        library.remove("kSendCompleted");
        HttpSysException missing = assertThrows(HttpSysException.class,
                () -> EngineAbi.check(library, EngineAbi.expected()));
        assertTrue(missing.getMessage().contains("kSendCompleted is missing in the library, 2 in Java"),
                missing.getMessage());
    }
}
