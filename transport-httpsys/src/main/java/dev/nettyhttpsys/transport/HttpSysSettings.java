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

    /** Parses the boolean spellings operators use in environment variables. */
    static Boolean parseBoolean(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1": case "true": case "yes": case "on":
                return Boolean.TRUE;
            case "0": case "false": case "no": case "off":
                return Boolean.FALSE;
            default:
                throw new IllegalArgumentException("expected true/false, 1/0, yes/no or on/off");
        }
    }
}
