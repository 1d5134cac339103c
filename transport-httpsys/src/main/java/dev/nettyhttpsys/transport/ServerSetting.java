package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelOption;

import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One tuning option of {@link HttpSysServerChannel}: its {@link ChannelOption}, the system property
 * and environment variable that give its default, its valid values, and where it goes in the
 * settings array handed to the engine's createQueue (engine.h QueueOptionIndex), if anywhere.
 */
final class ServerSetting<T> {
    /** Index into the createQueue settings array for options the engine does not see. */
    static final int NOT_NATIVE = -1;

    final ChannelOption<T> option;
    final String property;
    final String environmentVariable;
    final int nativeIndex;
    private final T fallback;
    private final Function<String, T> parser;
    private final Function<T, String> problem;
    private final ToLongFunction<T> toNative;

    private ServerSetting(ChannelOption<T> option, String property, String environmentVariable, T fallback,
                          Function<String, T> parser, Function<T, String> problem, int nativeIndex,
                          ToLongFunction<T> toNative) {
        this.option = option;
        this.property = property;
        this.environmentVariable = environmentVariable;
        this.fallback = fallback;
        this.parser = parser;
        this.problem = problem;
        this.nativeIndex = nativeIndex;
        this.toNative = toNative;
    }

    static ServerSetting<Integer> integer(ChannelOption<Integer> option, String property, String environmentVariable,
                                          int fallback, long min, long max, int nativeIndex) {
        return new ServerSetting<>(option, property, environmentVariable, fallback, Integer::valueOf,
                value -> outOfRange(value, min, max), nativeIndex, Integer::longValue);
    }

    static ServerSetting<Long> longValue(ChannelOption<Long> option, String property, String environmentVariable,
                                         long fallback, long min, long max, int nativeIndex) {
        return new ServerSetting<>(option, property, environmentVariable, fallback, Long::valueOf,
                value -> outOfRange(value, min, max), nativeIndex, Long::longValue);
    }

    /** Null when value is within [min, max], else the problem in words. */
    private static String outOfRange(long value, long min, long max) {
        return value >= min && value <= max ? null
                : String.format(Locale.ROOT, "must be from %d to %d, got %d", min, max, value);
    }

    static ServerSetting<Boolean> bool(ChannelOption<Boolean> option, String property, String environmentVariable,
                                       boolean fallback, int nativeIndex) {
        return new ServerSetting<>(option, property, environmentVariable, fallback, HttpSysSettings::parseBoolean,
                value -> null, nativeIndex, value -> value ? 1 : 0);
    }

    static <E extends Enum<E>> ServerSetting<E> enumeration(ChannelOption<E> option, String property,
                                                           String environmentVariable, E fallback, int nativeIndex) {
        Class<E> type = fallback.getDeclaringClass();
        return new ServerSetting<>(option, property, environmentVariable, fallback,
                text -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_')),
                value -> null, nativeIndex, Enum::ordinal);
    }

    static ServerSetting<String> string(ChannelOption<String> option, String property, String environmentVariable) {
        return new ServerSetting<>(option, property, environmentVariable, "", text -> text,
                value -> null, NOT_NATIVE, value -> 0);
    }

    /** The default: the system property, else the environment variable, else the built-in value. */
    T initialValue() {
        String text = HttpSysSettings.lookup(property, environmentVariable);
        if (text == null) {
            return fallback;
        }
        T value;
        try {
            value = parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " / " + environmentVariable + " is not valid: '" + text
                    + "' (" + fallback.getClass().getSimpleName() + " expected)", e);
        }
        String why = problem.apply(value);
        if (why != null) {
            throw new IllegalArgumentException(property + " / " + environmentVariable + " " + why);
        }
        return value;
    }

    /** Checks a value given through {@code option(...)}; the message names the option. */
    T validate(Object value) {
        if (value == null) {
            throw new NullPointerException(option.name());
        }
        T typed = cast(value);
        String why = problem.apply(typed);
        if (why != null) {
            throw new IllegalArgumentException(option.name() + " " + why);
        }
        return typed;
    }

    long nativeValue(Object value) {
        return toNative.applyAsLong(cast(value));
    }

    @SuppressWarnings("unchecked")
    private T cast(Object value) {
        return (T) value;
    }
}
