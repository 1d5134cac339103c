package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operator settings: a system property overrides the default; a bad value names its source. */
class HttpSysSettingsTest {
    @Test
    void systemPropertyIsTheDefault() {
        System.setProperty("io.netty.httpsys.requestQueueLength", "77");
        System.setProperty("io.netty.httpsys.exportClientCert", "yes");
        System.setProperty("io.netty.httpsys.requestQueueMode", "create-or-attach");
        try {
            HttpSysServerChannelConfig config = new HttpSysServerChannel().config();
            assertEquals(77, config.getBacklog());
            assertEquals(77, config.getOption(HttpSysChannelOption.REQUEST_QUEUE_LENGTH));
            assertEquals(Boolean.TRUE, config.getOption(HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE));
            assertEquals(HttpSysQueueMode.CREATE_OR_ATTACH, config.getOption(HttpSysChannelOption.REQUEST_QUEUE_MODE));
        } finally {
            System.clearProperty("io.netty.httpsys.requestQueueLength");
            System.clearProperty("io.netty.httpsys.exportClientCert");
            System.clearProperty("io.netty.httpsys.requestQueueMode");
        }
        assertEquals(ServerSettings.DEFAULT_QUEUE_LENGTH, new HttpSysServerChannel().config().getBacklog());
    }

    @Test
    void badValuesAreRejectedWithTheirSource() {
        System.setProperty("io.netty.httpsys.pendingReceives", "lots");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, HttpSysServerChannel::new);
            assertTrue(e.getMessage().contains("io.netty.httpsys.pendingReceives / HTTPSYS_PENDING_READ_COUNT"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
        } finally {
            System.clearProperty("io.netty.httpsys.pendingReceives");
        }
        System.setProperty("io.netty.httpsys.headerWaitTimeout", "70000");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, HttpSysServerChannel::new);
            assertTrue(e.getMessage().contains("from 0 to 65535, got 70000"), e.getMessage());
        } finally {
            System.clearProperty("io.netty.httpsys.headerWaitTimeout");
        }
    }

    @Test
    void optionsAreValidatedAndListed() {
        HttpSysServerChannelConfig config = new HttpSysServerChannel().config();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.setOption(HttpSysChannelOption.PENDING_RECEIVES, 0));
        assertTrue(e.getMessage().contains("HTTPSYS_PENDING_RECEIVES must be from 1 to 1024"), e.getMessage());
        config.setOption(ChannelOption.SO_BACKLOG, 12);
        assertEquals(12, config.getOption(HttpSysChannelOption.REQUEST_QUEUE_LENGTH));
        Map<ChannelOption<?>, Object> options = config.getOptions();
        for (ServerSetting<?> setting : ServerSettings.ALL) {
            assertTrue(options.containsKey(setting.option), setting.option.name());
        }
        assertTrue(options.containsKey(HttpSysChannelOption.URL_PREFIXES));
    }

    @Test
    void nativeSettingsFollowTheEngineOrder() {
        HttpSysServerChannelConfig config = new HttpSysServerChannel().config();
        config.setOption(HttpSysChannelOption.REQUEST_QUEUE_MODE, HttpSysQueueMode.ATTACH);
        config.setOption(HttpSysChannelOption.RECEIVE_BUFFER_SIZE, 4096);
        config.setOption(HttpSysChannelOption.PENDING_RECEIVES, 8);
        config.setOption(HttpSysChannelOption.REQUEST_QUEUE_LENGTH, 99);
        config.setOption(HttpSysChannelOption.MAX_REQUEST_BODY_SIZE, 5_000_000_000L);
        config.setOption(HttpSysChannelOption.MAX_CONNECTIONS, 7);
        config.setOption(HttpSysChannelOption.ENTITY_BODY_TIMEOUT, 11);
        config.setOption(HttpSysChannelOption.DRAIN_ENTITY_BODY_TIMEOUT, 12);
        config.setOption(HttpSysChannelOption.REQUEST_QUEUE_TIMEOUT, 13);
        config.setOption(HttpSysChannelOption.IDLE_CONNECTION_TIMEOUT, 14);
        config.setOption(HttpSysChannelOption.HEADER_WAIT_TIMEOUT, 15);
        config.setOption(HttpSysChannelOption.MIN_SEND_RATE, 300);
        config.setOption(HttpSysChannelOption.EXPORT_CLIENT_CERTIFICATE, true);
        assertArrayEquals(new long[] {1, 4096, 8, 99, 5_000_000_000L, 7, 11, 12, 13, 14, 15, 300, 1},
                config.nativeQueueSettings());
    }
}
