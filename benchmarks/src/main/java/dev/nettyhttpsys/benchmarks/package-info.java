/**
 * Benchmarks: one server ({@code BenchmarkServer}: {@code HttpServerCodec} plus {@code ScenarioHandler},
 * public API only) that every transport runs, the JMH round trips against it ({@code TransportBenchmark},
 * driven by Netty's own client, {@code LoadClient}) and the record codec micro-benchmarks
 * ({@code CodecBenchmark}). The load, bulk, profile and run-all scripts beside the module start the same server.
 */
package dev.nettyhttpsys.benchmarks;
