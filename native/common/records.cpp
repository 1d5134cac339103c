#include "hsys/records.h"

#include <cstring>

#include "hsys/response_fields.h"

namespace hsys {

namespace {

// Bounds-checked reader over a record.
class Cursor {
 public:
  Cursor(const uint8_t* data, uint32_t length) : data_(data), length_(length) {}

  bool take(size_t count, const uint8_t** out) {
    if (count > length_ - position_) return false;
    *out = data_ + position_;
    position_ += count;
    return true;
  }
  bool takeString(size_t count, std::string_view* out) {
    const uint8_t* bytes;
    if (!take(count, &bytes)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(bytes), count);
    return true;
  }
  bool alignTo8() {
    size_t aligned = (position_ + 7) & ~size_t{7};
    if (aligned > length_) return false;
    position_ = aligned;
    return true;
  }
  size_t position() const { return position_; }

 private:
  const uint8_t* data_;
  uint32_t length_;
  size_t position_ = 0;
};

template <typename T>
void appendStruct(std::vector<uint8_t>& out, const T& value) {
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

void appendBytes(std::vector<uint8_t>& out, std::string_view bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// Reads count field entries (headers or trailers) into out.
bool takeFields(Cursor& cursor, uint16_t count, std::vector<ResponseView::Header>& out, const char** whyInvalid) {
  out.clear();
  out.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    const uint8_t* raw;
    if (!cursor.take(sizeof(HeaderEntry), &raw)) {
      *whyInvalid = "response field entry runs past the record";
      return false;
    }
    HeaderEntry entry;
    std::memcpy(&entry, raw, sizeof entry);
    ResponseView::Header field{entry.knownId, {}, {}};
    if (entry.knownId == kUnknownHeader ? entry.nameLength == 0 : entry.nameLength != 0) {
      *whyInvalid = "response field needs either a known id or a name";
      return false;
    }
    if (!cursor.takeString(entry.nameLength, &field.name) || !cursor.takeString(entry.valueLength, &field.value)) {
      *whyInvalid = "response field name or value runs past the record";
      return false;
    }
    out.push_back(field);
  }
  return true;
}

}  // namespace

bool ResponseView::parse(const uint8_t* record, uint32_t length, const char** whyInvalid) {
  Cursor cursor(record, length);
  const uint8_t* raw;
  if (!cursor.take(sizeof(ResponseRecordHeader), &raw)) {
    *whyInvalid = "response record shorter than its header";
    return false;
  }
  ResponseRecordHeader head;
  std::memcpy(&head, raw, sizeof head);
  if (head.recordLength != length) {
    *whyInvalid = "response record length field does not match the length passed";
    return false;
  }
  flags = head.flags;
  status = head.status;
  cacheTtlSeconds = head.cacheTtlSeconds;
  if (!cursor.takeString(head.reasonLength, &reason)) {
    *whyInvalid = "response reason runs past the record";
    return false;
  }
  if (!takeFields(cursor, head.headerCount, headers, whyInvalid) ||
      !takeFields(cursor, head.trailerCount, trailers, whyInvalid)) {
    return false;
  }
  if (!cursor.alignTo8()) {
    *whyInvalid = "response record chunk table is missing";
    return false;
  }
  chunks.clear();
  chunks.reserve(head.chunkCount);
  for (uint16_t i = 0; i < head.chunkCount; ++i) {
    if (!cursor.take(sizeof(DataChunk), &raw)) {
      *whyInvalid = "response data chunk runs past the record";
      return false;
    }
    DataChunk chunk;
    std::memcpy(&chunk, raw, sizeof chunk);
    if (chunk.kind != kChunkMemory && chunk.kind != kChunkFile) {
      *whyInvalid = "response data chunk of unknown kind";
      return false;
    }
    chunks.push_back(chunk);
  }
  if (cursor.position() != length) {
    *whyInvalid = "response record has trailing bytes";
    return false;
  }
  if (head.reserved != 0) {
    *whyInvalid = "response record reserved field is not zero";
    return false;
  }
  *whyInvalid = checkResponseFields(*this);
  return *whyInvalid == nullptr;
}

uint64_t ResponseView::totalChunkBytes() const {
  uint64_t total = 0;
  for (const DataChunk& chunk : chunks) total += chunk.length;
  return total;
}

RequestRecordWriter::RequestRecordWriter(std::vector<uint8_t>& out) : out_(out) {}

void RequestRecordWriter::begin(uint64_t requestId, uint64_t connectionId, uint16_t httpMajor,
                                uint16_t httpMinor, uint32_t flags,
                                const SocketAddressRecord& remote,
                                const SocketAddressRecord& local, std::string_view method,
                                std::string_view url, std::string_view cookedUrl) {
  // Records start 8-aligned so Java may read the header fields with aligned loads.
  while (out_.size() % 8 != 0) out_.push_back(0);
  start_ = out_.size();
  headerCount_ = 0;
  bodyLength_ = 0;
  tlsOffset_ = 0;
  RequestRecordHeader head{};
  head.flags = flags;
  head.requestId = requestId;
  head.connectionId = connectionId;
  head.httpMajor = httpMajor;
  head.httpMinor = httpMinor;
  head.methodLength = static_cast<uint16_t>(method.size());
  head.urlLength = static_cast<uint32_t>(url.size());
  head.cookedUrlLength = static_cast<uint32_t>(cookedUrl.size());
  head.remote = remote;
  head.local = local;
  appendStruct(out_, head);
  appendBytes(out_, method);
  appendBytes(out_, url);
  appendBytes(out_, cookedUrl);
}

void RequestRecordWriter::addKnownHeader(uint8_t knownId, std::string_view value) {
  HeaderEntry entry{knownId, 0, 0, static_cast<uint32_t>(value.size())};
  appendStruct(out_, entry);
  appendBytes(out_, value);
  ++headerCount_;
}

void RequestRecordWriter::addHeader(std::string_view name, std::string_view value) {
  HeaderEntry entry{kUnknownHeader, 0, static_cast<uint16_t>(name.size()),
                    static_cast<uint32_t>(value.size())};
  appendStruct(out_, entry);
  appendBytes(out_, name);
  appendBytes(out_, value);
  ++headerCount_;
}

void RequestRecordWriter::addBody(std::string_view bytes) {
  appendBytes(out_, bytes);
  bodyLength_ += static_cast<uint32_t>(bytes.size());
}

void RequestRecordWriter::addTls(const TlsRecord& tls, std::string_view certificate) {
  tlsOffset_ = static_cast<uint32_t>(out_.size() - start_);
  TlsRecord copy = tls;
  copy.certLength = static_cast<uint32_t>(certificate.size());
  appendStruct(out_, copy);
  appendBytes(out_, certificate);
}

size_t RequestRecordWriter::finish() {
  RequestRecordHeader* head = reinterpret_cast<RequestRecordHeader*>(out_.data() + start_);
  head->tlsOffset = tlsOffset_;
  head->recordLength = static_cast<uint32_t>(out_.size() - start_);
  head->headerCount = headerCount_;
  head->bodyLength = bodyLength_;
  return start_;
}

}  // namespace hsys
