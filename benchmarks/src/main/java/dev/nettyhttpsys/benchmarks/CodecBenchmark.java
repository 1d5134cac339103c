package dev.nettyhttpsys.benchmarks;

import dev.nettyhttpsys.codec.DecodedRequest;
import dev.nettyhttpsys.codec.EncodedSend;
import dev.nettyhttpsys.codec.RequestRecordDecoder;
import dev.nettyhttpsys.codec.ResponseRecordEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The Java work per request outside Netty's pipeline: decoding a typical browser request record
 * and encoding a hello-world response record.
 * {@code java -jar benchmarks/target/benchmarks.jar CodecBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.US_ASCII);

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf record;
    private ByteBuf helloBody;

    @Setup
    public void setUp() {
        record = BrowserRequestRecord.write(alloc.directBuffer());
        helloBody = Unpooled.unreleasableBuffer(alloc.directBuffer().writeBytes(HELLO));
    }

    @TearDown
    public void tearDown() {
        record.release();
    }

    @Benchmark
    public DecodedRequest decodeRequest() {
        DecodedRequest decoded = RequestRecordDecoder.decode(record, alloc);
        decoded.initialBody().release();
        return decoded;
    }

    @Benchmark
    public int encodeHelloResponse() {
        ResponseRecordEncoder encoder = new ResponseRecordEncoder(HttpMethod.GET, HttpVersion.HTTP_1_1, false, 0);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                helloBody.duplicate());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO.length);
        EncodedSend send = encoder.encode(response, alloc);
        int length = send.recordLength();
        send.release();
        return length;
    }
}
