// The canonical form of a request path: what URL-prefix routing compares, and what the request
// record carries beside the raw target so the handler's uri() names the place the request was
// routed to. The reference is HTTP.SYS, which routes on its "cooked" URL (docs/architecture.md,
// "Routing path"):
//
//   - percent escapes are decoded (for matching all of them; in the encoded form only those of
//     unreserved characters, RFC 3986 2.3, the others kept with upper-case hex);
//   - '\' and "%5C" are path separators, as '/' (KB 896287);
//   - repeated separators count as one (HTTP.SYS matches "//app//x" to "/app/");
//   - "." and ".." segments are removed (RFC 3986 5.2.4), "%2E" included.
//
// A path with no canonical form is refused (400): a ".." above the root, an encoded '/' (HTTP.SYS
// would route "/a%2Fb" as "/a/b" while many handlers see one segment), an escape that decodes to
// a control character (HTTP.SYS's AllowRestrictedChars default: U+0000-U+001F, U+007F-U+009F) and
// a malformed escape. Prefix matching itself ignores case.
#pragma once

#include <string>
#include <string_view>

namespace hsys {

class CanonicalPath {
 public:
  // Canonicalizes the path part of a request target (no query; "/..." or empty). Returns false
  // when it has no canonical form. The views stay valid until the next call (or until raw's
  // bytes change, when the path was already canonical).
  bool assign(std::string_view raw);
  // Still percent-encoded wherever the raw path encoded a character that is not unreserved:
  // decoding it once gives decoded(), so a handler that decodes uri() sees the routed path.
  std::string_view encoded() const { return encoded_; }
  // encoded() with every escape decoded: what URL prefixes are matched against.
  std::string_view decoded() const { return decoded_; }
  // encoded() differs from the raw path.
  bool changed() const { return changed_; }

  // assign(path), then target (path is a view into it) with the path replaced by encoded() into
  // cooked: the URL the request is routed on, as the request record carries it. cooked is left
  // empty when the target is canonical already.
  bool cookTarget(std::string_view target, std::string_view path, std::string& cooked);
  // The path of a request target: origin-form up to '?', absolute-form after the authority;
  // empty for "*" and authority-form.
  static std::string_view pathOf(std::string_view target);

 private:
  std::string separated_;  // escapes resolved, every separator a '/'
  std::string encodedBuffer_, decodedBuffer_;
  std::string_view encoded_, decoded_;
  bool changed_ = false;
};

}  // namespace hsys
