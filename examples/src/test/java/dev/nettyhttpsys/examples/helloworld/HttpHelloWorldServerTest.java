package dev.nettyhttpsys.examples.helloworld;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example's pipeline on the transport, asked by curl and by a raw HTTP/1.0 socket. */
class HttpHelloWorldServerTest {
    private static EventLoopGroup group;
    private static Channel server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(HttpSysServerChannel.class)
                .childHandler(new HttpHelloWorldServerInitializer()).bind(port).sync().channel();
    }

    @AfterAll
    static void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void curlGetsHelloWorld() throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "-i", "--max-time", "10", "http://127.0.0.1:" + port + "/")
                .redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(curl.waitFor(15, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue(), output);
        assertTrue(output.startsWith("HTTP/1.1 200 OK\r\n"), output);
        assertTrue(output.toLowerCase().contains("content-length: 13\r\n"), output);
        assertTrue(output.endsWith("\r\n\r\nHello, world!"), output);
    }

    @Test
    void http10RequestGetsTheBodyAndAClose() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readAll(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            assertTrue(response.endsWith("Hello, world!"), response);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
