#include "hsys/canonical_path.h"

#include "hsys/hex.h"

namespace hsys {

namespace {

bool isUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool isSeparator(char c) { return c == '/' || c == '\\'; }

// True when raw may differ from its canonical form: an escape, a backslash, a repeated
// separator or a dot segment. Most paths have none and are used as they are.
bool needsWork(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%' || c == '\\') return true;
    if (c != '/') continue;
    size_t rest = raw.size() - i - 1;
    if (rest >= 1 && raw[i + 1] == '/') return true;
    if (rest >= 1 && raw[i + 1] == '.') {
      if (rest == 1 || raw[i + 2] == '/') return true;                               // "/."
      if (raw[i + 2] == '.' && (rest == 2 || raw[i + 3] == '/')) return true;        // "/.."
    }
  }
  return false;
}

void appendEscape(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xF]);
}

// Resolves escapes into out: unreserved characters decoded, '\' and %5C made '/', the rest kept
// encoded (upper-case hex). False for an escape with no canonical form.
bool resolveEscapes(std::string_view raw, std::string& out) {
  out.clear();
  unsigned char previous = 0;  // the byte before, decoded: C1 controls are two UTF-8 bytes
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '%') {
      out.push_back(c == '\\' ? '/' : c);
      previous = static_cast<unsigned char>(c);
      continue;
    }
    if (i + 2 >= raw.size()) return false;  // "%" or "%4" at the end
    int high = hexDigitValue(raw[i + 1]);
    int low = hexDigitValue(raw[i + 2]);
    if (high < 0 || low < 0) return false;
    i += 2;
    unsigned char byte = static_cast<unsigned char>(high * 16 + low);
    if (byte == '/' || byte < 0x20 || byte == 0x7F) return false;
    if (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) return false;  // U+0080-U+009F
    previous = byte;
    if (byte == '\\') out.push_back('/');
    else if (isUnreserved(byte)) out.push_back(static_cast<char>(byte));
    else appendEscape(out, byte);
  }
  return true;
}

// RFC 3986 5.2.4 over a path whose separators are all '/', with repeated separators merged;
// false when a ".." would climb above the root.
bool removeDotSegments(std::string_view path, std::string& out) {
  out.clear();
  bool trailingSlash = false;
  size_t position = 0;
  while (position < path.size()) {
    size_t next = path.find('/', position + 1);
    size_t end = next == std::string_view::npos ? path.size() : next;
    std::string_view segment = path.substr(position + 1, end - position - 1);
    bool dots = segment == "." || segment == "..";
    if (segment == "..") {
      if (out.empty()) return false;
      out.resize(out.rfind('/'));
    } else if (!segment.empty() && !dots) {
      out.push_back('/');
      out.append(segment);
    }
    trailingSlash = segment.empty() || dots;
    position = end;
  }
  if (out.empty() || trailingSlash) out.push_back('/');
  return true;
}

void decodeEscapes(std::string_view encoded, std::string& out) {
  out.clear();
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {  // well-formed: resolveEscapes wrote it
      out.push_back(static_cast<char>(hexDigitValue(encoded[i + 1]) * 16 + hexDigitValue(encoded[i + 2])));
      i += 2;
    } else {
      out.push_back(encoded[i]);
    }
  }
}

}  // namespace

bool CanonicalPath::assign(std::string_view raw) {
  changed_ = false;
  if (!needsWork(raw)) {
    encoded_ = decoded_ = raw;
    return true;
  }
  if (!resolveEscapes(raw, separated_)) return false;
  if (!isSeparator(separated_.empty() ? '/' : separated_.front())) return false;  // the parser sends "/..."
  if (!removeDotSegments(separated_, encodedBuffer_)) return false;
  encoded_ = encodedBuffer_;
  changed_ = encoded_ != raw;
  if (encoded_.find('%') == std::string_view::npos) {
    decoded_ = encoded_;
  } else {
    decodeEscapes(encoded_, decodedBuffer_);
    decoded_ = decodedBuffer_;
  }
  return true;
}

bool CanonicalPath::cookTarget(std::string_view target, std::string_view path, std::string& cooked) {
  cooked.clear();
  if (!assign(path)) return false;
  if (changed_) {
    size_t start = static_cast<size_t>(path.data() - target.data());
    cooked.assign(target.substr(0, start)).append(encoded_).append(target.substr(start + path.size()));
  }
  return true;
}

std::string_view CanonicalPath::pathOf(std::string_view target) {
  if (!target.empty() && target.front() == '/') return target.substr(0, target.find('?'));
  size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return target.substr(0, 0);
  size_t start = target.find_first_of("/?", scheme + 3);
  if (start == std::string_view::npos || target[start] == '?') {
    return target.substr(start == std::string_view::npos ? target.size() : start, 0);
  }
  return target.substr(start, target.find('?', start) - start);
}

}  // namespace hsys
