// The least an HTTP/1.1 keep-alive server can do per request over the kernel's TCP: the floor that
// no transport's user-space work goes below (benchmarks/floor.sh measures it against Netty epoll).
//
// It listens on 127.0.0.1, prints "READY floor-<mode> port=N" (as BenchmarkServer does, so lib.sh's
// start_pinned reads the port), and answers every complete request head ("\r\n\r\n"; pipelined
// heads of one read each get an answer) with one fixed response of BenchmarkServer's hello-world
// size. Request bodies are not read: the floor is measured with GET only.
//
//   floor_server epoll [PORT]          edge-triggered epoll_wait, one recv and one send per ready
//                                      connection (all responses of that read in one send)
//   floor_server uring [PORT]          io_uring: multishot accept, multishot receive into provided
//                                      buffers, sends as SQEs, one io_uring_enter per loop
//                                      iteration; SINGLE_ISSUER|DEFER_TASKRUN
//   floor_server uring-nodefer [PORT]  the same without DEFER_TASKRUN (COOP_TASKRUN instead)
//
// On SIGTERM or SIGINT it prints the responses it sent and exits.
// Build: g++ -O2 -std=c++17 -o floor_server floor_server.cpp (Linux 6.1 or later for uring).

#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// BenchmarkServer's hello world on Netty epoll, byte for byte (curl -i shows these lower-case names).
constexpr char kResponse[] = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\nHello, world!";
constexpr size_t kResponseSize = sizeof(kResponse) - 1;
static_assert(kResponseSize == 78, "BenchmarkServer's hello-world response is 78 bytes");

volatile sig_atomic_t stopRequested = 0;
uint64_t responsesSent = 0;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "floor_server: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

// All responses a connection owes, back to back, are one repeated pattern: a send starts anywhere in
// it (phase) and takes up to kCopies responses' bytes from one static buffer.
class ResponseStream {
 public:
  static constexpr size_t kCopies = 256;
  ResponseStream() {
    for (size_t i = 0; i < kCopies; i++) bytes_.append(kResponse, kResponseSize);
  }
  const char* at(size_t phase) const { return bytes_.data() + phase; }
  size_t available(size_t phase) const { return bytes_.size() - phase; }

 private:
  std::string bytes_;
};
const ResponseStream responses;

// What a connection still has to send: owed bytes, starting at phase within a response.
struct Output {
  uint64_t owed = 0;
  size_t phase = 0;
  const char* data() const { return responses.at(phase); }
  size_t length() const { return owed < responses.available(phase) ? owed : responses.available(phase); }
  void sent(size_t bytes) {
    owed -= bytes;
    size_t end = phase + bytes;
    responsesSent += end / kResponseSize;  // the responses whose last byte this send carried
    phase = end % kResponseSize;
  }
};

// Counts complete request heads, carrying a partial "\r\n\r\n" between reads.
struct HeadCounter {
  unsigned matched = 0;
  size_t count(const char* bytes, size_t length) {
    static constexpr char kEnd[] = "\r\n\r\n";
    size_t heads = 0;
    for (size_t i = 0; i < length; i++) {
      char c = bytes[i];
      if (c == kEnd[matched]) {
        if (++matched == 4) { heads++; matched = 0; }
      } else {
        matched = c == '\r' ? 1 : 0;
      }
    }
    return heads;
  }
};

int listenOn(int port, int typeFlags) {
  int fd = socket(AF_INET, SOCK_STREAM | typeFlags, 0);
  if (fd < 0) fail("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) fail("bind 127.0.0.1");
  if (listen(fd, 4096) < 0) fail("listen");
  return fd;
}

void announce(int listener, const char* mode) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) < 0) fail("getsockname");
  std::printf("READY floor-%s port=%d\n", mode, ntohs(address.sin_port));
  std::fflush(stdout);
}

// Netty's default for accepted channels; the same here so the segments on the wire are the same.
void setNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// ---- epoll ----

struct EpollConnection {
  HeadCounter heads;
  Output output;
  bool waitingToWrite = false;
};

int runEpoll(int port) {
  int listener = listenOn(port, SOCK_NONBLOCK);
  int poller = epoll_create1(EPOLL_CLOEXEC);
  if (poller < 0) fail("epoll_create1");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  if (epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event) < 0) fail("epoll_ctl listener");
  announce(listener, "epoll");

  std::vector<EpollConnection> connections;
  static char input[64 * 1024];
  epoll_event ready[256];
  auto close_connection = [&](int fd) {
    close(fd);
    connections[fd] = EpollConnection{};
  };
  // Sends what is owed; false when the connection failed and was closed.
  auto flush = [&](int fd, EpollConnection& connection) {
    while (connection.output.owed > 0) {
      ssize_t sent = send(fd, connection.output.data(), connection.output.length(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno != EAGAIN) { close_connection(fd); return false; }
        break;
      }
      connection.output.sent(static_cast<size_t>(sent));
    }
    bool wantWrite = connection.output.owed > 0;
    if (wantWrite != connection.waitingToWrite) {
      epoll_event change{};
      change.events = EPOLLIN | EPOLLET | (wantWrite ? static_cast<uint32_t>(EPOLLOUT) : 0u);
      change.data.fd = fd;
      epoll_ctl(poller, EPOLL_CTL_MOD, fd, &change);
      connection.waitingToWrite = wantWrite;
    }
    return true;
  };

  while (!stopRequested) {
    int count = epoll_wait(poller, ready, 256, -1);
    if (count < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    for (int i = 0; i < count; i++) {
      int fd = ready[i].data.fd;
      if (fd == listener) {
        for (;;) {
          int accepted = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (accepted < 0) break;
          setNoDelay(accepted);
          if (static_cast<size_t>(accepted) >= connections.size()) connections.resize(accepted + 1024);
          epoll_event add{};
          add.events = EPOLLIN | EPOLLET;
          add.data.fd = accepted;
          if (epoll_ctl(poller, EPOLL_CTL_ADD, accepted, &add) < 0) fail("epoll_ctl add");
        }
        continue;
      }
      EpollConnection& connection = connections[fd];
      if (ready[i].events & EPOLLOUT) {
        if (!flush(fd, connection)) continue;
      }
      if (ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        // Edge-triggered, read until a short read (as Netty's epoll does): a short read drained the
        // socket, and data arriving later is a new edge.
        for (;;) {
          ssize_t received = recv(fd, input, sizeof input, 0);
          if (received == 0 || (received < 0 && errno != EAGAIN)) { close_connection(fd); break; }
          if (received < 0) break;
          connection.output.owed += connection.heads.count(input, static_cast<size_t>(received)) * kResponseSize;
          if (static_cast<size_t>(received) < sizeof input) {
            flush(fd, connection);
            break;
          }
        }
      }
    }
  }
  return 0;
}

// ---- io_uring ----

int ioUringSetup(unsigned entries, io_uring_params* params) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, params));
}
int ioUringEnter(int fd, unsigned toSubmit, unsigned minComplete, unsigned flags) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, toSubmit, minComplete, flags, nullptr, 0));
}

template <typename T>
T loadAcquire(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
template <typename T>
void storeRelease(T* p, T value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }

// The submission and completion rings, mapped; SQEs are submitted by the loop's one io_uring_enter.
class Ring {
 public:
  Ring(unsigned entries, unsigned completionEntries, bool deferTaskRun) {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
                   (deferTaskRun ? IORING_SETUP_DEFER_TASKRUN : IORING_SETUP_COOP_TASKRUN);
    params.cq_entries = completionEntries;
    fd_ = ioUringSetup(entries, &params);
    if (fd_ < 0) fail("io_uring_setup (needs Linux 6.1 and kernel.io_uring_disabled=0)");
    if (!(params.features & IORING_FEAT_SINGLE_MMAP)) { errno = ENOSYS; fail("io_uring without IORING_FEAT_SINGLE_MMAP"); }
    size_t sqSize = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cqSize = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
    size_t ringSize = sqSize > cqSize ? sqSize : cqSize;
    auto* rings = static_cast<char*>(mmap(nullptr, ringSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING));
    if (rings == MAP_FAILED) fail("mmap io_uring rings");
    sqes_ = static_cast<io_uring_sqe*>(mmap(nullptr, params.sq_entries * sizeof(io_uring_sqe), PROT_READ | PROT_WRITE,
                                            MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES));
    if (sqes_ == MAP_FAILED) fail("mmap io_uring SQEs");
    sqTail_ = reinterpret_cast<unsigned*>(rings + params.sq_off.tail);
    sqMask_ = *reinterpret_cast<unsigned*>(rings + params.sq_off.ring_mask);
    sqEntries_ = params.sq_entries;
    auto* array = reinterpret_cast<unsigned*>(rings + params.sq_off.array);
    for (unsigned i = 0; i < sqEntries_; i++) array[i] = i;
    cqHead_ = reinterpret_cast<unsigned*>(rings + params.cq_off.head);
    cqTail_ = reinterpret_cast<unsigned*>(rings + params.cq_off.tail);
    cqMask_ = *reinterpret_cast<unsigned*>(rings + params.cq_off.ring_mask);
    cqes_ = reinterpret_cast<io_uring_cqe*>(rings + params.cq_off.cqes);
    localTail_ = *sqTail_;
  }

  int fd() const { return fd_; }

  // A zeroed SQE to fill; when the ring is full, what is queued is submitted first.
  io_uring_sqe* next() {
    if (pending_ == sqEntries_) enter(0, 0);
    io_uring_sqe* sqe = &sqes_[localTail_ & sqMask_];
    std::memset(sqe, 0, sizeof *sqe);
    localTail_++;
    pending_++;
    return sqe;
  }

  // Submits what is queued and waits for minComplete completions (0: no waiting).
  void enter(unsigned minComplete, unsigned flags) {
    storeRelease(sqTail_, localTail_);
    for (;;) {
      int result = ioUringEnter(fd_, pending_, minComplete, flags | (minComplete ? IORING_ENTER_GETEVENTS : 0));
      if (result >= 0) { pending_ -= static_cast<unsigned>(result) < pending_ ? static_cast<unsigned>(result) : pending_; return; }
      if (errno == EINTR) { if (stopRequested) return; continue; }
      fail("io_uring_enter");
    }
  }

  template <typename Handler>
  void forEachCompletion(Handler&& handle) {
    unsigned head = *cqHead_;
    unsigned tail = loadAcquire(cqTail_);
    for (; head != tail; head++) handle(cqes_[head & cqMask_]);
    storeRelease(cqHead_, head);
  }

 private:
  int fd_;
  io_uring_sqe* sqes_;
  unsigned* sqTail_;
  unsigned sqMask_;
  unsigned sqEntries_;
  unsigned localTail_;
  unsigned pending_ = 0;
  unsigned* cqHead_;
  unsigned* cqTail_;
  unsigned cqMask_;
  io_uring_cqe* cqes_;
};

enum class Operation : uint64_t { kAccept = 1, kReceive = 2, kSend = 3, kProvide = 4 };
uint64_t userData(Operation operation, int fd) { return (static_cast<uint64_t>(operation) << 32) | static_cast<uint32_t>(fd); }

// Receive buffers the kernel picks from, handed back after each completion by an
// IORING_OP_PROVIDE_BUFFERS SQE that rides on the loop's next io_uring_enter and posts no CQE unless
// it fails. A provided-buffer ring (IORING_REGISTER_PBUF_RING) would save those SQEs, but on this
// machine's kernel (6.18, PVM guest) every receive from a registered ring, user- or kernel-allocated,
// completes with ENOBUFS although the ring holds buffers; the classic provided buffers work.
class ProvidedBuffers {
 public:
  static constexpr uint16_t kGroup = 0;
  static constexpr unsigned kCount = 1024;
  static constexpr unsigned kSize = 4096;

  explicit ProvidedBuffers(Ring& ring) : ring_(ring), memory_(static_cast<size_t>(kCount) * kSize) {
    provide(0, kCount);
  }

  const char* bytes(uint16_t id) const { return memory_.data() + static_cast<size_t>(id) * kSize; }

  // Queues buffer id for the kernel again.
  void giveBack(uint16_t id) { provide(id, 1); }

 private:
  void provide(uint16_t first, unsigned count) {
    io_uring_sqe* sqe = ring_.next();
    sqe->opcode = IORING_OP_PROVIDE_BUFFERS;
    sqe->fd = static_cast<int>(count);
    sqe->addr = reinterpret_cast<uint64_t>(bytes(first));
    sqe->len = kSize;
    sqe->off = first;
    sqe->buf_group = kGroup;
    sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
    sqe->user_data = userData(Operation::kProvide, 0);
  }

  Ring& ring_;
  std::vector<char> memory_;
};

struct UringConnection {
  HeadCounter heads;
  Output output;
  bool receiving = false;
  bool sending = false;  // one send in flight per connection keeps the byte stream in order
};

int runUring(int port, bool deferTaskRun) {
  int listener = listenOn(port, 0);
  Ring ring(1024, 8192, deferTaskRun);
  ProvidedBuffers buffers(ring);
  announce(listener, deferTaskRun ? "uring" : "uring-nodefer");

  std::vector<UringConnection> connections;
  unsigned sendsInFlight = 0;

  auto armAccept = [&] {
    io_uring_sqe* sqe = ring.next();
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = listener;
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->accept_flags = SOCK_CLOEXEC;
    sqe->user_data = userData(Operation::kAccept, listener);
  };
  auto armReceive = [&](int fd) {
    io_uring_sqe* sqe = ring.next();
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = fd;
    sqe->ioprio = IORING_RECV_MULTISHOT;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = ProvidedBuffers::kGroup;
    sqe->user_data = userData(Operation::kReceive, fd);
    connections[fd].receiving = true;
  };
  auto send = [&](int fd) {
    UringConnection& connection = connections[fd];
    io_uring_sqe* sqe = ring.next();
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = fd;
    sqe->addr = reinterpret_cast<uint64_t>(connection.output.data());
    sqe->len = static_cast<uint32_t>(connection.output.length());
    sqe->msg_flags = MSG_NOSIGNAL;
    sqe->user_data = userData(Operation::kSend, fd);
    connection.sending = true;
    sendsInFlight++;
  };
  auto closeIfDone = [&](int fd) {
    UringConnection& connection = connections[fd];
    if (connection.receiving || connection.sending) return;
    close(fd);
    connection = UringConnection{};
  };

  armAccept();
  while (!stopRequested) {
    // One system call per iteration: submit the previous batch's sends (and re-arms), and wait until
    // those sends completed and one more completion (a receive, an accept) arrived, so that a send
    // completing inline does not end the wait early.
    ring.enter(sendsInFlight + 1, 0);
    ring.forEachCompletion([&](const io_uring_cqe& completion) {
      int fd = static_cast<int>(completion.user_data & 0xffffffffu);
      bool more = completion.flags & IORING_CQE_F_MORE;
      switch (static_cast<Operation>(completion.user_data >> 32)) {
        case Operation::kAccept:
          if (completion.res >= 0) {
            int accepted = completion.res;
            setNoDelay(accepted);
            if (static_cast<size_t>(accepted) >= connections.size()) connections.resize(accepted + 1024);
            armReceive(accepted);
          }
          if (!more) armAccept();
          break;
        case Operation::kReceive: {
          UringConnection& connection = connections[fd];
          if (completion.res > 0) {
            auto id = static_cast<uint16_t>(completion.flags >> IORING_CQE_BUFFER_SHIFT);
            connection.output.owed += connection.heads.count(buffers.bytes(id), static_cast<size_t>(completion.res)) * kResponseSize;
            buffers.giveBack(id);
            if (connection.output.owed > 0 && !connection.sending) send(fd);
          }
          if (!more) {
            // Multishot ends on EOF and errors, and on ENOBUFS (no buffer left) or a full CQ: re-arm those.
            connection.receiving = false;
            if (completion.res > 0 || completion.res == -ENOBUFS) armReceive(fd);
            else closeIfDone(fd);
          }
          break;
        }
        case Operation::kProvide:
          errno = -completion.res;
          fail("IORING_OP_PROVIDE_BUFFERS");
        case Operation::kSend: {
          UringConnection& connection = connections[fd];
          connection.sending = false;
          sendsInFlight--;
          if (completion.res < 0) connection.output.owed = 0;  // reset by the peer: its receive ends too
          else connection.output.sent(static_cast<size_t>(completion.res));
          if (connection.output.owed > 0) send(fd);
          else closeIfDone(fd);
          break;
        }
      }
    });
  }
  return 0;
}

void onStop(int) { stopRequested = 1; }

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  int port = argc > 2 ? std::atoi(argv[2]) : 0;
  if (argc > 3 || (mode != "epoll" && mode != "uring" && mode != "uring-nodefer") || port < 0 || port > 65535) {
    std::fprintf(stderr, "usage: floor_server epoll|uring|uring-nodefer [PORT]   (PORT 0 or none: a free one)\n");
    return 2;
  }
  struct sigaction action{};
  action.sa_handler = onStop;  // no SA_RESTART: a waiting epoll_wait/io_uring_enter returns EINTR
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int result = mode == "epoll" ? runEpoll(port) : runUring(port, mode == "uring");
  std::printf("STOPPED responses=%llu\n", static_cast<unsigned long long>(responsesSent));
  return result;
}
