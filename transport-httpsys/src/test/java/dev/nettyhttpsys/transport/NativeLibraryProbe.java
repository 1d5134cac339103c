package dev.nettyhttpsys.transport;

/** Run in a fresh JVM by NativeLibraryLoaderTest: prints whether the engine loaded, and why not. */
final class NativeLibraryProbe {
    private NativeLibraryProbe() {
    }

    public static void main(String[] args) {
        System.out.println(HttpSys.isAvailable() ? "available " + HttpSys.backendName()
                : "unavailable " + HttpSys.unavailabilityCause());
    }
}
