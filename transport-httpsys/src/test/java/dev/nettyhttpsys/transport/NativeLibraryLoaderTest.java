package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loader's choices for each platform, checked on Linux by giving it another {@code os.name} /
 * {@code os.arch} and a stand-in for {@link System#load}: which resource it picks, where it
 * extracts it, what it deletes. The Windows branch runs against the real DLL in the build output.
 */
class NativeLibraryLoaderTest {
    private static final String WINDOWS_DLL = "netty_httpsys_windows_x86_64.dll";
    private static final String LINUX_SO = "libnetty_httpsys_linux_x86_64.so";

    /** Records what the loader passes to System.load and checks the file is there at that moment. */
    private static final class RecordingLoad implements java.util.function.Consumer<String> {
        final List<Path> loaded = new ArrayList<>();
        byte[] bytesAtLoad;

        @Override
        public void accept(String path) {
            Path file = Paths.get(path);
            assertTrue(file.isAbsolute(), path);
            try {
                bytesAtLoad = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new AssertionError("the loader passed a file it had not written: " + path, e);
            }
            loaded.add(file);
        }
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = NativeLibraryLoader.class.getClassLoader()
                .getResourceAsStream(NativeLibraryLoader.RESOURCE_DIRECTORY + name)) {
            assertTrue(in != null, "the build output has no " + NativeLibraryLoader.RESOURCE_DIRECTORY + name);
            return in.readAllBytes();
        }
    }

    @Test
    void jarResourcesAreNamedAsNettyNamesClassifierFreeNativeLibraries() throws IOException, URISyntaxException {
        // Netty: META-INF/native/ + System.mapLibraryName(name + "_" + os + "_" + arch), as
        // libnetty_tcnative_linux_x86_64.so and netty_tcnative_windows_x86_64.dll; one folder for all platforms.
        assertEquals(WINDOWS_DLL, NativeLibraryLoader.libraryFileName("windows", "x86_64"));
        assertEquals(LINUX_SO, NativeLibraryLoader.libraryFileName("linux", "x86_64"));
        assertEquals(System.mapLibraryName("netty_httpsys_linux_x86_64"), LINUX_SO);
        URL folder = NativeLibraryLoader.class.getClassLoader().getResource(NativeLibraryLoader.RESOURCE_DIRECTORY);
        assertTrue(folder != null && folder.getProtocol().equals("file"), "the build output's META-INF/native: " + folder);
        try (Stream<Path> entries = Files.list(Paths.get(folder.toURI()))) {
            Set<String> names = entries.map(path -> Files.isDirectory(path) ? path.getFileName() + "/" : path.getFileName()
                    .toString()).collect(Collectors.toSet());
            assertEquals(Set.of(WINDOWS_DLL, LINUX_SO), names);
        }
        byte[] dll = resourceBytes(WINDOWS_DLL);
        assertEquals("MZ", new String(dll, 0, 2, StandardCharsets.US_ASCII), "a PE image");
    }

    @Test
    void windowsLoadsTheDllFromATemporaryCopyItCannotDeleteWhileLoaded() throws IOException {
        for (String[] platform : new String[][] {{"Windows Server 2022", "amd64"}, {"Windows 11", "x86_64"}}) {
            RecordingLoad load = new RecordingLoad();
            NativeLibraryLoader.load(platform[0], platform[1], load);
            assertEquals(1, load.loaded.size());
            Path copy = load.loaded.get(0);
            try {
                assertEquals(WINDOWS_DLL, copy.getFileName().toString());
                assertTrue(copy.getParent().getFileName().toString().startsWith("netty-httpsys"), copy.toString());
                assertArrayEquals(resourceBytes(WINDOWS_DLL), load.bytesAtLoad, "the jar's DLL, byte for byte");
                // Windows keeps a loaded DLL mapped and refuses to delete it: the loader leaves the copy
                // (marked delete-on-exit) instead of failing.
                assertTrue(Files.exists(copy), "the loaded copy is left in place on Windows");
            } finally {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(copy.getParent());
            }
        }
    }

    @Test
    void linuxDeletesTheTemporaryCopyOnceLoaded() throws IOException {
        RecordingLoad load = new RecordingLoad();
        NativeLibraryLoader.load("Linux", "amd64", load);
        Path copy = load.loaded.get(0);
        assertEquals(LINUX_SO, copy.getFileName().toString());
        assertArrayEquals(resourceBytes(LINUX_SO), load.bytesAtLoad);
        assertFalse(Files.exists(copy));
        assertFalse(Files.exists(copy.getParent()));
    }

    @Test
    void aFailedLoadPropagatesAndLeavesNoCopyWhereOneCanBeDeleted() {
        List<Path> attempted = new ArrayList<>();
        UnsatisfiedLinkError failure = new UnsatisfiedLinkError("not a valid image");
        for (String os : new String[] {"Windows 10", "Linux"}) {
            UnsatisfiedLinkError thrown = assertThrows(UnsatisfiedLinkError.class,
                    () -> NativeLibraryLoader.load(os, "amd64", path -> {
                        attempted.add(Paths.get(path));
                        throw failure;
                    }));
            assertSame(failure, thrown);
        }
        assertEquals(2, attempted.size());
        // Windows: the copy stays for delete-on-exit (it may be mapped); Linux: removed at once.
        assertTrue(Files.exists(attempted.get(0)));
        assertFalse(Files.exists(attempted.get(1)));
        attempted.get(0).toFile().delete();
        attempted.get(0).getParent().toFile().delete();
    }

    @Test
    void anArchitectureWithoutALibraryIsNamedInTheError() {
        IOException e = assertThrows(IOException.class,
                () -> NativeLibraryLoader.load("Windows 11", "aarch64", path -> { }));
        assertTrue(e.getMessage().contains("META-INF/native/netty_httpsys_windows_aarch_64.dll"), e.getMessage());
        assertTrue(e.getMessage().contains("Windows 11/aarch64"), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibraryLoader.PATH_PROPERTY), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibraryLoader.PATH_ENV), e.getMessage());
    }

    @Test
    void thePathPropertyWinsOverTheJarOnWindowsToo(@TempDir Path dir) throws IOException {
        Path own = Files.write(dir.resolve("my_httpsys.dll"), new byte[] {'M', 'Z'});
        System.setProperty(NativeLibraryLoader.PATH_PROPERTY, own.toString());
        try {
            RecordingLoad load = new RecordingLoad();
            NativeLibraryLoader.load("Windows 10", "amd64", load);
            assertEquals(List.of(own.toAbsolutePath()), load.loaded);
            System.setProperty(NativeLibraryLoader.PATH_PROPERTY, dir.resolve("missing.dll").toString());
            IOException e = assertThrows(IOException.class,
                    () -> NativeLibraryLoader.load("Windows 10", "amd64", path -> { }));
            assertTrue(e.getMessage().contains("does not exist: " + dir.resolve("missing.dll")), e.getMessage());
        } finally {
            System.clearProperty(NativeLibraryLoader.PATH_PROPERTY);
        }
    }

    /** HTTPSYS_NATIVE in the environment of a fresh JVM: HttpSys loads the named file, or says it is missing. */
    @Test
    void theEnvironmentVariableNamesTheLibraryForAFreshJvm(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("elsewhere.so");
        Files.write(copy, resourceBytes(LINUX_SO));
        assertEquals("available posix-epoll", probe(copy.toString()));
        String missing = probe(dir.resolve("missing.so").toString());
        assertTrue(missing.startsWith("unavailable") && missing.contains(NativeLibraryLoader.PATH_ENV)
                && missing.contains("does not exist: " + dir.resolve("missing.so")), missing);
    }

    private static String probe(String libraryPath) throws IOException, InterruptedException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                NativeLibraryProbe.class.getName()).redirectErrorStream(true);
        builder.environment().put(NativeLibraryLoader.PATH_ENV, libraryPath);
        Process process = builder.start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not end");
        String text = new String(output, StandardCharsets.UTF_8).trim();
        assertEquals(0, process.exitValue(), text);
        String[] lines = text.split("\\R");
        return lines[lines.length - 1];
    }
}
