// A test double of httpapi.dll that behaves as Windows' HTTP.SYS does where Wine's differs or is
// missing, and records what the backend hands over. It plugs in where the backend resolves the
// HTTP Server API (dynamic_httpapi.h, replaceHttpApiForTesting), so the real backend code runs
// against it, with the real completion port: the double completes operations by posting their
// OVERLAPPED to the loop's port with the NTSTATUS Windows would set.
//
// What it imitates, and from which documentation, is listed in docs/windows-verification.md
// ("The HTTP Server API double"). In short: requests arrive when a test says so (into a posted
// receive, or waiting for one), heads that do not fit complete with ERROR_MORE_DATA and are
// fetched again by id, a synchronous ERROR_MORE_DATA queues no packet, sends complete with their
// byte count, DISCONNECT closes the connection after the send, cancel resets the connection,
// disconnect waits complete when a connection ends, the client certificate's ERROR_MORE_DATA
// reports the size of HTTP_SSL_CLIENT_CERT_INFO only. It does no networking.
#pragma once
#ifdef _WIN32

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dynamic_httpapi.h"
#include "hsys/engine.h"

namespace hsys::test {

// A request as a client sends it; the double lays it out as HTTP_REQUEST_V2, as HTTP.SYS would.
struct DoubleRequest {
  uint64_t connectionId = 1;
  std::string verb = "GET";
  std::string url = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string copiedBody;   // entity bytes that come with the head (COPY_BODY)
  bool moreBody = false;    // HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS: read the rest with receiveBody
  bool http2 = false;       // HTTP_REQUEST_FLAG_HTTP2 (HTTP.SYS speaks it over TLS only: implies tls)
  bool tls = false;         // pSslInfo, without a client certificate in it
  ULONG tlsProtocol = 0;    // SP_PROT_* in an HttpRequestInfoTypeSslProtocol entry (0: none)
};

// One HttpSendHttpResponse / HttpSendResponseEntityBody call, copied as the backend made it.
struct RecordedSend {
  uint64_t requestId = 0;
  bool hasHead = false;
  ULONG flags = 0;
  uint16_t status = 0;
  std::map<int, std::string> known;  // HTTP_HEADER_ID -> value, from the KnownHeaders slots
  std::vector<std::pair<std::string, std::string>> unknown;
  std::string body;                  // the memory chunks, concatenated
  bool cachePolicy = false;          // a HTTP_CACHE_POLICY was passed
  bool hasKnown(int id) const { return known.count(id) != 0; }
  int unknownCount(const std::string& name) const;
};

// One HttpSet*Property call.
struct RecordedProperty {
  enum Target { kRequestQueue, kServerSession, kUrlGroup } target;
  uint64_t id = 0;             // session or URL group id (0 for the request queue)
  int property = 0;            // HTTP_SERVER_PROPERTY
  int qosType = -1;            // HTTP_QOS_SETTING_TYPE for HttpServerQosProperty
  ULONG maxConnections = 0;    // for HttpQosSettingTypeConnectionLimit
};

class HttpApiDouble {
 public:
  HttpApiDouble();   // in place from here until destroyed (one at a time); make it before the loop
  ~HttpApiDouble();  // destroy it after the loop
  HttpApiDouble(const HttpApiDouble&) = delete;
  HttpApiDouble& operator=(const HttpApiDouble&) = delete;

  // Where completion packets go: the port of the loop under test.
  void attach(Loop& loop);

  // ---- what clients and the kernel do
  // A request arrives on its connection; returns its request id.
  uint64_t arrive(const DoubleRequest& request);
  // Entity bytes for a request with moreBody (or, after a 101, the upgraded stream's bytes).
  void bodyArrives(uint64_t requestId, const std::string& bytes, bool last = false);
  // The client closes its connection: disconnect waits complete, its requests become invalid.
  void clientLeaves(uint64_t connectionId);
  // The next count HttpReceiveHttpRequest calls fail at once with error (no packet).
  void failReceives(ULONG error, int count);
  // The next count response sends (head or entity body) fail at once with error (no packet).
  void failSends(ULONG error, int count);
  // A head that does not fit a receive posted while it waits: ERROR_MORE_DATA returned by the
  // call, as on Windows with no packet (postPacketToo: and one queued, as Wine does).
  void moreDataSynchronously(bool postPacketToo);
  // The certificate HttpReceiveClientCertificate returns for the connection.
  void certificateFor(uint64_t connectionId, const std::string& der);
  // FormatMessageW answers in this language (0: the system's choice).
  LANGID messageLanguage = 0;
  // HttpAddUrlToUrlGroup fails with this (NO_ERROR: succeeds).
  ULONG addUrlError = NO_ERROR;

  // ---- what the backend did
  std::vector<RecordedSend> sends;
  std::vector<uint64_t> cancels;                       // request ids
  std::vector<RecordedProperty> properties;
  std::vector<std::pair<uint64_t, std::wstring>> urls;  // (URL group, URL) added
  std::vector<uint64_t> urlGroupsCreated;
  std::vector<uint64_t> waitsPosted;                    // connection ids of HttpWaitForDisconnectEx
  int receiveCalls = 0;
  int certificateCalls = 0;
  size_t pendingReceives() const { return receives_.size(); }
  bool connectionOpen(uint64_t connectionId) const { return gone_.count(connectionId) == 0; }

  // ---- the HTTP Server API functions (static: the table holds plain function pointers)
  struct Calls;

 private:
  friend struct Calls;
  struct Stored {
    uint64_t id = 0;
    DoubleRequest request;
  };
  struct PendingIo {
    OVERLAPPED* overlapped = nullptr;
    void* buffer = nullptr;
    ULONG size = 0;
    uint64_t key = 0;  // request id (body reads) or connection id (waits)
  };
  struct Body {
    std::string bytes;
    bool ended = false;
  };

  void post(OVERLAPPED* overlapped, LONG status, DWORD bytes);
  // Writes request as HTTP_REQUEST_V2 into buffer; returns the size it needs (written only when
  // it fits; else only RequestId, as HTTP.SYS leaves it for the re-receive).
  ULONG layOut(const Stored& stored, void* buffer, ULONG size) const;
  void completeReceive(const PendingIo& receive, const Stored& stored);
  void feedBodyReads(uint64_t requestId);
  void endConnection(uint64_t connectionId);
  uint64_t connectionOf(uint64_t requestId) const;

  hsys::windows::HttpApiRuntime api_;
  const hsys::windows::HttpApiRuntime* previous_ = nullptr;
  HANDLE port_ = nullptr;
  HANDLE queueFile_ = INVALID_HANDLE_VALUE;  // the "request queue": a real handle a port accepts
  uint64_t nextRequestId_ = 0x1000;
  uint64_t nextId_ = 0x10;
  std::deque<Stored> waiting_;               // arrived, no receive took them yet
  std::map<uint64_t, Stored> tooBig_;        // took with ERROR_MORE_DATA, to be fetched by id
  std::map<uint64_t, uint64_t> connectionOf_;  // request id -> connection id (delivered ones)
  std::deque<PendingIo> receives_;
  std::vector<PendingIo> bodyReads_;
  std::vector<PendingIo> waits_;
  std::map<uint64_t, Body> bodies_;
  std::map<uint64_t, std::string> certificates_;
  std::set<uint64_t> gone_;                  // connections that ended
  ULONG failError_ = NO_ERROR;
  int failCount_ = 0;
  ULONG failSendError_ = NO_ERROR;
  int failSendCount_ = 0;
  bool syncMoreData_ = false;
  bool syncMoreDataPacket_ = false;
};

}  // namespace hsys::test

#endif  // _WIN32
