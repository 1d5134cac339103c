package dev.nettyhttpsys.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Finds and loads the JNI library: a path named by the system property
 * {@value #PATH_PROPERTY} or the environment variable {@value #PATH_ENV} (as in the original
 * httpsys module) wins; otherwise the library for this OS and architecture is extracted from
 * {@value #RESOURCE_DIRECTORY} in the jar, named as Netty names its classifier-free native
 * libraries ({@code libnetty_httpsys_linux_x86_64.so}, {@code netty_httpsys_windows_x86_64.dll},
 * like {@code libnetty_tcnative_linux_x86_64.so} and {@code netty_tcnative_windows_x86_64.dll}).
 */
final class NativeLibraryLoader {
    static final String PATH_PROPERTY = "io.netty.httpsys.native";
    static final String PATH_ENV = "HTTPSYS_NATIVE";
    static final String RESOURCE_DIRECTORY = "META-INF/native/";
    private static final String LIBRARY_NAME = "netty_httpsys";

    private NativeLibraryLoader() {
    }

    static void load() throws IOException {
        load(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), System::load);
    }

    /**
     * {@link #load()} for the given {@code os.name} and {@code os.arch} values, with
     * {@code systemLoad} in place of {@link System#load}: lets tests take the Windows branch on Linux.
     */
    static void load(String osNameProperty, String osArchProperty, Consumer<String> systemLoad) throws IOException {
        String custom = HttpSysSettings.lookup(PATH_PROPERTY, PATH_ENV);
        if (custom != null) {
            Path path = Paths.get(custom).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IOException("native library named by " + PATH_PROPERTY + " / " + PATH_ENV
                        + " does not exist: " + path);
            }
            systemLoad.accept(path.toString());
            return;
        }
        String os = osName(osNameProperty);
        String file = libraryFileName(os, archName(osArchProperty));
        String resource = RESOURCE_DIRECTORY + file;
        try (InputStream in = NativeLibraryLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no native library for " + osNameProperty + "/" + osArchProperty
                        + ": looked for " + resource + " on the class path; build it (scripts/build-native.sh)"
                        + " or point " + PATH_PROPERTY + " or " + PATH_ENV + " at one");
            }
            Path directory = Files.createTempDirectory("netty-httpsys");
            Path target = directory.resolve(file);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            try {
                systemLoad.accept(target.toString());
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

    /** The library's file name in the jar, as {@link System#mapLibraryName} maps it on that OS. */
    static String libraryFileName(String os, String arch) {
        String name = LIBRARY_NAME + "_" + os + "_" + arch;
        return os.equals("windows") ? name + ".dll" : "lib" + name + ".so";
    }

    static String osName() {
        return osName(System.getProperty("os.name", ""));
    }

    /** Netty's normalized OS names for the values this library ships for. */
    static String osName(String osNameProperty) {
        String name = osNameProperty.toLowerCase(Locale.ROOT);
        if (name.startsWith("windows")) {
            return "windows";
        }
        if (name.startsWith("linux")) {
            return "linux";
        }
        return name.replaceAll("[^a-z0-9]+", "");
    }

    /** Netty's normalized architecture names ({@code x86_64}, {@code aarch_64}). */
    static String archName(String osArchProperty) {
        String arch = osArchProperty.toLowerCase(Locale.ROOT);
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
