#include "http_parser.h"

#include <cstdint>
#include <cstring>

#include "hsys/header_ids.h"
#include "hsys/hex.h"
#include "hsys/records.h"

namespace hsys::posix {

namespace {

// RFC 9110 5.6.2 tchar, as a table.
struct CharTables {
  bool token[256] = {};
  bool fieldValue[256] = {};  // field-vchar, SP, HTAB, obs-text
  bool target[256] = {};      // visible ASCII and obs-text, no '#'
  bool host[256] = {};        // reg-name, IP-literal and port characters
  CharTables() {
    for (int c = 0; c < 256; ++c) {
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      token[c] = alnum || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
      fieldValue[c] = c == '\t' || (c >= 0x20 && c != 0x7F);
      target[c] = c > 0x20 && c != 0x7F && c != '#';
      host[c] = alnum || (c != 0 && std::strchr("-._~!$&'()*+;=%:[]", c) != nullptr);
    }
  }
};
const CharTables kChars;

inline bool isToken(char c) { return kChars.token[static_cast<unsigned char>(c)]; }

std::string_view trimOws(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// Calls visit(item) for each non-empty element of a comma-separated list.
template <typename Visit>
void forEachListItem(std::string_view list, Visit visit) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    size_t end = comma == std::string_view::npos ? list.size() : comma;
    std::string_view item = trimOws(list.substr(start, end - start));
    if (!item.empty()) visit(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

bool parseContentLength(std::string_view value, int64_t& out) {
  if (value.empty() || value.size() > 18) return false;  // 18 digits cannot overflow int64
  int64_t result = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  out = result;
  return true;
}

bool validHost(std::string_view host) {
  for (char c : host) {
    if (!kChars.host[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

Span spanOf(const char* base, std::string_view part) {
  return {static_cast<uint32_t>(part.data() - base), static_cast<uint32_t>(part.size())};
}

// Splits the request target into the routing path (and authority for absolute-form).
bool classifyTarget(const char* base, std::string_view method, std::string_view target, RequestHead& head) {
  head.absoluteForm = false;
  head.authority = {};
  std::string_view path;
  if (target.front() == '/') {
    path = target;
  } else if (target == "*") {
    if (method != "OPTIONS") return false;
    path = std::string_view(target.data(), 0);
  } else {
    size_t schemeLength = 0;
    if (target.size() > 7 && equalsIgnoreCase(target.substr(0, 7), "http://")) schemeLength = 7;
    else if (target.size() > 8 && equalsIgnoreCase(target.substr(0, 8), "https://")) schemeLength = 8;
    if (schemeLength == 0) return false;  // authority-form (CONNECT) and anything else
    std::string_view rest = target.substr(schemeLength);
    size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    if (authority.empty() || authority.find('@') != std::string_view::npos || !validHost(authority)) return false;
    head.absoluteForm = true;
    head.authority = spanOf(base, authority);
    path = slash == std::string_view::npos ? std::string_view(rest.data() + rest.size(), 0) : rest.substr(slash);
  }
  size_t query = path.find('?');
  if (query != std::string_view::npos) path = path.substr(0, query);
  head.path = spanOf(base, path);
  return true;
}

}  // namespace

ParseResult HeadParser::parse(const char* data, size_t length, const ParserLimits& limits,
                              RequestHead& head, int& status) {
  // 1. Find the blank line that ends the head ("\n\r\n", or "\n\n" which is rejected below).
  size_t headEnd = 0;
  size_t i = scanned_;
  while (i < length) {
    const void* found = std::memchr(data + i, '\n', length - i);
    if (found == nullptr) {
      i = length;
      break;
    }
    size_t lf = static_cast<size_t>(static_cast<const char*>(found) - data);
    if (lf + 1 < length && data[lf + 1] == '\n') {
      headEnd = lf + 2;
      break;
    }
    if (lf + 2 < length && data[lf + 1] == '\r' && data[lf + 2] == '\n') {
      headEnd = lf + 3;
      break;
    }
    if (lf + 2 >= length) {  // cannot tell yet: look at this LF again next time
      i = lf;
      break;
    }
    i = lf + 1;
  }
  scanned_ = i;
  const void* firstLf = std::memchr(data, '\n', headEnd != 0 ? headEnd : length);
  size_t lineEnd = firstLf ? static_cast<size_t>(static_cast<const char*>(firstLf) - data) : length;
  // The request line's length excludes its CRLF (a CR still waiting for its LF included).
  size_t lineLength = lineEnd > 0 && data[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
  if (lineLength > limits.maxRequestLine) {
    status = 414;
    return ParseResult::kError;
  }
  if (headEnd == 0) {
    if (length > limits.maxHeadBytes) {
      status = 431;
      return ParseResult::kError;
    }
    return ParseResult::kIncomplete;
  }
  if (headEnd > limits.maxHeadBytes) {
    status = 431;
    return ParseResult::kError;
  }
  scanned_ = 0;

  // 2. The request line: method SP target SP HTTP/x.y CRLF, each part strict.
  status = 400;
  if (lineEnd == 0 || data[lineEnd - 1] != '\r') return ParseResult::kError;
  std::string_view line(data, lineEnd - 1);
  size_t methodEnd = 0;
  while (methodEnd < line.size() && isToken(line[methodEnd])) ++methodEnd;
  if (methodEnd == 0 || methodEnd >= line.size() || line[methodEnd] != ' ') return ParseResult::kError;
  size_t targetEnd = methodEnd + 1;
  while (targetEnd < line.size() && kChars.target[static_cast<unsigned char>(line[targetEnd])]) ++targetEnd;
  if (targetEnd == methodEnd + 1 || targetEnd >= line.size() || line[targetEnd] != ' ') return ParseResult::kError;
  std::string_view version = line.substr(targetEnd + 1);
  if (version.size() != 8 || version.compare(0, 5, "HTTP/") != 0 || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return ParseResult::kError;
  }
  head.major = static_cast<uint16_t>(version[5] - '0');
  head.minor = static_cast<uint16_t>(version[7] - '0');
  if (head.major != 1) {
    status = 505;
    return ParseResult::kError;
  }
  std::string_view method = line.substr(0, methodEnd);
  std::string_view target = line.substr(methodEnd + 1, targetEnd - methodEnd - 1);
  head.method = spanOf(data, method);
  head.target = spanOf(data, target);
  head.isHeadMethod = method == "HEAD";
  if (!classifyTarget(data, method, target, head)) return ParseResult::kError;

  // 3. Header fields.
  head.headers.clear();
  head.headLength = static_cast<uint32_t>(headEnd);
  head.contentLength = -1;
  head.chunked = false;
  head.expectContinue = false;
  head.hasHost = false;
  head.host = {};
  bool sawTransferEncoding = false, unsupportedCoding = false, chunkedNotLast = false;
  int chunkedCount = 0;
  bool connectionClose = false, connectionKeepAlive = false;
  size_t position = lineEnd + 1;
  for (;;) {
    const char* lf = static_cast<const char*>(std::memchr(data + position, '\n', headEnd - position));
    size_t fieldEnd = static_cast<size_t>(lf - data);  // always found: headEnd ends with LF
    if (fieldEnd == position || data[fieldEnd - 1] != '\r') return ParseResult::kError;  // bare LF
    if (fieldEnd - 1 == position) break;  // CRLF alone: end of head
    if (data[position] == ' ' || data[position] == '\t') return ParseResult::kError;  // obs-fold
    std::string_view field(data + position, fieldEnd - 1 - position);
    size_t colon = 0;
    while (colon < field.size() && isToken(field[colon])) ++colon;
    if (colon == 0 || colon >= field.size() || field[colon] != ':') return ParseResult::kError;
    for (size_t k = colon + 1; k < field.size(); ++k) {
      if (!kChars.fieldValue[static_cast<unsigned char>(field[k])]) return ParseResult::kError;
    }
    if (head.headers.size() >= limits.maxHeaders) {
      status = 431;
      return ParseResult::kError;
    }
    std::string_view name = field.substr(0, colon);
    std::string_view value = trimOws(field.substr(colon + 1));
    ParsedHeader header{spanOf(data, name), spanOf(data, value), requestHeaderId(name)};
    head.headers.push_back(header);

    switch (header.knownId) {
      case 11: {  // Content-Length: a second, different value means smuggling
        int64_t parsed;
        if (!parseContentLength(value, parsed)) return ParseResult::kError;
        if (head.contentLength >= 0 && head.contentLength != parsed) return ParseResult::kError;
        head.contentLength = parsed;
        break;
      }
      case 6:  // Transfer-Encoding: lists may span several fields
        sawTransferEncoding = true;
        forEachListItem(value, [&](std::string_view item) {
          if (chunkedCount > 0) chunkedNotLast = true;
          if (equalsIgnoreCase(item, "chunked")) ++chunkedCount;
          else unsupportedCoding = true;
        });
        break;
      case 1:  // Connection
        forEachListItem(value, [&](std::string_view item) {
          if (equalsIgnoreCase(item, "close")) connectionClose = true;
          else if (equalsIgnoreCase(item, "keep-alive")) connectionKeepAlive = true;
        });
        break;
      case 26:  // Expect
        if (!equalsIgnoreCase(value, "100-continue")) {
          status = 417;
          return ParseResult::kError;
        }
        head.expectContinue = true;
        break;
      case 28:  // Host
        if (head.hasHost || !validHost(value)) return ParseResult::kError;
        head.hasHost = true;
        head.host = header.value;
        break;
      default:
        break;
    }
    position = fieldEnd + 1;
  }

  // 4. Message framing (RFC 9112 6).
  if (sawTransferEncoding) {
    if (head.minor == 0) return ParseResult::kError;            // TE in HTTP/1.0: faulty framing
    if (head.contentLength >= 0) return ParseResult::kError;    // CL + TE: smuggling
    if (unsupportedCoding) {
      status = 501;
      return ParseResult::kError;
    }
    if (chunkedCount != 1 || chunkedNotLast) return ParseResult::kError;
    head.chunked = true;
  }
  if (head.minor >= 1 && !head.hasHost) return ParseResult::kError;
  head.keepAlive = head.minor >= 1 ? !connectionClose : (connectionKeepAlive && !connectionClose);
  return ParseResult::kComplete;
}

namespace {

inline bool isBws(char c) { return c == ' ' || c == '\t'; }

// quoted-string content (RFC 9110 5.6.4): qdtext, without '"' and '\\'.
inline bool isQdText(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return c == '\t' || c == ' ' || u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u != 0x7F);
}

}  // namespace

ChunkedDecoder::Result ChunkedDecoder::decode(const char* in, size_t inLength, uint8_t* out,
                                              size_t outCapacity, size_t& consumed, size_t& produced,
                                              uint32_t maxTrailerBytes) {
  // RFC 9112 7.1, exactly: chunk-size = 1*HEXDIG (at most 64 bits), then
  // *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] ) and CRLF. Whitespace is
  // allowed only around ';' and '=', never before the CRLF. Size lines and the trailer section
  // together are bounded by maxTrailerBytes.
  consumed = 0;
  produced = 0;
  while (consumed < inLength && state_ != State::kDone) {
    char c = in[consumed];
    bool lineByte = state_ != State::kData;
    switch (state_) {
      case State::kSize: {
        int digit = hexDigitValue(c);
        if (digit >= 0) {
          if (remaining_ > (UINT64_MAX >> 4)) return Result::kError;  // would not fit in 64 bits
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          sawDigit_ = true;
        } else if (!sawDigit_) {
          return Result::kError;
        } else if (isBws(c)) {
          state_ = State::kSizeSpace;
        } else if (c == ';') {
          state_ = State::kExtBeforeName;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else {
          return Result::kError;
        }
        break;
      }
      case State::kSizeSpace:  // BWS after the size: only a ';' may follow
        if (c == ';') state_ = State::kExtBeforeName;
        else if (!isBws(c)) return Result::kError;
        break;
      case State::kExtBeforeName:
        if (isToken(c)) state_ = State::kExtName;
        else if (!isBws(c)) return Result::kError;
        break;
      case State::kExtName:
        if (isBws(c)) state_ = State::kExtAfterName;
        else if (c == '=') state_ = State::kExtBeforeValue;
        else if (c == ';') state_ = State::kExtBeforeName;
        else if (c == '\r') state_ = State::kSizeLf;
        else if (!isToken(c)) return Result::kError;
        break;
      case State::kExtAfterName:
        if (c == '=') state_ = State::kExtBeforeValue;
        else if (c == ';') state_ = State::kExtBeforeName;
        else if (!isBws(c)) return Result::kError;
        break;
      case State::kExtBeforeValue:
        if (c == '"') state_ = State::kExtQuoted;
        else if (isToken(c)) state_ = State::kExtValue;
        else if (!isBws(c)) return Result::kError;
        break;
      case State::kExtValue:
      case State::kExtAfterQuoted:
        if (isBws(c)) state_ = State::kExtAfterValue;
        else if (c == ';') state_ = State::kExtBeforeName;
        else if (c == '\r') state_ = State::kSizeLf;
        else if (state_ == State::kExtAfterQuoted || !isToken(c)) return Result::kError;
        break;
      case State::kExtAfterValue:
        if (c == ';') state_ = State::kExtBeforeName;
        else if (!isBws(c)) return Result::kError;
        break;
      case State::kExtQuoted:
        if (c == '"') state_ = State::kExtAfterQuoted;
        else if (c == '\\') state_ = State::kExtQuotedPair;
        else if (!isQdText(c)) return Result::kError;
        break;
      case State::kExtQuotedPair:  // HTAB / SP / VCHAR / obs-text
        if (!kChars.fieldValue[static_cast<unsigned char>(c)]) return Result::kError;
        state_ = State::kExtQuoted;
        break;
      case State::kSizeLf:
        if (c != '\n') return Result::kError;
        sawDigit_ = false;
        state_ = remaining_ == 0 ? State::kLineStart : State::kData;
        lineBytes_ = state_ == State::kData ? 0 : lineBytes_;  // the trailer section shares the last line's budget
        break;
      case State::kData: {
        size_t take = inLength - consumed;
        if (take > remaining_) take = static_cast<size_t>(remaining_);
        if (out != nullptr) {
          if (take > outCapacity - produced) take = outCapacity - produced;
          if (take == 0) return Result::kOk;  // output full
          std::memcpy(out + produced, in + consumed, take);
        }
        produced += take;
        consumed += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDataCr;
        continue;
      }
      case State::kDataCr:
        if (c != '\r') return Result::kError;
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (c != '\n') return Result::kError;
        state_ = State::kSize;
        break;
      case State::kLineStart:  // after the last chunk: a trailer field or the final CRLF
        if (c == '\r') state_ = State::kFinalLf;
        else if (isToken(c)) state_ = State::kTrailerName;
        else return Result::kError;  // bare LF, obs-fold or garbage
        break;
      case State::kTrailerName:
        if (c == ':') state_ = State::kTrailer;
        else if (!isToken(c)) return Result::kError;  // whitespace before ':' included
        break;
      case State::kTrailer:
        if (c == '\r') state_ = State::kTrailerLf;
        else if (!kChars.fieldValue[static_cast<unsigned char>(c)]) return Result::kError;
        break;
      case State::kTrailerLf:
        if (c != '\n') return Result::kError;
        state_ = State::kLineStart;
        break;
      case State::kFinalLf:
        if (c != '\n') return Result::kError;
        state_ = State::kDone;
        break;
      case State::kDone:
        break;
    }
    if (lineByte && ++lineBytes_ > maxTrailerBytes) return Result::kError;
    ++consumed;
  }
  return Result::kOk;
}

}  // namespace hsys::posix
