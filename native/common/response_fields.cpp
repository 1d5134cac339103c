#include "hsys/response_fields.h"

#include <algorithm>
#include <cstring>

#include "hsys/header_ids.h"

namespace hsys {

namespace {

// The response id of a header given by id or by name.
uint8_t idOf(const ResponseView::Header& header) {
  return header.knownId == kUnknownHeader ? responseHeaderId(header.name) : header.knownId;
}

// Digits only, at most 18 of them (no int64 overflow); -1 when malformed.
int64_t parseLength(std::string_view value) {
  if (value.empty() || value.size() > 18) return -1;
  int64_t result = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return -1;
    result = result * 10 + (c - '0');
  }
  return result;
}

bool forbiddenTrailer(std::string_view name) {
  static constexpr std::string_view kForbidden[] = {"Content-Length", "Transfer-Encoding", "Trailer", "Connection",
                                                    "Keep-Alive",     "Upgrade",           "TE",      "Host"};
  for (std::string_view forbidden : kForbidden) {
    if (equalsIgnoreCase(name, forbidden)) return true;
  }
  return false;
}

const char* checkHeaders(ResponseView& view) {
  size_t lengthFields = 0;
  for (const ResponseView::Header& header : view.headers) {
    if (header.knownId == kUnknownHeader ? !isToken(header.name) : header.knownId >= kResponseHeaderCount) {
      return "a response header name is not a token (or its id is not in the response table)";
    }
    if (!isFieldText(header.value)) return "a response header value contains a control character";
    uint8_t id = idOf(header);
    if (id == kHeaderTransferEncoding) {
      return "a response carries Transfer-Encoding: chunked framing is the engine's (kResponseChunked)";
    }
    if (id == kHeaderContentLength) {
      int64_t length = parseLength(header.value);
      if (length < 0) return "a response Content-Length is not a number";
      if (view.contentLength >= 0 && view.contentLength != length) return "response Content-Length values differ";
      view.contentLength = length;
      ++lengthFields;
    }
  }
  if (lengthFields > 1) {  // identical repeats: one goes on the wire
    bool first = true;
    auto repeat = [&first](const ResponseView::Header& header) {
      if (idOf(header) != kHeaderContentLength) return false;
      bool drop = !first;
      first = false;
      return drop;
    };
    view.headers.erase(std::remove_if(view.headers.begin(), view.headers.end(), repeat), view.headers.end());
  }
  if (view.contentLength >= 0 && (view.flags & kResponseChunked)) {
    return "a response has Content-Length and chunked framing";
  }
  return nullptr;
}

const char* checkTrailers(const ResponseView& view) {
  if (view.trailers.empty()) return nullptr;
  if (!(view.flags & kResponseChunked) || (view.flags & kResponseMoreData)) {
    return "trailers come only with the last send of a chunked response";
  }
  for (const ResponseView::Header& trailer : view.trailers) {
    if (trailer.knownId != kUnknownHeader || !isToken(trailer.name)) return "a trailer name is not a token";
    if (forbiddenTrailer(trailer.name)) return "a trailer names a framing, routing or connection field";
    if (!isFieldText(trailer.value)) return "a trailer value contains a control character";
  }
  return nullptr;
}

}  // namespace

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              (u != 0 && std::strchr("!#$%&'*+-.^_`|~", u) != nullptr);
    if (!ok) return false;
  }
  return true;
}

bool isFieldText(std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

const char* checkResponseFields(ResponseView& view) {
  view.contentLength = -1;
  if (view.flags & kResponseHasHead) {
    if (view.status < 100 || view.status > 599) return "response status outside 100-599";
    if (!isFieldText(view.reason)) return "the response reason contains a control character";
  }
  if (const char* why = checkHeaders(view)) return why;
  return checkTrailers(view);
}

}  // namespace hsys
