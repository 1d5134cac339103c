#ifdef _WIN32

#include "httpapi_double.h"

#include <algorithm>
#include <cstring>

#include "hsys/header_ids.h"
#include "windows_engine.h"

namespace hsys::test {

namespace {

using hsys::windows::HttpApiRuntime;

// NTSTATUS values HTTP.SYS completes its IRPs with (the backend converts them with
// RtlNtStatusToDosError, as for real packets).
constexpr LONG kStatusSuccess = 0;
constexpr LONG kStatusBufferOverflow = static_cast<LONG>(0x80000005);       // ERROR_MORE_DATA
constexpr LONG kStatusCancelled = static_cast<LONG>(0xC0000120);            // ERROR_OPERATION_ABORTED
constexpr LONG kStatusEndOfFile = static_cast<LONG>(0xC0000011);            // ERROR_HANDLE_EOF
constexpr LONG kStatusConnectionInvalid = static_cast<LONG>(0xC000140B);    // ERROR_CONNECTION_INVALID

HttpApiDouble* active = nullptr;

HTTP_VERB verbOf(const std::string& verb) {
  static const std::pair<const char*, HTTP_VERB> kVerbs[] = {
      {"OPTIONS", HttpVerbOPTIONS}, {"GET", HttpVerbGET},       {"HEAD", HttpVerbHEAD},
      {"POST", HttpVerbPOST},       {"PUT", HttpVerbPUT},       {"DELETE", HttpVerbDELETE}};
  for (const auto& [name, id] : kVerbs) {
    if (verb == name) return id;
  }
  return HttpVerbUnknown;
}

size_t alignUp(size_t value, size_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// Bytes laid out behind an HTTP_REQUEST_V2 whose pointers aim into the caller's buffer.
class Layout {
 public:
  Layout() { bytes_.resize(sizeof(HTTP_REQUEST_V2)); }
  size_t add(const void* data, size_t length, size_t alignment = 1) {
    size_t offset = alignUp(bytes_.size(), alignment);
    bytes_.resize(offset + length);
    if (length != 0) std::memcpy(bytes_.data() + offset, data, length);
    return offset;
  }
  void put(size_t offset, const void* data, size_t length) { std::memcpy(bytes_.data() + offset, data, length); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

int RecordedSend::unknownCount(const std::string& name) const {
  int count = 0;
  for (const auto& header : unknown) count += equalsIgnoreCase(header.first, name) ? 1 : 0;
  return count;
}

// The functions of the table. Each acts on the double in place.
struct HttpApiDouble::Calls {
  static HttpApiDouble& d() { return *active; }

  static ULONG WINAPI initialize(HTTPAPI_VERSION, ULONG, PVOID) { return NO_ERROR; }
  static ULONG WINAPI terminate(ULONG, PVOID) { return NO_ERROR; }

  static ULONG WINAPI createRequestQueue(HTTPAPI_VERSION, PCWSTR, PSECURITY_ATTRIBUTES, ULONG, PHANDLE handle) {
    // A real file handle, so the backend can bind it to its completion port.
    wchar_t directory[MAX_PATH], path[MAX_PATH];
    if (GetTempPathW(MAX_PATH, directory) == 0 || GetTempFileNameW(directory, L"hqd", 0, path) == 0) {
      return GetLastError();
    }
    HANDLE file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE | FILE_FLAG_OVERLAPPED,
                              nullptr);
    if (file == INVALID_HANDLE_VALUE) return GetLastError();
    d().queueFile_ = file;
    *handle = file;
    return NO_ERROR;
  }

  static ULONG WINAPI closeRequestQueue(HANDLE handle) {
    // Closing the handle completes everything pending on it as cancelled.
    HttpApiDouble& self = d();
    for (const PendingIo& io : self.receives_) self.post(io.overlapped, kStatusCancelled, 0);
    for (const PendingIo& io : self.bodyReads_) self.post(io.overlapped, kStatusCancelled, 0);
    for (const PendingIo& io : self.waits_) self.post(io.overlapped, kStatusCancelled, 0);
    self.receives_.clear();
    self.bodyReads_.clear();
    self.waits_.clear();
    if (handle == self.queueFile_) self.queueFile_ = INVALID_HANDLE_VALUE;
    CloseHandle(handle);
    return NO_ERROR;
  }

  static RecordedProperty property(RecordedProperty::Target target, uint64_t id, HTTP_SERVER_PROPERTY which,
                                   PVOID info) {
    RecordedProperty recorded{target, id, static_cast<int>(which)};
    if (which == HttpServerQosProperty && info != nullptr) {
      const auto* qos = static_cast<const HTTP_QOS_SETTING_INFO*>(info);
      recorded.qosType = static_cast<int>(qos->QosType);
      if (qos->QosType == HttpQosSettingTypeConnectionLimit && qos->QosSetting != nullptr) {
        recorded.maxConnections = static_cast<const HTTP_CONNECTION_LIMIT_INFO*>(qos->QosSetting)->MaxConnections;
      }
    }
    return recorded;
  }

  static ULONG WINAPI setRequestQueueProperty(HANDLE, HTTP_SERVER_PROPERTY which, PVOID info, ULONG, ULONG, PVOID) {
    d().properties.push_back(property(RecordedProperty::kRequestQueue, 0, which, info));
    return NO_ERROR;
  }
  static ULONG WINAPI createServerSession(HTTPAPI_VERSION, PHTTP_SERVER_SESSION_ID id, ULONG) {
    *id = d().nextId_++;
    return NO_ERROR;
  }
  static ULONG WINAPI closeServerSession(HTTP_SERVER_SESSION_ID) { return NO_ERROR; }
  static ULONG WINAPI setServerSessionProperty(HTTP_SERVER_SESSION_ID id, HTTP_SERVER_PROPERTY which, PVOID info,
                                               ULONG) {
    d().properties.push_back(property(RecordedProperty::kServerSession, id, which, info));
    return NO_ERROR;
  }
  static ULONG WINAPI createUrlGroup(HTTP_SERVER_SESSION_ID, PHTTP_URL_GROUP_ID id, ULONG) {
    *id = d().nextId_++;
    d().urlGroupsCreated.push_back(*id);
    return NO_ERROR;
  }
  static ULONG WINAPI closeUrlGroup(HTTP_URL_GROUP_ID) { return NO_ERROR; }
  static ULONG WINAPI setUrlGroupProperty(HTTP_URL_GROUP_ID id, HTTP_SERVER_PROPERTY which, PVOID info, ULONG) {
    d().properties.push_back(property(RecordedProperty::kUrlGroup, id, which, info));
    return NO_ERROR;
  }
  static ULONG WINAPI addUrlToUrlGroup(HTTP_URL_GROUP_ID id, PCWSTR url, HTTP_URL_CONTEXT, ULONG) {
    if (d().addUrlError != NO_ERROR) return d().addUrlError;
    d().urls.emplace_back(id, url);  // Windows takes any number of URLs per group
    return NO_ERROR;
  }
  static ULONG WINAPI removeUrlFromUrlGroup(HTTP_URL_GROUP_ID id, PCWSTR url, ULONG) {
    auto& urls = d().urls;
    auto found = std::find(urls.begin(), urls.end(), std::make_pair(uint64_t{id}, std::wstring(url)));
    if (found == urls.end()) return ERROR_FILE_NOT_FOUND;
    urls.erase(found);
    return NO_ERROR;
  }

  static ULONG WINAPI receiveHttpRequest(HANDLE, HTTP_REQUEST_ID id, ULONG, PHTTP_REQUEST buffer, ULONG size,
                                         PULONG, LPOVERLAPPED overlapped) {
    HttpApiDouble& self = d();
    ++self.receiveCalls;
    if (self.failCount_ > 0) {
      --self.failCount_;
      return self.failError_;
    }
    if (id != HTTP_NULL_ID) {
      auto found = self.tooBig_.find(id);
      if (found == self.tooBig_.end() || self.gone_.count(found->second.request.connectionId) != 0) {
        return ERROR_CONNECTION_INVALID;
      }
      Stored stored = found->second;  // completeReceive forgets the entry
      self.completeReceive(PendingIo{overlapped, buffer, size, 0}, stored);
      return ERROR_IO_PENDING;
    }
    if (self.waiting_.empty()) {
      self.receives_.push_back(PendingIo{overlapped, buffer, size, 0});
      return ERROR_IO_PENDING;
    }
    Stored stored = self.waiting_.front();
    self.waiting_.pop_front();
    ULONG needed = self.layOut(stored, buffer, size);
    if (needed > size && self.syncMoreData_) {
      // The request was already there: the call itself answers ERROR_MORE_DATA.
      self.tooBig_[stored.id] = stored;
      if (self.syncMoreDataPacket_) self.post(overlapped, kStatusBufferOverflow, needed);
      return ERROR_MORE_DATA;
    }
    self.completeReceive(PendingIo{overlapped, buffer, size, 0}, stored);
    return ERROR_IO_PENDING;
  }

  static ULONG WINAPI receiveRequestEntityBody(HANDLE, HTTP_REQUEST_ID id, ULONG, PVOID buffer, ULONG size,
                                               PULONG, LPOVERLAPPED overlapped) {
    HttpApiDouble& self = d();
    if (self.connectionOf_.count(id) == 0 || self.gone_.count(self.connectionOf(id)) != 0) {
      return ERROR_CONNECTION_INVALID;
    }
    Body& body = self.bodies_[id];
    if (body.bytes.empty() && body.ended) return ERROR_HANDLE_EOF;
    self.bodyReads_.push_back(PendingIo{overlapped, buffer, size, id});
    self.feedBodyReads(id);
    return ERROR_IO_PENDING;
  }

  static RecordedSend record(HTTP_REQUEST_ID id, ULONG flags, USHORT chunkCount, const HTTP_DATA_CHUNK* chunks) {
    RecordedSend send;
    send.requestId = id;
    send.flags = flags;
    for (USHORT i = 0; i < chunkCount; ++i) {
      if (chunks[i].DataChunkType != HttpDataChunkFromMemory) continue;
      send.body.append(static_cast<const char*>(chunks[i].FromMemory.pBuffer), chunks[i].FromMemory.BufferLength);
    }
    return send;
  }

  static ULONG finishSend(RecordedSend send, LPOVERLAPPED overlapped) {
    HttpApiDouble& self = d();
    if (self.failSendCount_ > 0) {
      --self.failSendCount_;
      return self.failSendError_;
    }
    if (self.connectionOf_.count(send.requestId) == 0) return ERROR_CONNECTION_INVALID;
    uint64_t connection = self.connectionOf(send.requestId);
    if (self.gone_.count(connection) != 0) return ERROR_CONNECTION_INVALID;
    DWORD bytes = static_cast<DWORD>(send.body.size());
    ULONG flags = send.flags;
    self.sends.push_back(std::move(send));
    self.post(overlapped, kStatusSuccess, bytes);
    // The connection closes once the response is out; its disconnect waits complete after.
    if ((flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0 && (flags & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) == 0) {
      self.endConnection(connection);
    }
    return ERROR_IO_PENDING;
  }

  static ULONG WINAPI sendHttpResponse(HANDLE, HTTP_REQUEST_ID id, ULONG flags, PHTTP_RESPONSE response,
                                       PVOID cachePolicy, PULONG, PVOID, ULONG, LPOVERLAPPED overlapped, PVOID) {
    RecordedSend send = record(id, flags, response->EntityChunkCount, response->pEntityChunks);
    send.hasHead = true;
    send.status = response->StatusCode;
    send.cachePolicy = cachePolicy != nullptr;
    for (int i = 0; i < HttpHeaderResponseMaximum; ++i) {
      const HTTP_KNOWN_HEADER& header = response->Headers.KnownHeaders[i];
      if (header.pRawValue != nullptr) send.known[i] = std::string(header.pRawValue, header.RawValueLength);
    }
    for (USHORT i = 0; i < response->Headers.UnknownHeaderCount; ++i) {
      const HTTP_UNKNOWN_HEADER& header = response->Headers.pUnknownHeaders[i];
      send.unknown.emplace_back(std::string(header.pName, header.NameLength),
                                std::string(header.pRawValue, header.RawValueLength));
    }
    return finishSend(std::move(send), overlapped);
  }

  static ULONG WINAPI sendResponseEntityBody(HANDLE, HTTP_REQUEST_ID id, ULONG flags, USHORT count,
                                             PHTTP_DATA_CHUNK chunks, PULONG, PVOID, ULONG, LPOVERLAPPED overlapped,
                                             PVOID) {
    return finishSend(record(id, flags, count, chunks), overlapped);
  }

  static ULONG WINAPI cancelHttpRequest(HANDLE, HTTP_REQUEST_ID id, LPOVERLAPPED) {
    HttpApiDouble& self = d();
    self.cancels.push_back(id);
    if (self.connectionOf_.count(id) == 0 || self.gone_.count(self.connectionOf(id)) != 0) {
      return ERROR_CONNECTION_INVALID;
    }
    // The request's operations end as cancelled, and HTTP.SYS resets its connection.
    auto& reads = self.bodyReads_;
    for (auto it = reads.begin(); it != reads.end();) {
      if (it->key != id) {
        ++it;
        continue;
      }
      self.post(it->overlapped, kStatusCancelled, 0);
      it = reads.erase(it);
    }
    self.endConnection(self.connectionOf(id));
    return NO_ERROR;
  }

  static ULONG WINAPI waitForDisconnectEx(HANDLE, HTTP_CONNECTION_ID connection, ULONG, OVERLAPPED* overlapped) {
    HttpApiDouble& self = d();
    self.waitsPosted.push_back(connection);
    if (self.gone_.count(connection) != 0) return ERROR_CONNECTION_INVALID;
    self.waits_.push_back(PendingIo{overlapped, nullptr, 0, connection});
    return ERROR_IO_PENDING;
  }

  static ULONG WINAPI receiveClientCertificate(HANDLE, HTTP_CONNECTION_ID connection, ULONG,
                                               HTTP_SSL_CLIENT_CERT_INFO* info, ULONG size, ULONG*,
                                               OVERLAPPED* overlapped) {
    HttpApiDouble& self = d();
    ++self.certificateCalls;
    auto found = self.certificates_.find(connection);
    if (found == self.certificates_.end()) return ERROR_NOT_FOUND;  // the client sent none
    const std::string& der = found->second;
    ULONG needed = static_cast<ULONG>(sizeof(HTTP_SSL_CLIENT_CERT_INFO) + der.size());
    ZeroMemory(info, std::min<ULONG>(size, sizeof(HTTP_SSL_CLIENT_CERT_INFO)));
    info->CertEncodedSize = static_cast<ULONG>(der.size());
    if (size < needed) {
      // As ASP.NET Core's ClientCertLoader documents: the byte count covers the info block only.
      self.post(overlapped, kStatusBufferOverflow, sizeof(HTTP_SSL_CLIENT_CERT_INFO));
      return ERROR_IO_PENDING;
    }
    info->pCertEncoded = reinterpret_cast<PUCHAR>(info + 1);
    std::memcpy(info + 1, der.data(), der.size());
    self.post(overlapped, kStatusSuccess, needed);
    return ERROR_IO_PENDING;
  }

  static DWORD WINAPI formatMessage(DWORD flags, LPCVOID source, DWORD code, DWORD language, LPWSTR buffer,
                                    DWORD size, va_list* arguments) {
    DWORD chosen = d().messageLanguage != 0 ? d().messageLanguage : language;
    return FormatMessageW(flags, source, code, chosen, buffer, size, arguments);
  }
};

HttpApiDouble::HttpApiDouble() {
  api_ = hsys::windows::resolveHttpApi();
  api_.initialize = &Calls::initialize;
  api_.terminate = &Calls::terminate;
  api_.createRequestQueue = &Calls::createRequestQueue;
  api_.closeRequestQueue = &Calls::closeRequestQueue;
  api_.setRequestQueueProperty = &Calls::setRequestQueueProperty;
  api_.createServerSession = &Calls::createServerSession;
  api_.closeServerSession = &Calls::closeServerSession;
  api_.setServerSessionProperty = &Calls::setServerSessionProperty;
  api_.createUrlGroup = &Calls::createUrlGroup;
  api_.closeUrlGroup = &Calls::closeUrlGroup;
  api_.setUrlGroupProperty = &Calls::setUrlGroupProperty;
  api_.addUrlToUrlGroup = &Calls::addUrlToUrlGroup;
  api_.removeUrlFromUrlGroup = &Calls::removeUrlFromUrlGroup;
  api_.receiveHttpRequest = &Calls::receiveHttpRequest;
  api_.receiveRequestEntityBody = &Calls::receiveRequestEntityBody;
  api_.sendHttpResponse = &Calls::sendHttpResponse;
  api_.sendResponseEntityBody = &Calls::sendResponseEntityBody;
  api_.cancelHttpRequest = &Calls::cancelHttpRequest;
  api_.waitForDisconnectEx = &Calls::waitForDisconnectEx;
  api_.receiveClientCertificate = &Calls::receiveClientCertificate;
  api_.formatMessage = &Calls::formatMessage;
  // Windows: every capability, no Wine.
  api_.underWine = false;
  api_.wineMajor = api_.wineMinor = 0;
  api_.wineVersion[0] = '\0';
  api_.canSendEntityBody = api_.canCancelRequest = api_.honoursResponseInfo = true;
  api_.honoursSendFlags = api_.canSendFileChunks = api_.honoursQueueNames = true;
  api_.canWaitForDisconnect = api_.canReceiveClientCertificate = true;
  api_.oneUrlPerGroup = false;
  api_.propertiesMayBeMissing = false;
  active = this;
  previous_ = hsys::windows::replaceHttpApiForTesting(&api_);
}

HttpApiDouble::~HttpApiDouble() {
  hsys::windows::replaceHttpApiForTesting(previous_);
  active = nullptr;
  if (queueFile_ != INVALID_HANDLE_VALUE) CloseHandle(queueFile_);
}

void HttpApiDouble::attach(Loop& loop) { port_ = dynamic_cast<hsys::windows::WindowsLoop&>(loop).port(); }

void HttpApiDouble::post(OVERLAPPED* overlapped, LONG status, DWORD bytes) {
  overlapped->Internal = static_cast<ULONG_PTR>(static_cast<ULONG>(status));
  overlapped->InternalHigh = bytes;
  PostQueuedCompletionStatus(port_, bytes, hsys::windows::kQueueKey, overlapped);
}

uint64_t HttpApiDouble::arrive(const DoubleRequest& request) {
  Stored stored{nextRequestId_++, request};
  if (stored.request.http2) stored.request.tls = true;
  if (!stored.request.moreBody) bodies_[stored.id].ended = true;
  if (receives_.empty()) {
    waiting_.push_back(stored);
  } else {
    PendingIo receive = receives_.front();
    receives_.pop_front();
    completeReceive(receive, stored);
  }
  return stored.id;
}

void HttpApiDouble::completeReceive(const PendingIo& receive, const Stored& stored) {
  ULONG needed = layOut(stored, receive.buffer, receive.size);
  if (needed > receive.size) {
    tooBig_[stored.id] = stored;
    post(receive.overlapped, kStatusBufferOverflow, needed);
    return;
  }
  tooBig_.erase(stored.id);
  connectionOf_[stored.id] = stored.request.connectionId;
  post(receive.overlapped, kStatusSuccess, needed);
}

void HttpApiDouble::bodyArrives(uint64_t requestId, const std::string& bytes, bool last) {
  Body& body = bodies_[requestId];
  body.bytes += bytes;
  body.ended = body.ended || last;
  feedBodyReads(requestId);
}

void HttpApiDouble::feedBodyReads(uint64_t requestId) {
  Body& body = bodies_[requestId];
  for (auto it = bodyReads_.begin(); it != bodyReads_.end();) {
    if (it->key != requestId || (body.bytes.empty() && !body.ended)) {
      ++it;
      continue;
    }
    if (body.bytes.empty()) {
      post(it->overlapped, kStatusEndOfFile, 0);
    } else {
      size_t count = std::min<size_t>(it->size, body.bytes.size());
      std::memcpy(it->buffer, body.bytes.data(), count);
      body.bytes.erase(0, count);
      post(it->overlapped, kStatusSuccess, static_cast<DWORD>(count));
    }
    it = bodyReads_.erase(it);
  }
}

void HttpApiDouble::clientLeaves(uint64_t connectionId) { endConnection(connectionId); }

void HttpApiDouble::endConnection(uint64_t connectionId) {
  if (!gone_.insert(connectionId).second) return;
  for (auto it = bodyReads_.begin(); it != bodyReads_.end();) {
    if (connectionOf(it->key) != connectionId) {
      ++it;
      continue;
    }
    post(it->overlapped, kStatusConnectionInvalid, 0);
    it = bodyReads_.erase(it);
  }
  for (auto it = waits_.begin(); it != waits_.end();) {
    if (it->key != connectionId) {
      ++it;
      continue;
    }
    post(it->overlapped, kStatusSuccess, 0);
    it = waits_.erase(it);
  }
}

uint64_t HttpApiDouble::connectionOf(uint64_t requestId) const {
  auto found = connectionOf_.find(requestId);
  return found == connectionOf_.end() ? 0 : found->second;
}

void HttpApiDouble::failReceives(ULONG error, int count) {
  failError_ = error;
  failCount_ = count;
}

void HttpApiDouble::failSends(ULONG error, int count) {
  failSendError_ = error;
  failSendCount_ = count;
}

void HttpApiDouble::moreDataSynchronously(bool postPacketToo) {
  syncMoreData_ = true;
  syncMoreDataPacket_ = postPacketToo;
}

void HttpApiDouble::certificateFor(uint64_t connectionId, const std::string& der) {
  certificates_[connectionId] = der;
}

ULONG HttpApiDouble::layOut(const Stored& stored, void* buffer, ULONG size) const {
  const DoubleRequest& in = stored.request;
  auto* base = static_cast<uint8_t*>(buffer);
  Layout layout;
  HTTP_REQUEST_V2 request{};
  request.Flags = (in.moreBody ? HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS : 0) |
                  (in.http2 ? HTTP_REQUEST_FLAG_HTTP2 : 0);
  request.ConnectionId = in.connectionId;
  request.RequestId = stored.id;
  request.Version.MajorVersion = in.http2 ? 2 : 1;
  request.Version.MinorVersion = in.http2 ? 0 : 1;
  request.Verb = verbOf(in.verb);
  if (request.Verb == HttpVerbUnknown) {
    request.UnknownVerbLength = static_cast<USHORT>(in.verb.size());
    request.pUnknownVerb = reinterpret_cast<PCSTR>(base + layout.add(in.verb.data(), in.verb.size()));
  }
  request.RawUrlLength = static_cast<USHORT>(in.url.size());
  request.pRawUrl = reinterpret_cast<PCSTR>(base + layout.add(in.url.data(), in.url.size()));
  sockaddr_in remote{}, local{};
  remote.sin_family = local.sin_family = AF_INET;
  remote.sin_addr.s_addr = local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  remote.sin_port = htons(static_cast<u_short>(40000 + in.connectionId % 20000));
  local.sin_port = htons(in.tls ? 443 : 80);
  request.Address.pRemoteAddress = reinterpret_cast<PSOCKADDR>(base + layout.add(&remote, sizeof remote, 8));
  request.Address.pLocalAddress = reinterpret_cast<PSOCKADDR>(base + layout.add(&local, sizeof local, 8));

  std::vector<HTTP_UNKNOWN_HEADER> unknown;
  for (const auto& [name, value] : in.headers) {
    PCSTR valueAt = reinterpret_cast<PCSTR>(base + layout.add(value.data(), value.size()));
    uint8_t id = requestHeaderId(name);
    if (id != kUnknownHeader) {
      request.Headers.KnownHeaders[id].RawValueLength = static_cast<USHORT>(value.size());
      request.Headers.KnownHeaders[id].pRawValue = valueAt;
      continue;
    }
    HTTP_UNKNOWN_HEADER header{};
    header.NameLength = static_cast<USHORT>(name.size());
    header.pName = reinterpret_cast<PCSTR>(base + layout.add(name.data(), name.size()));
    header.RawValueLength = static_cast<USHORT>(value.size());
    header.pRawValue = valueAt;
    unknown.push_back(header);
  }
  if (!unknown.empty()) {
    request.Headers.UnknownHeaderCount = static_cast<USHORT>(unknown.size());
    request.Headers.pUnknownHeaders = reinterpret_cast<PHTTP_UNKNOWN_HEADER>(
        base + layout.add(unknown.data(), unknown.size() * sizeof(HTTP_UNKNOWN_HEADER), 8));
  }
  if (!in.copiedBody.empty()) {
    HTTP_DATA_CHUNK chunk{};
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.BufferLength = static_cast<ULONG>(in.copiedBody.size());
    chunk.FromMemory.pBuffer = base + layout.add(in.copiedBody.data(), in.copiedBody.size());
    request.EntityChunkCount = 1;
    request.pEntityChunks = reinterpret_cast<PHTTP_DATA_CHUNK>(base + layout.add(&chunk, sizeof chunk, 8));
  }
  if (in.tls) {
    HTTP_SSL_INFO ssl{};
    ssl.ConnectionKeySize = 256;
    ssl.ServerCertKeySize = 2048;
    request.pSslInfo = reinterpret_cast<PHTTP_SSL_INFO>(base + layout.add(&ssl, sizeof ssl, 8));
    if (in.tlsProtocol != 0) {
      hsys::windows::SslProtocolInfo protocol{};
      protocol.Protocol = in.tlsProtocol;
      HTTP_REQUEST_INFO info{};
      info.InfoType = static_cast<HTTP_REQUEST_INFO_TYPE>(hsys::windows::kRequestInfoTypeSslProtocol);
      info.InfoLength = sizeof protocol;
      info.pInfo = base + layout.add(&protocol, sizeof protocol, 8);
      request.RequestInfoCount = 1;
      request.pRequestInfo = reinterpret_cast<PHTTP_REQUEST_INFO>(base + layout.add(&info, sizeof info, 8));
    }
  }
  ULONG needed = static_cast<ULONG>(layout.bytes().size());
  if (needed > size) {
    // What HTTP.SYS leaves for the re-receive: the request id.
    if (size >= sizeof(HTTP_REQUEST_V1)) reinterpret_cast<HTTP_REQUEST_V2*>(buffer)->RequestId = stored.id;
    return needed;
  }
  layout.put(0, &request, sizeof request);
  std::memcpy(buffer, layout.bytes().data(), needed);
  return needed;
}

}  // namespace hsys::test

#endif  // _WIN32
