/**
 * Pure Java translation between the native engine's binary records (native/include/hsys/records.h,
 * little-endian) and Netty HTTP objects; no native code, no sockets.
 * <ul>
 *   <li>{@link dev.nettyhttpsys.codec.RequestRecordDecoder}: request record to
 *       {@link dev.nettyhttpsys.codec.DecodedRequest} (an {@code HttpRequest} plus the engine's facts);</li>
 *   <li>{@link dev.nettyhttpsys.codec.ResponseRecordEncoder}: a handler's response messages to
 *       {@link dev.nettyhttpsys.codec.EncodedSend}s, with the HTTP framing rules HTTP.SYS leaves to the sender;</li>
 *   <li>{@link dev.nettyhttpsys.codec.KnownHeaders}: HTTP.SYS known-header ids;</li>
 *   <li>{@link dev.nettyhttpsys.codec.HttpSysCache}: per-response output-cache time-to-live;</li>
 *   <li>{@link dev.nettyhttpsys.codec.RecordLayout}: the record facts this module was compiled for, which
 *       the transport checks against the native library at load (plumbing).</li>
 * </ul>
 */
package dev.nettyhttpsys.codec;
