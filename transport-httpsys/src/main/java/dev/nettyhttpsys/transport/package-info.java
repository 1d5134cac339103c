/**
 * A Netty transport on Windows HTTP.SYS (and on Linux, a native engine with the same semantics).
 *
 * <p>Swap {@code NioIoHandler.newFactory()} for {@link dev.nettyhttpsys.transport.HttpSysIoHandler#newFactory()}
 * and {@code NioServerSocketChannel} for {@link dev.nettyhttpsys.transport.HttpSysServerChannel}; pipelines
 * stay as they are. Each request arrives on its own {@link dev.nettyhttpsys.transport.HttpSysChannel}.
 * {@link dev.nettyhttpsys.transport.HttpSys} tells whether the native engine can be used.
 *
 * <h2>Public API</h2>
 * The public types are what an application names: {@link dev.nettyhttpsys.transport.HttpSysServerChannel}
 * and its {@link dev.nettyhttpsys.transport.HttpSysServerChannelConfig}, {@link dev.nettyhttpsys.transport.HttpSysChannel}
 * and its {@link dev.nettyhttpsys.transport.HttpSysChannelConfig}, {@link dev.nettyhttpsys.transport.HttpSysIoHandler}
 * (the {@code IoHandlerFactory}) and {@link dev.nettyhttpsys.transport.HttpSysEventLoopGroup}, the options
 * ({@link dev.nettyhttpsys.transport.HttpSysChannelOption}, {@link dev.nettyhttpsys.transport.HttpSysQueueMode},
 * {@link dev.nettyhttpsys.transport.HttpSysServerAddress}, {@link dev.nettyhttpsys.transport.UrlPrefix}),
 * {@link dev.nettyhttpsys.transport.HttpSysException}, {@link dev.nettyhttpsys.transport.HttpSysEngineStats} and
 * {@link dev.nettyhttpsys.transport.HttpSys}. Every other class is package-private plumbing
 * (TransportLayeringTest keeps both lists equal).
 *
 * <h2>The stack</h2>
 * Each layer uses only the ones below it (TransportLayeringTest checks the compiled classes for cycles):
 * <ol>
 *   <li>server channel: {@code HttpSysServerChannel}, its config and settings ({@code ServerSettings});</li>
 *   <li>child channel: {@code HttpSysChannel} with {@code Exchange}, {@code SendBatch}, {@code SendsInEngine}, {@code SmallFifo}
 *       and the pipeline adapters ({@code *Remover}); it tells its parent it closed through a callback;</li>
 *   <li>request queue: {@code RequestQueue}, seen by operations only as a {@code QueueHandle};</li>
 *   <li>IO: the loop ({@code HttpSysIoHandler}, which creates registrations and dispatches completions to
 *       them), then {@code HttpSysIoRegistration} and {@code HttpSysIoOps}, which reach back to their loop
 *       only through the narrow {@code EngineLoop};</li>
 *   <li>the native boundary: {@code Native}, {@code EngineStatus}, {@code EngineAbi}, {@code RecordWindow},
 *       {@code NativeLibraryLoader}.</li>
 * </ol>
 */
package dev.nettyhttpsys.transport;
