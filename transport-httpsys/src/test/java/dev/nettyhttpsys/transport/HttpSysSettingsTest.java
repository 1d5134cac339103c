package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operator settings: a system property overrides the default; a bad value names its source. */
class HttpSysSettingsTest {
    @Test
    void systemPropertyIsTheDefault() {
        System.setProperty("io.netty.httpsys.test.number", "42");
        try {
            assertEquals(42, HttpSysSettings.intSetting("io.netty.httpsys.test.number", "HTTPSYS_TEST_UNSET_VAR", 7, 1, 100));
        } finally {
            System.clearProperty("io.netty.httpsys.test.number");
        }
        assertEquals(7, HttpSysSettings.intSetting("io.netty.httpsys.test.number", "HTTPSYS_TEST_UNSET_VAR", 7, 1, 100));
    }

    @Test
    void badValuesAreRejectedWithTheirSource() {
        System.setProperty("io.netty.httpsys.test.number", "lots");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HttpSysSettings.intSetting("io.netty.httpsys.test.number", "HTTPSYS_TEST_VAR", 7, 1, 100));
            assertTrue(e.getMessage().contains("io.netty.httpsys.test.number / HTTPSYS_TEST_VAR"), e.getMessage());
            assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
        } finally {
            System.clearProperty("io.netty.httpsys.test.number");
        }
    }

    @Test
    void queueLengthDefaultComesFromTheProperty() {
        System.setProperty("io.netty.httpsys.requestQueueLength", "77");
        try {
            assertEquals(77, new HttpSysServerChannel().config().getBacklog());
        } finally {
            System.clearProperty("io.netty.httpsys.requestQueueLength");
        }
    }
}
