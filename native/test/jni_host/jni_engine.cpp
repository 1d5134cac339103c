#include "jni_engine.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstring>

namespace hsys::jnihost {

namespace {

constexpr jint kBodyBufferSize = 4096;

// Native.COMPLETION_SIZE as javap read it: the stride Java uses over the completion buffer.
size_t completionStride(const NativeClass& natives) {
  const Member* size = natives.type().declaredMember("COMPLETION_SIZE");
  REQUIRE_MESSAGE((size != nullptr && size->constant), "Native.COMPLETION_SIZE missing from the javap surface");
  return static_cast<size_t>(*size->constant);
}

}  // namespace

std::vector<jlong> queueSettings(std::initializer_list<std::pair<QueueOptionIndex, jlong>> values) {
  std::vector<jlong> settings(kQueueOptionCount, 0);
  for (const auto& [index, value] : values) settings[index] = value;
  return settings;
}

JniEngine::JniEngine(HostVm& vm, NativeClass& natives) : vm_(vm), natives_(natives) {
  loop_ = natives_.call<jlong>("createLoop");
  REQUIRE_MESSAGE(natives_.lastException == nullptr, "createLoop threw");
  REQUIRE(loop_ != 0);
  stride_ = completionStride(natives_);
  completions_ = vm_.newDirectBuffer(kBatchCapacity * static_cast<jlong>(stride_));
  completionsAddress_ = natives_.call<jlong>("bufferAddress", completions_);
  REQUIRE(completionsAddress_ == reinterpret_cast<jlong>(completions_->address));
  window_ = vm_.newInstance(vm_.classNamed("dev/nettyhttpsys/transport/RecordWindow"));
}

JniEngine::~JniEngine() {
  if (loop_ != 0) natives_.call<void>("destroyLoop", loop_);
}

void JniEngine::destroyLoop() {
  natives_.call<void>("destroyLoop", std::exchange(loop_, jlong{0}));
}

Object* JniEngine::javaString(const std::string& ascii) {
  return vm_.newString(std::u16string(ascii.begin(), ascii.end()));
}

jlong JniEngine::createQueue(jlong token, const std::string& name, const std::vector<jlong>& settings) {
  return natives_.call<jlong>("createQueue", loop_, token, name.empty() ? nullptr : javaString(name),
                              javaString(""), vm_.newLongArray(settings));
}

jlong JniEngine::openQueue(jlong token, const std::string& prefix, const std::vector<jlong>& settings) {
  jlong queue = createQueue(token, "", settings);
  REQUIRE_MESSAGE(natives_.lastException == nullptr, "createQueue threw");
  natives_.call<void>("addUrl", queue, javaString(prefix));
  REQUIRE_MESSAGE(natives_.lastException == nullptr, "addUrl threw");
  natives_.call<void>("startQueue", queue);
  REQUIRE_MESSAGE(natives_.lastException == nullptr, "startQueue threw");
  return queue;
}

// poll runs in every wait: its checks fail the case when broken but add no assertion count.
jint JniEngine::poll(jint timeoutMillis) {
  jint count = natives_.call<jint>("poll", loop_, completionsAddress_, kBatchCapacity, timeoutMillis, window_);
  if (natives_.lastException != nullptr) FAIL("poll threw " << natives_.lastException->type->name);
  if (count > kBatchCapacity) FAIL("poll returned " << count << " completions for a capacity of " << kBatchCapacity);
  if (count <= 0) return count;
  Object* records = vm_.getField(window_, "buffer").reference;
  for (jint i = 0; i < count; ++i) {
    Received received{};
    std::memcpy(&received.completion, static_cast<uint8_t*>(completions_->address) + i * stride_,
                sizeof received.completion);
    const Completion& completion = received.completion;
    if (completion.type == kRequestReceived) {
      // As HttpSysIoHandler: the address is an offset into window.buffer.
      if (records == nullptr || records->address == nullptr) {
        FAIL("a request completion but RecordWindow.buffer is not a direct buffer");
      }
      if (completion.address + completion.length > static_cast<uint64_t>(records->capacity)) {
        FAIL("request record at offset " << completion.address << " (" << completion.length
                                         << " bytes) outside RecordWindow.buffer (" << records->capacity << " bytes)");
      }
      received.request = test::decodeRequest(static_cast<uint8_t*>(records->address) + completion.address,
                                             completion.length);
    }
    backlog_.push_back(std::move(received));
  }
  vm_.setField(window_, "buffer", Value{});  // as dispatch() ends: the records die at the next poll
  return count;
}

bool JniEngine::waitFor(uint32_t type, uint64_t token, Completion& out, int timeoutMillis) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  for (;;) {
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
      if (it->completion.type == type && (token == 0 || it->completion.token == token)) {
        out = it->completion;
        backlog_.erase(it);
        return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    poll(50);
  }
}

bool JniEngine::waitForRequest(test::ReceivedRequest& out, int timeoutMillis) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  for (;;) {
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
      if (it->completion.type == kRequestReceived) {
        out = std::move(it->request);
        backlog_.erase(it);
        return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    poll(50);
  }
}

jint JniEngine::send(jlong queue, uint64_t requestId, test::ResponseBuilder& response, uint64_t token) {
  const std::vector<uint8_t>& record = response.build();
  return natives_.call<jint>("send", queue, static_cast<jlong>(requestId), reinterpret_cast<jlong>(record.data()),
                             static_cast<jint>(record.size()), static_cast<jlong>(token));
}

int32_t JniEngine::sendAndWait(jlong queue, uint64_t requestId, test::ResponseBuilder& response) {
  uint64_t token = newToken();
  jint status = send(queue, requestId, response, token);
  if (!test::accepted(status)) return status;
  Completion done{};
  REQUIRE_MESSAGE(waitFor(kSendCompleted, token, done), "no kSendCompleted");
  return done.status;
}

std::string JniEngine::readBody(jlong queue, const test::ReceivedRequest& request) {
  std::string body = request.body;
  if (!(request.flags & kRequestMoreBody)) return body;
  Object* buffer = vm_.newDirectBuffer(kBodyBufferSize);
  jlong address = natives_.call<jlong>("bufferAddress", buffer);
  for (;;) {
    uint64_t token = newToken();
    REQUIRE(natives_.call<jint>("receiveBody", queue, static_cast<jlong>(request.requestId), address,
                                kBodyBufferSize, static_cast<jlong>(token)) == kOk);
    Completion done{};
    REQUIRE_MESSAGE(waitFor(kBodyReceived, token, done), "no kBodyReceived");
    REQUIRE(done.status == kOk);
    if (done.length == 0) return body;
    body.append(reinterpret_cast<const char*>(address), done.length);
  }
}

bool JniEngine::closeQueue(jlong queue, jlong token) {
  natives_.call<void>("closeQueue", queue);
  Completion closed{};
  return waitFor(kQueueClosed, static_cast<uint64_t>(token), closed);
}

}  // namespace hsys::jnihost
