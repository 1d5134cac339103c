package dev.nettyhttpsys.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An example's {@code main} in its own JVM, started as {@code scripts/run-example.sh} starts it
 * (same class path, {@code -Dport}), with its output collected line by line. Closing it ends the
 * process (and the processes it started), forcibly after a grace period.
 */
public final class ExampleProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ExampleProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::collect, "output of pid " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with {@code -Dport=port}, the JVM options and the arguments given. */
    public static ExampleProcess start(Class<?> mainClass, int port, List<String> jvmOptions, Map<String, String> environment,
                                       String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dport=" + port);
        command.addAll(jvmOptions);
        command.add(mainClass.getName());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("HTTPSYS_"));
        builder.environment().putAll(environment);
        return new ExampleProcess(builder.start());
    }

    /** Starts it and waits for the line saying it serves (containing {@code readyText}). */
    public static ExampleProcess startServing(Class<?> mainClass, int port, String readyText, String... arguments)
            throws Exception {
        ExampleProcess example = start(mainClass, port, List.of(), Map.of(), arguments);
        example.awaitLine(line -> line.contains(readyText));
        return example;
    }

    /** A port no one listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** The process id, which the examples print in their answers. */
    public long pid() {
        return process.pid();
    }

    /** Waits until a line matches; fails with everything printed so far if none does in time or the process ends. */
    public String awaitLine(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("the expected line did not come (process "
                            + (process.isAlive() ? "running" : "exited " + process.exitValue()) + "); output:\n"
                            + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the process did not end; output:\n" + output());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** Everything printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    private void collect() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> started = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : started) {
            child.destroyForcibly();
        }
    }
}
