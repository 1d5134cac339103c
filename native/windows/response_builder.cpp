#include "response_builder.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string_view>

#include "dynamic_httpapi.h"
#include "hsys/chunk_framing.h"
#include "hsys/header_ids.h"

namespace hsys::windows {

namespace {

constexpr size_t kMaxHeaderValue = std::numeric_limits<USHORT>::max();

bool statusMayHaveBody(uint16_t status) { return status >= 200 && status != 204 && status != 304; }

// Reads [offset, offset + length) of a file into memory, for an HTTP.SYS without file chunks
// (Wine). Positional, and safe for handles opened with FILE_FLAG_OVERLAPPED: the event's low bit
// keeps the completion away from any port the handle is bound to (Java's channels).
bool readFileRange(HANDLE file, uint64_t offset, uint64_t length, std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(length));
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (event == nullptr) return false;
  uint64_t done = 0;
  bool ok = true;
  while (ok && done < length) {
    OVERLAPPED overlapped{};
    overlapped.Offset = static_cast<DWORD>(offset + done);
    overlapped.OffsetHigh = static_cast<DWORD>((offset + done) >> 32);
    overlapped.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<uintptr_t>(event) | 1);
    DWORD want = static_cast<DWORD>(std::min<uint64_t>(length - done, 1u << 30));
    DWORD got = 0;
    if (!ReadFile(file, out.data() + done, want, &got, &overlapped)) {
      ok = GetLastError() == ERROR_IO_PENDING && GetOverlappedResult(file, &overlapped, &got, TRUE);
    }
    if (ok && got == 0) ok = false;  // the file is shorter than the chunk says
    done += got;
  }
  CloseHandle(event);
  return ok;
}

bool buildChunks(const ResponseView& view, const HttpApiRuntime& runtime, SendOp& op,
                 const char** whyInvalid) {
  op.chunks.resize(view.chunks.size());
  for (size_t i = 0; i < view.chunks.size(); ++i) {
    const DataChunk& in = view.chunks[i];
    HTTP_DATA_CHUNK& out = op.chunks[i];
    ZeroMemory(&out, sizeof out);
    if (in.kind == kChunkMemory) {
      if (in.length > std::numeric_limits<ULONG>::max()) {
        *whyInvalid = "a memory chunk longer than 4 GiB cannot be sent in one HTTP_DATA_CHUNK";
        return false;
      }
      out.DataChunkType = HttpDataChunkFromMemory;
      out.FromMemory.pBuffer = reinterpret_cast<void*>(static_cast<uintptr_t>(in.handleOrAddress));
      out.FromMemory.BufferLength = static_cast<ULONG>(in.length);
    } else if (!runtime.canSendFileChunks) {
      if (in.length > std::numeric_limits<ULONG>::max()) {
        *whyInvalid = "a file chunk longer than 4 GiB cannot be copied for this HTTP.SYS";
        return false;
      }
      op.fileCopies.emplace_back();
      HANDLE file = reinterpret_cast<HANDLE>(static_cast<uintptr_t>(in.handleOrAddress));
      if (!readFileRange(file, in.offset, in.length, op.fileCopies.back())) {
        *whyInvalid = "a file chunk could not be read (bad handle, or the range is past the end)";
        return false;
      }
      out.DataChunkType = HttpDataChunkFromMemory;
      out.FromMemory.pBuffer = op.fileCopies.back().data();
      out.FromMemory.BufferLength = static_cast<ULONG>(in.length);
    } else {
      out.DataChunkType = HttpDataChunkFromFileHandle;
      out.FromFileHandle.ByteRange.StartingOffset.QuadPart = in.offset;
      out.FromFileHandle.ByteRange.Length.QuadPart = in.length;
      out.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<uintptr_t>(in.handleOrAddress));
    }
  }
  return true;
}

// The known-header slot a header goes to, or kUnknownHeader to send it by name. HTTP.SYS does not
// let Connection: Upgrade out as a known header, so on an opaque upgrade (a 101) it goes by name
// (ASP.NET Core's Response.SerializeHeaders does the same).
uint8_t slotOf(const ResponseView::Header& header, const SendOp& op) {
  if (op.opaque && header.knownId == HttpHeaderConnection) return kUnknownHeader;
  return header.knownId;
}

std::string_view nameOf(const ResponseView::Header& header) {
  return header.knownId == kUnknownHeader ? header.name
                                          : std::string_view(kResponseHeaderNames[header.knownId]);
}

// A whole response in one send offered to the kernel cache: HTTP.SYS adds its own Content-Length
// to such a send and caches ours as well, so a Range request answered from the cache would carry
// two different ones. ASP.NET Core leaves it out for this reason (aspnet/HttpSysServer#167).
bool kernelSetsLength(const ResponseView& view, const SendOp& op, bool headRequest) {
  return op.offerToCache && op.hasHead && op.finalSend && !op.opaque && !headRequest &&
         statusMayHaveBody(view.status);
}

// Clears our Content-Length when it states the body's size (HTTP.SYS then writes the same value);
// one that says something else is left for the client to see.
void leaveLengthToKernel(const ResponseView& view, HTTP_RESPONSE_HEADERS& headers) {
  HTTP_KNOWN_HEADER& length = headers.KnownHeaders[HttpHeaderContentLength];
  if (length.pRawValue == nullptr) return;
  char expected[24];
  int size = std::snprintf(expected, sizeof expected, "%llu",
                           static_cast<unsigned long long>(view.totalChunkBytes()));
  if (std::string_view(length.pRawValue, length.RawValueLength) != std::string_view(expected, size)) return;
  length.pRawValue = nullptr;
  length.RawValueLength = 0;
}

bool buildHeaders(const ResponseView& view, const HttpApiRuntime& runtime, bool headRequest,
                  SendOp& op, const char** whyInvalid) {
  HTTP_RESPONSE_HEADERS& headers = op.response.Headers;
  bool dropLength = kernelSetsLength(view, op, headRequest);
  // How often each known id occurs: ids that occur more than once need HTTP_MULTIPLE_KNOWN_HEADERS
  // (one KnownHeaders slot holds one value), or unknown-header entries where that is ignored.
  uint16_t occurrences[kResponseHeaderCount] = {};
  size_t unknownCount = 0;
  bool framingByName = false;  // Content-Length / Transfer-Encoding sent as unknown headers
  for (const ResponseView::Header& header : view.headers) {
    if (header.value.size() > kMaxHeaderValue) {
      *whyInvalid = "a response header value longer than 65535 bytes";
      return false;
    }
    if (header.knownId == kUnknownHeader) {
      uint8_t byName = responseHeaderId(header.name);
      if (byName == HttpHeaderContentLength || byName == HttpHeaderTransferEncoding) framingByName = true;
    }
    if (slotOf(header, op) == kUnknownHeader) {
      ++unknownCount;
    } else if (header.knownId < kResponseHeaderCount) {
      ++occurrences[header.knownId];
    } else {
      *whyInvalid = "a response header id outside the response header table";
      return false;
    }
  }
  size_t multipleIds = 0, multipleValues = 0;
  for (int id = 0; id < kResponseHeaderCount; ++id) {
    if (occurrences[id] < 2) continue;
    if (runtime.honoursResponseInfo) {
      ++multipleIds;
      multipleValues += occurrences[id];
    } else {
      unknownCount += occurrences[id];
    }
  }

  // Size every array before taking pointers into it.
  op.unknownHeaders.assign(unknownCount, HTTP_UNKNOWN_HEADER{});
  op.multipleKnown.assign(multipleIds, HTTP_MULTIPLE_KNOWN_HEADERS{});
  op.extraKnown.assign(multipleValues, HTTP_KNOWN_HEADER{});
  HTTP_MULTIPLE_KNOWN_HEADERS* blockOf[kResponseHeaderCount] = {};
  size_t nextBlock = 0, nextValue = 0;
  for (int id = 0; id < kResponseHeaderCount && runtime.honoursResponseInfo; ++id) {
    if (occurrences[id] < 2) continue;
    HTTP_MULTIPLE_KNOWN_HEADERS& block = op.multipleKnown[nextBlock++];
    block.HeaderId = static_cast<HTTP_HEADER_ID>(id);
    block.Flags = HTTP_RESPONSE_INFO_FLAGS_PRESERVE_ORDER;
    block.KnownHeaderCount = 0;
    block.KnownHeaders = &op.extraKnown[nextValue];
    nextValue += occurrences[id];
    blockOf[id] = &block;
  }

  size_t nextUnknown = 0;
  auto addUnknown = [&](std::string_view name, std::string_view value) {
    HTTP_UNKNOWN_HEADER& out = op.unknownHeaders[nextUnknown++];
    out.NameLength = static_cast<USHORT>(name.size());
    out.pName = name.data();
    out.RawValueLength = static_cast<USHORT>(value.size());
    out.pRawValue = value.data();
  };
  for (const ResponseView::Header& header : view.headers) {
    if (slotOf(header, op) == kUnknownHeader) {
      addUnknown(nameOf(header), header.value);
      continue;
    }
    uint8_t id = header.knownId;
    if (occurrences[id] == 1) {
      headers.KnownHeaders[id].RawValueLength = static_cast<USHORT>(header.value.size());
      headers.KnownHeaders[id].pRawValue = header.value.data();
    } else if (blockOf[id] != nullptr) {
      HTTP_KNOWN_HEADER& out = blockOf[id]->KnownHeaders[blockOf[id]->KnownHeaderCount++];
      out.RawValueLength = static_cast<USHORT>(header.value.size());
      out.pRawValue = header.value.data();
    } else {
      addUnknown(kResponseHeaderNames[id], header.value);
    }
  }
  headers.UnknownHeaderCount = static_cast<USHORT>(op.unknownHeaders.size());
  headers.pUnknownHeaders = op.unknownHeaders.empty() ? nullptr : op.unknownHeaders.data();
  if (op.unknownHeaders.size() > std::numeric_limits<USHORT>::max()) {
    *whyInvalid = "more than 65535 response headers";
    return false;
  }

  op.responseInfo.assign(op.multipleKnown.size(), HTTP_RESPONSE_INFO{});
  for (size_t i = 0; i < op.multipleKnown.size(); ++i) {
    op.responseInfo[i].Type = HttpResponseInfoTypeMultipleKnownHeaders;
    op.responseInfo[i].Length = sizeof(HTTP_MULTIPLE_KNOWN_HEADERS);
    op.responseInfo[i].pInfo = &op.multipleKnown[i];
  }
  op.response.ResponseInfoCount = static_cast<USHORT>(op.responseInfo.size());
  op.response.pResponseInfo = op.responseInfo.empty() ? nullptr : op.responseInfo.data();

  // A final first send without framing headers: HTTP.SYS would frame it itself (Wine adds
  // Content-Length); say it explicitly so every HTTP.SYS version and the posix backend agree.
  bool hasLength = occurrences[HttpHeaderContentLength] != 0;
  bool hasTransferEncoding = occurrences[HttpHeaderTransferEncoding] != 0 || (view.flags & kResponseChunked);
  if (dropLength && !hasTransferEncoding && !framingByName) {
    leaveLengthToKernel(view, headers);
    return true;
  }
  if (op.finalSend && !op.opaque && !hasLength && !hasTransferEncoding && !framingByName &&
      !headRequest && statusMayHaveBody(view.status)) {
    std::snprintf(op.contentLength, sizeof op.contentLength, "%llu",
                  static_cast<unsigned long long>(view.totalChunkBytes()));
    headers.KnownHeaders[HttpHeaderContentLength].pRawValue = op.contentLength;
    headers.KnownHeaders[HttpHeaderContentLength].RawValueLength =
        static_cast<USHORT>(std::char_traits<char>::length(op.contentLength));
  }
  return true;
}

// kResponseChunked: HTTP.SYS leaves chunked framing of HTTP/1.1 responses to the sender, so the
// backend says Transfer-Encoding: chunked with the head and wraps each send's data chunks in the
// chunk's size line and CRLF; the last send ends with the last chunk and the trailer fields.
// Java never sets the flag for HTTP/2 (HTTP.SYS frames HTTP/2 itself; trailers there would need
// HttpDataChunkTrailers, which this backend does not use, so Java drops them). A HEAD answer
// says chunked and carries no body.
bool addChunkFraming(const ResponseView& view, bool headRequest, SendOp& op, const char** whyInvalid) {
  if (!(view.flags & kResponseChunked)) return true;
  if (op.hasHead) {
    static const char kChunked[] = "chunked";
    op.response.Headers.KnownHeaders[HttpHeaderTransferEncoding].pRawValue = kChunked;
    op.response.Headers.KnownHeaders[HttpHeaderTransferEncoding].RawValueLength = sizeof kChunked - 1;
  }
  if (headRequest) return true;
  size_t prefix = 0;
  appendChunkFraming(view.totalChunkBytes(), op.finalSend, view, op.chunkFraming, prefix);
  if (op.chunkFraming.size() - prefix > std::numeric_limits<ULONG>::max()) {
    *whyInvalid = "trailers longer than 4 GiB";
    return false;
  }
  auto memoryChunk = [](const char* bytes, size_t length) {
    HTTP_DATA_CHUNK chunk;
    ZeroMemory(&chunk, sizeof chunk);
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = const_cast<char*>(bytes);
    chunk.FromMemory.BufferLength = static_cast<ULONG>(length);
    return chunk;
  };
  if (prefix > 0) op.chunks.insert(op.chunks.begin(), memoryChunk(op.chunkFraming.data(), prefix));
  if (op.chunkFraming.size() > prefix) {
    op.chunks.push_back(memoryChunk(op.chunkFraming.data() + prefix, op.chunkFraming.size() - prefix));
  }
  if (op.chunks.size() > std::numeric_limits<USHORT>::max()) {
    *whyInvalid = "more than 65535 data chunks";
    return false;
  }
  return true;
}

}  // namespace

bool buildResponse(const ResponseView& view, const HttpApiRuntime& runtime, bool headRequest,
                   SendOp& op, const char** whyInvalid) {
  op.hasHead = (view.flags & kResponseHasHead) != 0;
  op.opaque = (view.flags & kResponseOpaque) != 0;
  op.finalSend = (view.flags & kResponseMoreData) == 0;
  op.sendFlags = 0;
  if (view.flags & kResponseMoreData) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_MORE_DATA;
  if (runtime.honoursSendFlags) {
    if (view.flags & kResponseDisconnect) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_DISCONNECT;
    if (view.flags & kResponseOpaque) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_OPAQUE;
    if (view.flags & kResponseBufferData) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA;
    if (view.flags & kResponseEnableNagling) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING;
  }
  op.disconnect = (view.flags & kResponseDisconnect) != 0;

  // Chunks first: op.chunks (and any file copies) are sized once, before pointers are taken.
  op.fileCopies.reserve(view.chunks.size());
  if (!buildChunks(view, runtime, op, whyInvalid)) return false;
  if (!op.hasHead) return addChunkFraming(view, headRequest, op, whyInvalid);

  ZeroMemory(&op.response, sizeof op.response);
  op.response.Version.MajorVersion = 1;
  op.response.Version.MinorVersion = 1;
  op.response.StatusCode = view.status;
  op.response.pReason = view.reason.data();
  op.response.ReasonLength = static_cast<USHORT>(view.reason.size());
  op.offerToCache = view.cacheTtlSeconds > 0;
  if (!buildHeaders(view, runtime, headRequest, op, whyInvalid)) return false;
  if (!addChunkFraming(view, headRequest, op, whyInvalid)) return false;
  op.response.EntityChunkCount = static_cast<USHORT>(op.chunks.size());
  op.response.pEntityChunks = op.chunks.empty() ? nullptr : op.chunks.data();

  if (op.offerToCache) {
    op.cachePolicy.Policy = HttpCachePolicyTimeToLive;
    op.cachePolicy.SecondsToLive = view.cacheTtlSeconds;
  }
  return true;
}

void addDisconnect(SendOp& op, const HttpApiRuntime& runtime, bool announce) {
  static const char kClose[] = "close";
  op.disconnect = true;
  if (runtime.honoursSendFlags) op.sendFlags |= HTTP_SEND_RESPONSE_FLAG_DISCONNECT;
  // Said in the head too, as ASP.NET Core does; not on a send offered to the cache, whose headers
  // HTTP.SYS would serve again to other connections.
  if (!announce || !op.hasHead || op.offerToCache) return;
  HTTP_KNOWN_HEADER& connection = op.response.Headers.KnownHeaders[HttpHeaderConnection];
  connection.pRawValue = kClose;
  connection.RawValueLength = static_cast<USHORT>(sizeof kClose - 1);
}

void dropDisconnect(SendOp& op) {
  op.disconnect = false;
  op.sendFlags &= ~static_cast<ULONG>(HTTP_SEND_RESPONSE_FLAG_DISCONNECT);
}

}  // namespace hsys::windows
