package dev.nettyhttpsys.examples.file;

import dev.nettyhttpsys.examples.ExampleProcess;
import io.netty.handler.codec.DateFormatter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The static file server, with file regions and with chunked input: whole files, 304, ranges, 416, HEAD, refusals. */
class HttpStaticFileServerTest {
    private static final int SIZE = 300_000;
    private static final Instant MODIFIED = Instant.parse("2024-05-06T07:08:09Z");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private int port;

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void servesFilesAsABrowserAndCurlExpect(boolean chunked, @TempDir Path temp) throws Exception {
        Path root = Files.createDirectory(temp.resolve("site"));
        byte[] data = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            data[i] = (byte) (i * 31 + (i >> 8));
        }
        Files.setLastModifiedTime(Files.write(root.resolve("data.bin"), data), FileTime.from(MODIFIED));
        Files.writeString(root.resolve("index.html"), "<p>index</p>");
        Files.writeString(temp.resolve("secret.txt"), "outside the root");
        port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.start(HttpStaticFileServer.class, port,
                List.of("-Dchunked=" + chunked), Map.of(), root.toString())) {
            assertTrue(server.awaitLine(line -> line.contains("listening on"))
                    .contains(chunked ? "HttpChunkedInput" : "DefaultFileRegion"), server.output());

            HttpResponse<byte[]> whole = get("/data.bin");
            assertEquals(200, whole.statusCode());
            assertArrayEquals(data, whole.body());
            assertEquals(String.valueOf(SIZE), header(whole, "content-length"));
            assertEquals("application/octet-stream", header(whole, "content-type"));
            assertEquals("bytes", header(whole, "accept-ranges"));
            String lastModified = header(whole, "last-modified");
            assertEquals(DateFormatter.format(Date.from(MODIFIED)), lastModified);

            HttpResponse<byte[]> notModified = get("/data.bin", "If-Modified-Since", lastModified);
            assertEquals(304, notModified.statusCode());
            assertEquals(0, notModified.body().length);
            HttpResponse<byte[]> modified = get("/data.bin", "If-Modified-Since",
                    DateFormatter.format(Date.from(MODIFIED.minusSeconds(60))));
            assertEquals(200, modified.statusCode());
            assertEquals(SIZE, modified.body().length);

            HttpResponse<byte[]> range = get("/data.bin", "Range", "bytes=1000-1999");
            assertEquals(206, range.statusCode());
            assertEquals("bytes 1000-1999/" + SIZE, header(range, "content-range"));
            assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), range.body());
            HttpResponse<byte[]> suffix = get("/data.bin", "Range", "bytes=-10");
            assertEquals(206, suffix.statusCode());
            assertEquals("bytes " + (SIZE - 10) + "-" + (SIZE - 1) + "/" + SIZE, header(suffix, "content-range"));
            assertArrayEquals(Arrays.copyOfRange(data, SIZE - 10, SIZE), suffix.body());
            HttpResponse<byte[]> pastTheEnd = get("/data.bin", "Range", "bytes=" + SIZE + "-");
            assertEquals(416, pastTheEnd.statusCode());
            assertEquals("bytes */" + SIZE, header(pastTheEnd, "content-range"));

            HttpResponse<byte[]> head = client.send(request("/data.bin").method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(SIZE), header(head, "content-length"));
            assertEquals(0, head.body().length);

            HttpResponse<byte[]> index = get("/");
            assertEquals(200, index.statusCode());
            assertEquals("<p>index</p>", new String(index.body(), StandardCharsets.UTF_8));
            assertEquals("text/html; charset=UTF-8", header(index, "content-type"));
            assertEquals(404, get("/missing.txt").statusCode());
            HttpResponse<String> post = client.send(request("/data.bin").POST(HttpRequest.BodyPublishers.ofString("x"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());

            String escape = rawGet("/%2e%2e/secret.txt");
            assertTrue(escape.startsWith("HTTP/1.1 403 "), escape);
            assertFalse(escape.contains("outside the root"), escape);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder builder = request(path);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in "
                + response.headers().map()));
    }

    /** A request target sent as written (the JDK client would normalize the dots away). */
    private String rawGet(String target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
