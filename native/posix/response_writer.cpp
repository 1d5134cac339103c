#include "response_writer.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <string_view>

#include "hsys/header_ids.h"
#include "posix_util.h"

namespace hsys::posix {

namespace {

bool hasCloseToken(std::string_view list) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    size_t end = comma == std::string_view::npos ? list.size() : comma;
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equalsIgnoreCase(item, "close")) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

void appendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<size_t>(result.ptr - digits));
}

// No content: 1xx, 204, 205 (RFC 9110 15.3.6: "cannot have content") and 304.
bool statusForbidsBody(int status) { return status < 200 || status == 204 || status == 205 || status == 304; }

// Writes a head into memory sized for it beforehand: one pointer bump per piece, where string
// appends each check and grow the capacity.
class HeadCursor {
 public:
  explicit HeadCursor(char* at) : at_(at) {}
  HeadCursor& put(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
    return *this;
  }
  HeadCursor& number(uint64_t value) {
    at_ = std::to_chars(at_, at_ + kMaxDigits, value).ptr;
    return *this;
  }
  char* end() const { return at_; }

  static constexpr size_t kMaxDigits = 20;

 private:
  char* at_;
};

// What a head holds besides the reason and the fields: the status line's fixed parts, Date,
// Content-Length, Transfer-Encoding, the longer Connection field and the final CRLF.
constexpr size_t kHeadFixedBytes = sizeof "HTTP/1.1 000 \r\n" - 1 + sizeof "Date: \r\n" - 1 +
                                   sizeof "Content-Length: \r\n" - 1 + HeadCursor::kMaxDigits +
                                   sizeof "Transfer-Encoding: chunked\r\n" - 1 +
                                   sizeof "Connection: keep-alive\r\n" - 1 + 2;

}  // namespace

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

const char* buildResponseHead(const ResponseView& view, const ResponseContext& context, std::string& out,
                              ResponseDecision& decision) {
  // view passed ResponseView::parse: its fields follow response_fields.h, contentLength is set.
  const int status = view.status;
  const bool final = !(view.flags & kResponseMoreData);
  const bool opaque = view.flags & kResponseOpaque;
  const bool chunkedFlag = view.flags & kResponseChunked;
  decision.dropBody = context.headRequest || statusForbidsBody(status);
  bool close = context.engineMustClose || !context.requestKeepAlive || (view.flags & kResponseDisconnect);

  bool hasDate = false, recordSaysClose = false;
  const ResponseView::Header* connectionHeader = nullptr;
  for (const ResponseView::Header& header : view.headers) {
    uint8_t id = header.knownId == kUnknownHeader ? responseHeaderId(header.name) : header.knownId;
    if (id == kHeaderDate) hasDate = true;
    if (id == kHeaderConnection) {
      connectionHeader = &header;
      if (hasCloseToken(header.value)) recordSaysClose = true;
    }
  }
  close = close || recordSaysClose;

  // Framing is the engine's. Chunked only for HTTP/1.1 (an HTTP/1.0 client gets the data as it
  // is and the connection ends the body); Transfer-Encoding is said where it would apply, also
  // on HEAD and 304 answers, which carry no body (RFC 9112 6.1).
  const bool statusSaysLength = status >= 200 && status != 204;  // 1xx and 204 never carry one
  const bool chunkedHttp11 = chunkedFlag && context.httpMinor >= 1 && !opaque;
  decision.chunked = chunkedHttp11 && !decision.dropBody;
  const bool sayChunked = chunkedHttp11 && statusSaysLength && status != 205;
  int64_t length = -1;  // the Content-Length written
  if (status == 205) {
    length = 0;  // no content, and the client must learn it without waiting for the close
  } else if (statusSaysLength && view.contentLength >= 0) {
    length = view.contentLength;
  } else if (final && !decision.chunked && !chunkedFlag && !decision.dropBody && !opaque) {
    length = static_cast<int64_t>(view.totalChunkBytes());  // HTTP.SYS adds it to a whole response
  } else if (final && chunkedFlag && !chunkedHttp11 && !decision.dropBody && !opaque) {
    length = static_cast<int64_t>(view.totalChunkBytes());  // HTTP/1.0: a whole "chunked" response
  }
  decision.declaredLength = decision.dropBody || opaque ? -1 : length;
  // A streamed body with neither length nor chunking ends when the connection does.
  if (!final && decision.declaredLength < 0 && !decision.chunked && !decision.dropBody && !opaque) close = true;
  if (opaque) close = view.flags & kResponseDisconnect;  // the connection now belongs to the protocol
  decision.close = close;

  std::string_view reason = view.reason.empty() ? std::string_view(reasonPhrase(status)) : view.reason;
  std::string_view date = hasDate ? std::string_view() : httpDate();
  size_t bound = kHeadFixedBytes + reason.size() + date.size();
  for (const ResponseView::Header& header : view.headers) {
    std::string_view name = header.knownId == kUnknownHeader ? header.name : kResponseHeaderNames[header.knownId];
    bound += name.size() + header.value.size() + 4;
  }
  out.resize(bound);
  HeadCursor cursor(out.data());
  cursor.put("HTTP/1.1 ").number(static_cast<uint64_t>(status)).put(" ").put(reason).put("\r\n");
  for (const ResponseView::Header& header : view.headers) {
    if (&header == connectionHeader && close && !recordSaysClose) continue;  // replaced below
    uint8_t id = header.knownId == kUnknownHeader ? responseHeaderId(header.name) : header.knownId;
    if (id == kHeaderContentLength) continue;  // written once below, if at all
    std::string_view name = header.knownId == kUnknownHeader ? header.name : kResponseHeaderNames[header.knownId];
    cursor.put(name).put(": ").put(header.value).put("\r\n");
  }
  if (!hasDate) cursor.put("Date: ").put(date).put("\r\n");
  if (length >= 0) cursor.put("Content-Length: ").number(static_cast<uint64_t>(length)).put("\r\n");
  if (sayChunked) cursor.put("Transfer-Encoding: chunked\r\n");
  if (close && !recordSaysClose) {
    cursor.put("Connection: close\r\n");
  } else if (!close && connectionHeader == nullptr && context.httpMinor == 0) {
    cursor.put("Connection: keep-alive\r\n");  // an HTTP/1.0 client closes without it
  }
  cursor.put("\r\n");
  out.resize(static_cast<size_t>(cursor.end() - out.data()));
  return nullptr;
}

void buildEngineResponse(int status, bool headRequest, bool close, std::string& out) {
  const char* reason = reasonPhrase(status);
  std::string body = "<!DOCTYPE html><html><head><title>";
  body.append(reason).append("</title></head><body><h1>").append(reason).append("</h1><p>HTTP Error ");
  appendNumber(body, static_cast<uint64_t>(status));
  body.append(". The request could not be served.</p></body></html>\r\n");
  out.clear();
  out.append("HTTP/1.1 ");
  appendNumber(out, static_cast<uint64_t>(status));
  out.append(" ").append(reason).append("\r\nContent-Type: text/html; charset=us-ascii\r\nDate: ");
  out.append(httpDate()).append("\r\nContent-Length: ");
  appendNumber(out, body.size());
  out.append("\r\n");
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
  if (!headRequest) out.append(body);
}

void buildHttp2Refusal(std::string& out) {
  static constexpr std::string_view kReason =
      "HTTP/2 without TLS is not served: use HTTP/1.1 (Upgrade: h2c is handled by the application) or https";
  constexpr uint8_t kSettings = 0x4, kGoAway = 0x7;
  constexpr uint32_t kHttp11Required = 0xd;
  auto frameHeader = [&out](uint32_t length, uint8_t type) {
    out.push_back(static_cast<char>(length >> 16));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length));
    out.push_back(static_cast<char>(type));
    out.append(5, '\0');  // flags, stream 0
  };
  out.clear();
  frameHeader(0, kSettings);
  frameHeader(static_cast<uint32_t>(8 + kReason.size()), kGoAway);
  out.append(4, '\0');  // last stream id: none was processed
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(kHttp11Required >> shift));
  out.append(kReason);
}

void OutputQueue::addMemory(const void* data, uint64_t length) {
  if (length == 0) return;
  append(Segment{static_cast<const char*>(data), -1, 0, length});
}

void OutputQueue::addFile(int fd, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  append(Segment{nullptr, fd, offset, length});
}

uint64_t OutputQueue::pendingBytes() const {
  uint64_t total = 0;
  for (size_t i = next_; i < segments_.size(); ++i) total += segments_[i].length;
  return total;
}

void OutputQueue::clear() {
  base_ += segments_.size();
  segments_.clear();
  next_ = 0;
}

void OutputQueue::adoptStorage(std::vector<Segment>& storage) {
  if (hasStorage() || !empty()) return;
  clear();
  storage.clear();
  segments_.swap(storage);
}

void OutputQueue::releaseStorage(std::vector<Segment>& storage) {
  if (!empty()) return;
  clear();
  segments_.swap(storage);
}

uint64_t OutputQueue::gather(std::vector<iovec>& iov) const {
  uint64_t attempted = 0;
  size_t limit = iov.size() + IOV_MAX;
  for (size_t i = next_; i < segments_.size() && iov.size() < limit; ++i) {
    if (segments_[i].data == nullptr) break;
    size_t length = segments_[i].length > (1u << 30) ? (1u << 30) : static_cast<size_t>(segments_[i].length);
    iov.push_back(iovec{const_cast<char*>(segments_[i].data), length});
    attempted += length;
  }
  return attempted;
}

void OutputQueue::consume(uint64_t written) {
  bytesWritten_ += written;
  while (written > 0) {
    Segment& segment = segments_[next_];
    uint64_t take = written < segment.length ? written : segment.length;
    segment.data += take;
    segment.length -= take;
    written -= take;
    if (segment.length == 0) ++next_;
  }
  if (empty()) clear();
}

OutputQueue::Result OutputQueue::takeWritten(ssize_t result, int& errorCode) {
  if (result == -EINTR) return Result::kDone;  // nothing went out; it may be tried again at once
  if (result == -EAGAIN) return Result::kAgain;
  if (result < 0) {
    errorCode = static_cast<int>(-result);
    return Result::kError;
  }
  consume(static_cast<uint64_t>(result));
  return Result::kDone;  // all of it or part: only EAGAIN says the socket is full (flush())
}

OutputQueue::Result OutputQueue::flush(int socketFd, int& errorCode, std::vector<iovec>& iov) {
  while (next_ < segments_.size()) {
    Segment& first = segments_[next_];
    if (first.data == nullptr) {
      off_t offset = static_cast<off_t>(first.offset);
      size_t count = first.length > (1u << 30) ? (1u << 30) : static_cast<size_t>(first.length);
      ssize_t n = ::sendfile(socketFd, first.fd, &offset, count);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return Result::kAgain;
        errorCode = errno;
        return Result::kError;
      }
      if (n == 0) {  // the file is shorter than the chunk says
        errorCode = EIO;
        return Result::kError;
      }
      bytesWritten_ += static_cast<uint64_t>(n);
      first.offset += static_cast<uint64_t>(n);
      first.length -= static_cast<uint64_t>(n);
      if (first.length == 0) ++next_;
      continue;
    }
    // Gather the run of memory segments into one sendmsg.
    iov.clear();
    gather(iov);
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = iov.size();
    Result result = takeWritten(callResult(::sendmsg(socketFd, &message, MSG_NOSIGNAL)), errorCode);
    if (result != Result::kDone) return result;
  }
  clear();
  return Result::kDone;
}

}  // namespace hsys::posix
