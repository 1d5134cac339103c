package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlPrefixTest {
    @Test
    void parsesHostPortAndPath() {
        UrlPrefix prefix = UrlPrefix.parse("https://+:8443/api/");
        assertTrue(prefix.isSecure());
        assertEquals("+", prefix.host());
        assertEquals(8443, prefix.port());
        assertEquals("/api/", prefix.path());
        assertEquals(80, UrlPrefix.parse("http://localhost/").port());
        assertEquals("[::1]", UrlPrefix.parse("http://[::1]:9000/").host());
        assertEquals(9000, UrlPrefix.parse("http://[::1]:9000/").port());
    }

    @Test
    void rejectsWhatHttpSysRejectsWithAReason() {
        assertMessage("ftp://+:80/", "must start with http:// or https://");
        assertMessage("http://+:8080", "needs a path ending with '/'");
        assertMessage("http://+:8080/api", "must end with '/'");
        assertMessage("http://+:http/", "invalid port");
        assertMessage("http://+:70000/", "port must be 1-65535");
        assertMessage("http://:8080/", "no host");
    }

    private static void assertMessage(String prefix, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UrlPrefix.parse(prefix));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
