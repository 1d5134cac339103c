package dev.nettyhttpsys.transport;

import java.util.Locale;

/**
 * Operator-facing defaults: every tuning option reads a system property first, then the
 * environment variable of the original httpsys module, so deployments need no code change.
 */
final class HttpSysSettings {
    private HttpSysSettings() {
    }

    /** The property's value, else the environment variable's, else null. Blank counts as unset. */
    static String lookup(String property, String environmentVariable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = environmentVariable == null ? null : System.getenv(environmentVariable);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** An integer setting; a value that is not a number in range is an error naming the source. */
    static int intSetting(String property, String environmentVariable, int defaultValue, int min, int max) {
        String value = lookup(property, environmentVariable);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException();
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s / %s must be an integer from %d to %d, got '%s'",
                    property, environmentVariable, min, max, value));
        }
    }

    static boolean booleanSetting(String property, String environmentVariable, boolean defaultValue) {
        String value = lookup(property, environmentVariable);
        if (value == null) {
            return defaultValue;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "1": case "true": case "yes": case "on":
                return true;
            case "0": case "false": case "no": case "off":
                return false;
            default:
                throw new IllegalArgumentException(property + " / " + environmentVariable
                        + " must be true or false, got '" + value + "'");
        }
    }
}
