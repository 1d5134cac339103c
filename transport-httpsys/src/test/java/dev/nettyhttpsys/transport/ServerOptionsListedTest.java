package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every HttpSysChannelOption constant is readable from the server channel's config and round-trips. */
class ServerOptionsListedTest {
    private static List<ChannelOption<?>> declaredOptions() throws IllegalAccessException {
        List<ChannelOption<?>> options = new ArrayList<>();
        for (Field field : HttpSysChannelOption.class.getDeclaredFields()) {
            if (Modifier.isPublic(field.getModifiers()) && Modifier.isStatic(field.getModifiers())
                    && ChannelOption.class.isAssignableFrom(field.getType())) {
                options.add((ChannelOption<?>) field.get(null));
            }
        }
        return options;
    }

    @Test
    void getOptionsListsEveryHttpSysOption() throws Exception {
        List<ChannelOption<?>> declared = declaredOptions();
        assertFalse(declared.isEmpty());
        HttpSysServerChannelConfig config = new HttpSysServerChannel().config();
        Map<ChannelOption<?>, Object> listed = config.getOptions();
        for (ChannelOption<?> option : declared) {
            assertTrue(listed.containsKey(option), option.name() + " missing from getOptions()");
            assertEquals(listed.get(option), config.getOption(option), option.name());
        }
    }

    @Test
    void everyOptionAcceptsItsOwnValue() throws Exception {
        HttpSysServerChannelConfig config = new HttpSysServerChannel().config();
        for (ChannelOption<?> option : declaredOptions()) {
            assertTrue(roundTrip(config, option), option.name() + " refused its own current value");
        }
    }

    private static <T> boolean roundTrip(HttpSysServerChannelConfig config, ChannelOption<T> option) {
        return config.setOption(option, config.getOption(option));
    }
}
