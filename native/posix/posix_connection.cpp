// Per-connection work of the posix engine: read, parse, route, request bodies, responses.
// One request at a time per connection: parsing of pipelined bytes resumes only when the
// current response is complete, so responses leave in request order.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hsys/header_ids.h"
#include "posix_engine.h"

namespace hsys::posix {

namespace {

constexpr size_t kReadChunk = 16 * 1024;

const char* reasonFor(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

// Host without port: "example.com:8080" -> "example.com", "[::1]:80" -> "[::1]".
std::string_view hostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

void PosixLoop::onReadable(Connection& connection) {
  for (;;) {
    size_t used = connection.in.size();
    connection.in.resize(used + kReadChunk);
    ssize_t n = ::recv(connection.fd, connection.in.data() + used, kReadChunk, 0);
    if (n > 0) {
      connection.in.resize(used + static_cast<size_t>(n));
      if (static_cast<size_t>(n) < kReadChunk) break;
      if (connection.in.size() > 256 * 1024 && connection.state != Connection::State::kReadingHead) break;
      continue;
    }
    connection.in.resize(used);
    if (n == 0) {
      connection.peerClosed = true;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      closeConnection(connection, kConnectionLost, true);
      return;
    }
    break;
  }
  process(connection);
  if (connection.state == Connection::State::kClosed) return;
  if (connection.peerClosed) {
    if (connection.state == Connection::State::kReadingHead) {
      if (connection.out.empty()) {
        closeConnection(connection, kOk, false);
        return;
      }
      connection.closeAfterWrite = true;  // answer what was asked, then close
    } else {
      // The client went away with a request open: HTTP.SYS reports that as a disconnect.
      closeConnection(connection, kConnectionLost, true);
      return;
    }
  }
  updateInterest(connection);
}

void PosixLoop::process(Connection& connection) {
  if (connection.state == Connection::State::kReadingHead && !connection.in.empty() && connection.out.empty()) {
    int status = 400;
    ParseResult result = parseHead(connection.in.data(), connection.in.size(), limits_, connection.head, status);
    if (result == ParseResult::kError) {
      respondEngine(connection, status, true);
      return;
    }
    if (result == ParseResult::kComplete) startRequest(connection);
  }
  if (connection.bodyReadPending) tryCompleteBodyRead(connection);
}

void PosixLoop::startRequest(Connection& connection) {
  const ParsedHead& head = connection.head;
  const char* base = connection.in.data();
  std::string_view target = head.target.in(base);
  std::string_view host = head.hasHost ? hostName(head.host.in(base)) : std::string_view();
  std::string_view path = target;
  if (target.size() > 7 && equalsIgnoreCase(target.substr(0, 7), "http://")) {  // absolute-form
    size_t slash = target.find('/', 7);
    host = hostName(target.substr(7, slash == std::string_view::npos ? std::string_view::npos : slash - 7));
    path = slash == std::string_view::npos ? "/" : target.substr(slash);
  } else if (target != "*" && target.front() != '/') {
    respondEngine(connection, 400, true);
    return;
  }
  path = path.substr(0, std::min(path.find('?'), path.size()));
  bool hasBody = head.chunked || head.contentLength > 0;
  PosixQueue* queue = connection.listener->routes.match(host, path);
  if (queue == nullptr || !queue->started()) {
    respondEngine(connection, 404, hasBody || !head.keepAlive);
    return;
  }
  const QueueOptions& options = queue->options();
  uint32_t queueLength = options.queueLength ? options.queueLength : 1000;
  if (queue->activeRequests >= queueLength) {
    respondEngine(connection, 503, true);
    return;
  }
  if (options.maxRequestBodyBytes && head.contentLength > static_cast<int64_t>(options.maxRequestBodyBytes)) {
    respondEngine(connection, 413, true);
    return;
  }
  connection.state = Connection::State::kInRequest;
  connection.requestId = nextRequestId_++;
  connection.queue = queue;
  connection.delivered = false;
  connection.bodyCursor = head.headLength;
  connection.bodyRemaining = head.contentLength > 0 ? static_cast<uint64_t>(head.contentLength) : 0;
  connection.chunkedBody.reset();
  connection.bodyDone = !hasBody;
  connection.continueSent = false;
  connection.responseStarted = false;
  connection.noResponseBody = head.isHead;
  ++queue->activeRequests;
  requests_[connection.requestId] = &connection;
  push(kRequestReceived, kOk, queue->token(), connection.requestId, 0);
}

void PosixLoop::respondEngine(Connection& connection, int status, bool close) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reasonFor(status) +
                         "\r\nDate: " + httpDate() + "\r\nContent-Length: 0\r\n" +
                         (close ? "Connection: close\r\n" : "") + "\r\n";
  connection.ownedOutput.push_back(std::move(response));
  const std::string& bytes = connection.ownedOutput.back();
  connection.out.push_back(iovec{const_cast<char*>(bytes.data()), bytes.size()});
  if (close) {
    connection.closeAfterWrite = true;
  } else {
    // Drop the head just answered and carry on with whatever follows it.
    connection.in.erase(connection.in.begin(), connection.in.begin() + connection.head.headLength);
  }
  flush(connection);
}

bool PosixLoop::bodyFullyRead(const Connection& connection) const {
  return connection.bodyDone;
}

int32_t PosixLoop::receiveBody(Connection& connection, uint8_t* buffer, uint32_t capacity, uint64_t token) {
  if (connection.bodyReadPending) return kBusy;
  if (capacity == 0) return kInvalidArgument;
  connection.bodyReadPending = true;
  connection.bodyBuffer = buffer;
  connection.bodyCapacity = capacity;
  connection.bodyToken = token;
  if (connection.head.expectContinue && !connection.continueSent && !connection.responseStarted) {
    connection.continueSent = true;
    connection.ownedOutput.emplace_back("HTTP/1.1 100 Continue\r\n\r\n");
    const std::string& bytes = connection.ownedOutput.back();
    connection.out.push_back(iovec{const_cast<char*>(bytes.data()), bytes.size()});
    flush(connection);
  }
  if (connection.state != Connection::State::kClosed) {
    tryCompleteBodyRead(connection);
    if (connection.state != Connection::State::kClosed) updateInterest(connection);
  }
  return kOk;
}

void PosixLoop::tryCompleteBodyRead(Connection& connection) {
  size_t available = connection.in.size() - connection.bodyCursor;
  const char* data = connection.in.data() + connection.bodyCursor;
  size_t produced = 0;
  if (connection.state == Connection::State::kOpaque) {
    produced = std::min<size_t>(available, connection.bodyCapacity);
    std::memcpy(connection.bodyBuffer, data, produced);
    connection.bodyCursor += produced;
    if (produced == 0 && !connection.peerClosed) return;
  } else if (connection.bodyDone) {
    produced = 0;
  } else if (connection.head.chunked) {
    size_t consumed = 0;
    if (!connection.chunkedBody.decode(data, available, reinterpret_cast<char*>(connection.bodyBuffer),
                                       connection.bodyCapacity, consumed, produced)) {
      connection.bodyReadPending = false;
      push(kBodyReceived, kInvalidArgument, connection.bodyToken, connection.requestId, 0);
      closeConnection(connection, kConnectionLost, false);
      return;
    }
    connection.bodyCursor += consumed;
    if (connection.chunkedBody.done()) connection.bodyDone = true;
    if (produced == 0 && !connection.bodyDone) {
      if (connection.peerClosed) {
        connection.bodyReadPending = false;
        push(kBodyReceived, kConnectionLost, connection.bodyToken, connection.requestId, 0);
      }
      return;
    }
  } else {
    produced = static_cast<size_t>(std::min<uint64_t>({static_cast<uint64_t>(available), connection.bodyRemaining, static_cast<uint64_t>(connection.bodyCapacity)}));
    if (produced == 0) {
      if (connection.peerClosed) {
        connection.bodyReadPending = false;
        push(kBodyReceived, kConnectionLost, connection.bodyToken, connection.requestId, 0);
      }
      return;
    }
    std::memcpy(connection.bodyBuffer, data, produced);
    connection.bodyCursor += produced;
    connection.bodyRemaining -= produced;
    if (connection.bodyRemaining == 0) connection.bodyDone = true;
  }
  connection.bodyReadPending = false;
  push(kBodyReceived, kOk, connection.bodyToken, connection.requestId, produced);
}

int32_t PosixLoop::send(Connection& connection, const uint8_t* record, uint32_t length, uint64_t token) {
  if (connection.sendPending) return kBusy;
  ResponseView view;
  const char* why = nullptr;
  if (!view.parse(record, length, &why)) return kInvalidArgument;
  bool hasHead = view.flags & kResponseHasHead;
  if (hasHead == connection.responseStarted) return kInvalidArgument;  // head missing or repeated
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind != kChunkMemory) return kUnsupported;  // file chunks: not yet
  }
  bool final = !(view.flags & kResponseMoreData);
  bool opaque = view.flags & kResponseOpaque;
  if (hasHead) {
    connection.responseStarted = true;
    int status = view.status;
    if (status < 200 || status == 204 || status == 304) connection.noResponseBody = true;
    if (opaque) connection.noResponseBody = false;
    bool close = !connection.head.keepAlive || (view.flags & kResponseDisconnect) || connection.peerClosed;
    if (final && !connection.bodyDone) close = true;  // unread body: cannot find the next request
    std::string& out = connection.headBytes;
    out.clear();
    out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
    out.append(view.reason.empty() ? "Unknown" : std::string(view.reason)).append("\r\n");
    bool hasDate = false, hasLength = false, hasEncoding = false, hasConnection = false;
    for (const ResponseView::Header& header : view.headers) {
      std::string_view name = header.knownId == kUnknownHeader
                                  ? header.name
                                  : (header.knownId < kResponseHeaderCount ? kResponseHeaderNames[header.knownId]
                                                                           : std::string_view());
      if (name.empty()) return kInvalidArgument;
      uint8_t id = header.knownId == kUnknownHeader ? responseHeaderId(name) : header.knownId;
      if (id == 2) hasDate = true;
      if (id == 11) hasLength = true;
      if (id == 6) hasEncoding = true;
      if (id == 1) {
        hasConnection = true;
        if (header.value.find("close") != std::string_view::npos ||
            header.value.find("Close") != std::string_view::npos) {
          close = true;
        }
      }
      out.append(name).append(": ").append(header.value).append("\r\n");
    }
    if (!hasDate) out.append("Date: ").append(httpDate()).append("\r\n");
    if (final && !hasLength && !hasEncoding && !connection.noResponseBody && !opaque) {
      out.append("Content-Length: ").append(std::to_string(view.totalChunkBytes())).append("\r\n");
    }
    if (close && !hasConnection) out.append("Connection: close\r\n");
    if (!close && !hasConnection && connection.head.minor == 0) out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    connection.closeAfterWrite = close && final;
    connection.out.push_back(iovec{out.data(), out.size()});
  } else if (final && (view.flags & kResponseDisconnect)) {
    connection.closeAfterWrite = true;
  }
  if (!connection.noResponseBody) {
    for (const DataChunk& chunk : view.chunks) {
      if (chunk.length == 0) continue;
      connection.out.push_back(iovec{reinterpret_cast<void*>(chunk.handleOrAddress), static_cast<size_t>(chunk.length)});
    }
  }
  if (opaque) connection.state = Connection::State::kOpaque;
  connection.sendPending = true;
  connection.finalSend = final && !opaque && connection.state != Connection::State::kOpaque;
  connection.sendToken = token;
  connection.sendBytes = 0;
  for (size_t i = connection.outIndex; i < connection.out.size(); ++i) connection.sendBytes += connection.out[i].iov_len;
  flush(connection);
  return kOk;
}

void PosixLoop::onWritable(Connection& connection) { flush(connection); }

void PosixLoop::flush(Connection& connection) {
  while (connection.outIndex < connection.out.size()) {
    int count = static_cast<int>(std::min<size_t>(connection.out.size() - connection.outIndex, IOV_MAX));
    msghdr message{};
    message.msg_iov = connection.out.data() + connection.outIndex;
    message.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = ::sendmsg(connection.fd, &message, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        updateInterest(connection);
        return;
      }
      if (errno == EINTR) continue;
      closeConnection(connection, kConnectionLost, true);
      return;
    }
    size_t written = static_cast<size_t>(n);
    while (written > 0) {
      iovec& front = connection.out[connection.outIndex];
      if (written >= front.iov_len) {
        written -= front.iov_len;
        ++connection.outIndex;
      } else {
        front.iov_base = static_cast<char*>(front.iov_base) + written;
        front.iov_len -= written;
        written = 0;
      }
    }
  }
  connection.out.clear();
  connection.outIndex = 0;
  connection.ownedOutput.clear();
  if (connection.sendPending) {
    connection.sendPending = false;
    push(kSendCompleted, kOk, connection.sendToken, connection.requestId, connection.sendBytes);
    if (connection.finalSend) {
      finishRequest(connection);
      return;
    }
  }
  if (connection.closeAfterWrite) {
    closeConnection(connection, kOk, false);
    return;
  }
  if (connection.state == Connection::State::kReadingHead && !connection.in.empty()) {
    process(connection);  // pipelined requests behind an engine-made answer
    if (connection.state == Connection::State::kClosed) return;
  }
  updateInterest(connection);
}

void PosixLoop::finishRequest(Connection& connection) {
  requests_.erase(connection.requestId);
  if (connection.queue != nullptr && connection.queue->activeRequests > 0) --connection.queue->activeRequests;
  connection.queue = nullptr;
  connection.requestId = 0;
  if (connection.closeAfterWrite) {
    closeConnection(connection, kOk, false);
    return;
  }
  // Keep what follows this request's body: pipelined requests.
  connection.in.erase(connection.in.begin(), connection.in.begin() + static_cast<long>(connection.bodyCursor));
  connection.bodyCursor = 0;
  connection.state = Connection::State::kReadingHead;
  process(connection);
  if (connection.state != Connection::State::kClosed) updateInterest(connection);
}

void PosixLoop::closeConnection(Connection& connection, int32_t pendingStatus, bool reportAbort) {
  if (connection.state == Connection::State::kClosed) return;
  if (connection.requestId != 0) {
    int32_t status = pendingStatus == kOk ? kConnectionLost : pendingStatus;
    if (connection.bodyReadPending) push(kBodyReceived, status, connection.bodyToken, connection.requestId, 0);
    if (connection.sendPending) push(kSendCompleted, status, connection.sendToken, connection.requestId, 0);
    if (reportAbort && connection.delivered && connection.queue != nullptr) {
      push(kRequestAborted, kConnectionLost, connection.queue->token(), connection.requestId, 0);
    }
    requests_.erase(connection.requestId);
    if (connection.queue != nullptr && connection.queue->activeRequests > 0) --connection.queue->activeRequests;
  }
  connection.bodyReadPending = false;
  connection.sendPending = false;
  connection.state = Connection::State::kClosed;
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, connection.fd, nullptr);
  ::close(connection.fd);
  auto found = connections_.find(connection.fd);
  connection.fd = -1;
  if (found != connections_.end()) {
    graveyard_.push_back(std::move(found->second));  // freed at the next poll: events may still name it
    connections_.erase(found);
  }
}

}  // namespace hsys::posix
