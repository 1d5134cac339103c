package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged native library loads from the jar's resources on this machine. */
class HttpSysAvailabilityTest {
    @Test
    void engineIsAvailableFromTheJarResources() {
        assertNull(HttpSys.unavailabilityCause(), () -> "unavailable: " + HttpSys.unavailabilityCause());
        assertTrue(HttpSys.isAvailable());
        assertDoesNotThrow(HttpSys::ensureAvailability);
        String expected = NativeLibraryLoader.osName().equals("windows") ? "windows-httpapi" : "posix-epoll";
        assertEquals(expected, HttpSys.backendName());
    }
}
