package dev.nettyhttpsys.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds and loads the JNI library: a path named by the system property
 * {@value #PATH_PROPERTY} or the environment variable {@value #PATH_ENV} (as in the original
 * httpsys module) wins; otherwise the library for this OS and architecture is extracted from
 * {@code META-INF/native/<os>-<arch>/} in the jar.
 */
final class NativeLibraryLoader {
    static final String PATH_PROPERTY = "io.netty.httpsys.native";
    static final String PATH_ENV = "HTTPSYS_NATIVE";

    private NativeLibraryLoader() {
    }

    static void load() throws IOException {
        String custom = HttpSysSettings.lookup(PATH_PROPERTY, PATH_ENV);
        if (custom != null) {
            Path path = Paths.get(custom).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IOException("native library named by " + PATH_PROPERTY + " / " + PATH_ENV
                        + " does not exist: " + path);
            }
            System.load(path.toString());
            return;
        }
        String os = osName();
        String arch = archName();
        String file = os.equals("windows")
                ? "netty_httpsys_windows_" + arch + ".dll"
                : "libnetty_httpsys_" + os + "_" + arch + ".so";
        String resource = "META-INF/native/" + os + "-" + arch + "/" + file;
        try (InputStream in = NativeLibraryLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no native library for " + System.getProperty("os.name") + "/"
                        + System.getProperty("os.arch") + ": looked for " + resource
                        + " on the class path; build it (scripts/build-native.sh) or point "
                        + PATH_PROPERTY + " or " + PATH_ENV + " at one");
            }
            Path directory = Files.createTempDirectory("netty-httpsys");
            Path target = directory.resolve(file);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            try {
                System.load(target.toString());
            } finally {
                // Once loaded (or failed) the copy is not needed; on Windows the delete fails
                // while it is mapped, so also ask for deletion at exit.
                target.toFile().deleteOnExit();
                directory.toFile().deleteOnExit();
                if (!os.equals("windows")) {
                    Files.deleteIfExists(target);
                    Files.deleteIfExists(directory);
                }
            }
        }
    }

    static String osName() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.startsWith("windows")) {
            return "windows";
        }
        if (name.startsWith("linux")) {
            return "linux";
        }
        return name.replaceAll("[^a-z0-9]+", "");
    }

    static String archName() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch_64";
            default:
                return arch;
        }
    }
}
