/**
 * Pure Java translation between the native engine's binary records and Netty HTTP objects:
 * {@link dev.nettyhttpsys.codec.RequestRecordDecoder} (request record to {@code HttpRequest}) and
 * {@link dev.nettyhttpsys.codec.ResponseRecordEncoder} (responses to records, with HTTP framing).
 * Layouts: native/include/hsys/records.h.
 */
package dev.nettyhttpsys.codec;
