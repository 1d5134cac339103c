#include "http_parser.h"

#include <cstring>

#include "hsys/header_ids.h"
#include "hsys/records.h"

namespace hsys::posix {

namespace {

// RFC 9110 token characters.
bool isTokenChar(unsigned char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

// Field values: visible characters, space, tab and obs-text; no other control characters.
bool isFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }

bool isTargetChar(unsigned char c) { return c > 0x20 && c != 0x7F; }

std::string_view trim(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

bool containsTokenIgnoreCase(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view item = trim(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (equalsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

bool parseContentLength(std::string_view value, int64_t& out) {
  value = trim(value);
  if (value.empty() || value.size() > 18) return false;
  int64_t result = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  out = result;
  return true;
}

}  // namespace

ParseResult parseHead(const char* data, size_t length, const ParserLimits& limits, ParsedHead& head,
                      int& status) {
  // Find the end of the request line; a bare LF is not a line ending here (RFC 9112 2.2 allows
  // rejecting it, and accepting it invites smuggling through lenient proxies).
  const char* lineEnd = static_cast<const char*>(std::memchr(data, '\n', length));
  if (lineEnd == nullptr) {
    if (length > limits.maxRequestLine) {
      status = 414;
      return ParseResult::kError;
    }
    return ParseResult::kIncomplete;
  }
  size_t lineLength = static_cast<size_t>(lineEnd - data);
  if (lineLength > limits.maxRequestLine) {
    status = 414;
    return ParseResult::kError;
  }
  status = 400;
  if (lineLength == 0 || data[lineLength - 1] != '\r') return ParseResult::kError;
  std::string_view line(data, lineLength - 1);

  size_t firstSpace = line.find(' ');
  if (firstSpace == std::string_view::npos || firstSpace == 0) return ParseResult::kError;
  for (size_t i = 0; i < firstSpace; ++i) {
    if (!isTokenChar(static_cast<unsigned char>(line[i]))) return ParseResult::kError;
  }
  size_t secondSpace = line.find(' ', firstSpace + 1);
  if (secondSpace == std::string_view::npos || secondSpace == firstSpace + 1) return ParseResult::kError;
  for (size_t i = firstSpace + 1; i < secondSpace; ++i) {
    if (!isTargetChar(static_cast<unsigned char>(line[i]))) return ParseResult::kError;
  }
  std::string_view version = line.substr(secondSpace + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return ParseResult::kError;
  }
  head.major = static_cast<uint16_t>(version[5] - '0');
  head.minor = static_cast<uint16_t>(version[7] - '0');
  if (head.major != 1) {
    status = 505;
    return ParseResult::kError;
  }
  head.method = {0, static_cast<uint32_t>(firstSpace)};
  head.target = {static_cast<uint32_t>(firstSpace + 1), static_cast<uint32_t>(secondSpace - firstSpace - 1)};
  head.isHead = line.substr(0, firstSpace) == "HEAD";
  head.headers.clear();
  head.contentLength = -1;
  head.chunked = false;
  head.expectContinue = false;
  head.hasHost = false;
  bool sawTransferEncoding = false;
  bool connectionClose = false, connectionKeepAlive = false;

  size_t position = lineLength + 1;
  for (;;) {
    if (position > limits.maxHeadBytes) {
      status = 431;
      return ParseResult::kError;
    }
    if (position >= length) return ParseResult::kIncomplete;
    const char* end = static_cast<const char*>(std::memchr(data + position, '\n', length - position));
    if (end == nullptr) {
      if (length - lineLength > limits.maxHeadBytes) {
        status = 431;
        return ParseResult::kError;
      }
      return ParseResult::kIncomplete;
    }
    size_t fieldEnd = static_cast<size_t>(end - data);
    status = 400;
    if (fieldEnd == position || data[fieldEnd - 1] != '\r') return ParseResult::kError;  // bare LF
    if (fieldEnd - 1 == position) {  // blank line: end of head
      head.headLength = static_cast<uint32_t>(fieldEnd + 1);
      break;
    }
    if (fieldEnd + 1 > limits.maxHeadBytes) {
      status = 431;
      return ParseResult::kError;
    }
    // obs-fold (a line starting with SP/HTAB) is rejected (RFC 9112 5.2).
    if (data[position] == ' ' || data[position] == '\t') return ParseResult::kError;
    std::string_view field(data + position, fieldEnd - 1 - position);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseResult::kError;
    for (size_t i = 0; i < colon; ++i) {
      if (!isTokenChar(static_cast<unsigned char>(field[i]))) return ParseResult::kError;  // no space before ':'
    }
    for (size_t i = colon + 1; i < field.size(); ++i) {
      if (!isFieldValueChar(static_cast<unsigned char>(field[i]))) return ParseResult::kError;
    }
    std::string_view name = field.substr(0, colon);
    std::string_view value = trim(field.substr(colon + 1));
    if (head.headers.size() >= limits.maxHeaders) {
      status = 431;
      return ParseResult::kError;
    }
    ParsedHeader header;
    header.name = {static_cast<uint32_t>(position), static_cast<uint32_t>(colon)};
    header.value = {static_cast<uint32_t>(value.data() - data), static_cast<uint32_t>(value.size())};
    header.knownId = requestHeaderId(name);
    head.headers.push_back(header);

    switch (header.knownId) {
      case 11: {  // Content-Length: a second, different value is smuggling
        int64_t parsed;
        if (!parseContentLength(value, parsed)) return ParseResult::kError;
        if (head.contentLength >= 0 && head.contentLength != parsed) return ParseResult::kError;
        head.contentLength = parsed;
        break;
      }
      case 6:  // Transfer-Encoding: only "chunked", and only once, is understood
        if (sawTransferEncoding) return ParseResult::kError;
        sawTransferEncoding = true;
        if (!equalsIgnoreCase(value, "chunked")) {
          status = containsTokenIgnoreCase(value, "chunked") ? 400 : 501;
          return ParseResult::kError;
        }
        head.chunked = true;
        break;
      case 1:  // Connection
        if (containsTokenIgnoreCase(value, "close")) connectionClose = true;
        if (containsTokenIgnoreCase(value, "keep-alive")) connectionKeepAlive = true;
        break;
      case 26:  // Expect
        if (equalsIgnoreCase(value, "100-continue")) {
          head.expectContinue = true;
        } else {
          status = 417;
          return ParseResult::kError;
        }
        break;
      case 28:  // Host
        if (head.hasHost) return ParseResult::kError;
        head.hasHost = true;
        head.host = header.value;
        break;
      default:
        break;
    }
    position = fieldEnd + 1;
  }
  if (head.chunked && head.contentLength >= 0) return ParseResult::kError;  // CL + TE
  if (head.minor >= 1 && !head.hasHost) return ParseResult::kError;
  if (head.minor == 0 && head.chunked) return ParseResult::kError;
  head.keepAlive = head.minor >= 1 ? !connectionClose : (connectionKeepAlive && !connectionClose);
  return ParseResult::kComplete;
}

bool ChunkedDecoder::decode(const char* in, size_t inLength, char* out, size_t outCapacity,
                            size_t& consumed, size_t& produced) {
  consumed = 0;
  produced = 0;
  while (consumed < inLength && state_ != State::kDone) {
    char c = in[consumed];
    switch (state_) {
      case State::kSize: {
        int digit = (c >= '0' && c <= '9') ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (digit >= 0) {
          if (++sizeDigits_ > 15) return false;  // overflow guard
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++consumed;
        } else if (sizeDigits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
          state_ = State::kSizeExtension;
          ++consumed;
        } else if (sizeDigits_ > 0 && c == '\r') {
          state_ = State::kSizeLf;
          ++consumed;
        } else {
          return false;
        }
        break;
      }
      case State::kSizeExtension:
        if (c == '\r') state_ = State::kSizeLf;
        else if (c == '\n' || (static_cast<unsigned char>(c) < 0x20 && c != '\t')) return false;
        ++consumed;
        break;
      case State::kSizeLf:
        if (c != '\n') return false;
        ++consumed;
        sizeDigits_ = 0;
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kData: {
        if (produced == outCapacity) return true;
        size_t take = inLength - consumed;
        if (take > remaining_) take = static_cast<size_t>(remaining_);
        if (take > outCapacity - produced) take = outCapacity - produced;
        std::memcpy(out + produced, in + consumed, take);
        produced += take;
        consumed += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c != '\r') return false;
        ++consumed;
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (c != '\n') return false;
        ++consumed;
        state_ = State::kSize;
        break;
      case State::kTrailerStart:
        ++consumed;
        state_ = c == '\r' ? State::kFinalLf : State::kTrailer;
        if (c == '\n') return false;
        break;
      case State::kTrailer:
        if (c == '\r') state_ = State::kTrailerLf;
        else if (c == '\n') return false;
        ++consumed;
        break;
      case State::kTrailerLf:
        if (c != '\n') return false;
        ++consumed;
        state_ = State::kTrailerStart;
        break;
      case State::kFinalLf:
        if (c != '\n') return false;
        ++consumed;
        state_ = State::kDone;
        break;
      case State::kDone:
        break;
    }
  }
  return true;
}

}  // namespace hsys::posix
