// The engine as the transport's Java code drives it (HttpSysIoHandler, RequestQueue), each step a
// Native.* call through the functions the library registered: a loop, a direct completion buffer
// whose address comes from Native.bufferAddress, a RecordWindow whose buffer field poll sets, and
// request records read through that window.
#pragma once

#include <jni.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hsys/engine.h"
#include "native_class.h"
#include "test_client.h"
#include "test_records.h"

namespace hsys::jnihost {

class JniEngine {
 public:
  static constexpr jint kBatchCapacity = 64;  // as HttpSysIoHandler.BATCH_CAPACITY

  JniEngine(HostVm& vm, NativeClass& natives);  // Native.createLoop, ByteBuffer.allocateDirect, bufferAddress
  ~JniEngine();                                 // Native.destroyLoop unless destroyLoop() ran
  JniEngine(const JniEngine&) = delete;
  JniEngine& operator=(const JniEngine&) = delete;

  jlong loop() const { return loop_; }
  NativeClass& natives() { return natives_; }
  HostVm& vm() { return vm_; }

  // Native.createQueue with settings ordered as engine.h QueueOptionIndex; 0 when it threw
  // (the exception is natives().lastException).
  jlong createQueue(jlong token, const std::string& name, const std::vector<jlong>& settings);
  // createQueue, addUrl(prefix), startQueue, each expected to succeed.
  jlong openQueue(jlong token, const std::string& prefix, const std::vector<jlong>& settings);
  Object* javaString(const std::string& ascii);

  // One Native.poll; returns its result. Completions and decoded requests go to the backlog.
  jint poll(jint timeoutMillis);
  // Polls until a completion of type (and token, when nonzero) arrives; others stay queued.
  bool waitFor(uint32_t type, uint64_t token, Completion& out, int timeoutMillis = 5000);
  bool waitForRequest(test::ReceivedRequest& out, int timeoutMillis = 5000);
  // Native.send with the record's address, as RequestQueue passes a direct buffer's address.
  jint send(jlong queue, uint64_t requestId, test::ResponseBuilder& response, uint64_t token);
  // send, then the kSendCompleted status.
  int32_t sendAndWait(jlong queue, uint64_t requestId, test::ResponseBuilder& response);
  // The request body: what came in the record, then Native.receiveBody into a direct buffer
  // until a read reports 0 bytes.
  std::string readBody(jlong queue, const test::ReceivedRequest& request);
  // Native.closeQueue, then waits for kQueueClosed.
  bool closeQueue(jlong queue, jlong token);
  void destroyLoop();
  uint64_t newToken() { return nextToken_++; }

 private:
  struct Received {
    Completion completion;
    test::ReceivedRequest request;  // decoded while its record was valid (until the next poll)
  };
  HostVm& vm_;
  NativeClass& natives_;
  jlong loop_ = 0;
  size_t stride_ = 0;  // Native.COMPLETION_SIZE
  Object* completions_ = nullptr;
  jlong completionsAddress_ = 0;
  Object* window_ = nullptr;
  std::vector<Received> backlog_;
  uint64_t nextToken_ = 1000;
};

// A long[] for createQueue: every option 0 (the backend's default) unless set.
std::vector<jlong> queueSettings(std::initializer_list<std::pair<QueueOptionIndex, jlong>> values = {});

}  // namespace hsys::jnihost
