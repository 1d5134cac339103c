// What an epoll event's data.ptr points at: every object a loop polls starts with this tag.
#pragma once

namespace hsys::posix {

class Pollable {
 public:
  enum class Kind { kWakeup, kListener, kConnection };
  explicit Pollable(Kind kind) : kind_(kind) {}
  virtual ~Pollable() = default;
  Kind pollKind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace hsys::posix
