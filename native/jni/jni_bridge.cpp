// The JNI shim shared by both backends: static natives with primitive arguments, registered in
// JNI_OnLoad on dev.nettyhttpsys.transport.Native. Hot calls (poll, send, receiveBody) return
// status codes; set-up calls (createLoop, createQueue, addUrl, ...) throw HttpSysException.
// One crossing per batch: poll writes up to `capacity` 40-byte completions into Java's direct
// buffer and exposes all request records of the batch through one direct ByteBuffer window.
#include <jni.h>

#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "hsys/engine.h"
#include "hsys/engine_abi.h"
#include "hsys/java_utf8.h"

namespace {

constexpr const char* kNativeClass = "dev/nettyhttpsys/transport/Native";
constexpr const char* kExceptionClass = "dev/nettyhttpsys/transport/HttpSysException";
constexpr const char* kWindowClass = "dev/nettyhttpsys/transport/RecordWindow";

jclass gExceptionClass = nullptr;
jmethodID gExceptionConstructor = nullptr;
jfieldID gWindowBuffer = nullptr;

hsys::Loop* asLoop(jlong handle) { return reinterpret_cast<hsys::Loop*>(handle); }
hsys::Queue* asQueue(jlong handle) { return reinterpret_cast<hsys::Queue*>(handle); }

void throwHttpSysException(JNIEnv* env, const std::string& message, jint status, jint systemCode) {
  if (env->ExceptionCheck()) return;
  // The engine's text is real UTF-8 (system messages in the user's language among it).
  jstring text = env->NewStringUTF(hsys::toModifiedUtf8(message).c_str());
  if (text == nullptr) return;  // OutOfMemoryError pending
  jobject exception = env->NewObject(gExceptionClass, gExceptionConstructor, text, status, systemCode);
  if (exception != nullptr) env->Throw(static_cast<jthrowable>(exception));
}

void throwError(JNIEnv* env, const hsys::Error& error) {
  throwHttpSysException(env, error.message, error.status, error.systemCode);
}

// Java strings hold UTF-16; prefixes and names are passed to the engine as real UTF-8 (what
// GetStringUTFChars gives is modified UTF-8: characters outside the BMP as two halves).
std::string toUtf8(JNIEnv* env, jstring value) {
  if (value == nullptr) return {};
  const char* chars = env->GetStringUTFChars(value, nullptr);
  if (chars == nullptr) return {};
  std::string result = hsys::fromModifiedUtf8(chars);
  env->ReleaseStringUTFChars(value, chars);
  return result;
}

jlong JNICALL createLoop(JNIEnv* env, jclass) {
  hsys::Error error;
  std::unique_ptr<hsys::Loop> loop = hsys::createLoop(error);
  if (!loop) {
    throwError(env, error);
    return 0;
  }
  return reinterpret_cast<jlong>(loop.release());
}

void JNICALL destroyLoop(JNIEnv*, jclass, jlong loop) { delete asLoop(loop); }

jstring JNICALL backendName(JNIEnv* env, jclass, jlong loop) {
  return env->NewStringUTF(asLoop(loop)->backendName());
}

void JNICALL wakeup(JNIEnv*, jclass, jlong loop) { asLoop(loop)->wakeup(); }

// Polls one batch. Request completions get their record address rewritten to an offset inside
// one direct ByteBuffer (window.buffer) spanning every record of the batch; the backend keeps
// the records of a batch in one region until the next poll. The window of an earlier batch is
// kept when this batch's records lie inside it (a backend reuses its record region from poll to
// poll), so a poll allocates no ByteBuffer, and Java no wrapper of it, in steady state.
jint JNICALL poll(JNIEnv* env, jclass, jlong loop, jlong completions, jint capacity,
                  jint timeoutMillis, jobject window) {
  auto* out = reinterpret_cast<hsys::Completion*>(completions);
  jint count = asLoop(loop)->poll(out, capacity, timeoutMillis);
  if (count <= 0) return count;
  uint64_t low = UINT64_MAX, high = 0;
  for (jint i = 0; i < count; ++i) {
    if (out[i].type == hsys::kRequestReceived) {
      if (out[i].address < low) low = out[i].address;
      if (out[i].address + out[i].length > high) high = out[i].address + out[i].length;
    }
  }
  if (high == 0) return count;
  if (high - low > static_cast<uint64_t>(INT_MAX)) {
    throwHttpSysException(env, "request records of one batch span more than 2 GiB", hsys::kInvalidArgument, 0);
    return 0;
  }
  uint64_t base = low;
  bool inside = false;
  jobject kept = env->GetObjectField(window, gWindowBuffer);
  if (kept != nullptr) {
    auto keptBase = reinterpret_cast<uint64_t>(env->GetDirectBufferAddress(kept));
    auto keptLength = static_cast<uint64_t>(env->GetDirectBufferCapacity(kept));
    env->DeleteLocalRef(kept);
    inside = keptBase != 0 && low >= keptBase && high <= keptBase + keptLength;
    if (inside) base = keptBase;
  }
  for (jint i = 0; i < count; ++i) {
    if (out[i].type == hsys::kRequestReceived) out[i].address -= base;
  }
  if (inside) return count;
  jobject buffer = env->NewDirectByteBuffer(reinterpret_cast<void*>(low), static_cast<jlong>(high - low));
  if (buffer == nullptr) return 0;  // exception pending
  env->SetObjectField(window, gWindowBuffer, buffer);
  env->DeleteLocalRef(buffer);
  return count;
}

jlong JNICALL createQueue(JNIEnv* env, jclass, jlong loop, jlong token, jstring name, jstring listenAddress,
                          jlongArray settings) {
  if (settings == nullptr || env->GetArrayLength(settings) != hsys::kQueueOptionCount) {
    throwHttpSysException(env, "createQueue: the queue settings array has the wrong length",
                          hsys::kInvalidArgument, 0);
    return 0;
  }
  jlong values[hsys::kQueueOptionCount];
  env->GetLongArrayRegion(settings, 0, hsys::kQueueOptionCount, values);
  auto u32 = [&](int index) { return static_cast<uint32_t>(values[index]); };
  hsys::QueueOptions options;
  options.name = toUtf8(env, name);
  options.listenAddress = toUtf8(env, listenAddress);
  options.mode = u32(hsys::kOptMode);
  options.receiveBufferSize = u32(hsys::kOptReceiveBufferSize);
  options.pendingReceives = u32(hsys::kOptPendingReceives);
  options.queueLength = u32(hsys::kOptQueueLength);
  options.maxRequestBodyBytes = static_cast<uint64_t>(values[hsys::kOptMaxRequestBodyBytes]);
  options.maxConnections = u32(hsys::kOptMaxConnections);
  options.entityBodyTimeoutSeconds = u32(hsys::kOptEntityBodyTimeout);
  options.drainEntityBodyTimeoutSeconds = u32(hsys::kOptDrainEntityBodyTimeout);
  options.requestQueueTimeoutSeconds = u32(hsys::kOptRequestQueueTimeout);
  options.idleConnectionTimeoutSeconds = u32(hsys::kOptIdleConnectionTimeout);
  options.headerWaitTimeoutSeconds = u32(hsys::kOptHeaderWaitTimeout);
  options.minSendRateBytesPerSecond = u32(hsys::kOptMinSendRate);
  options.exportClientCertificate = values[hsys::kOptExportClientCertificate] != 0;
  hsys::Error error;
  hsys::Queue* queue = asLoop(loop)->createQueue(options, static_cast<uint64_t>(token), error);
  if (queue == nullptr) {
    throwError(env, error);
    return 0;
  }
  return reinterpret_cast<jlong>(queue);
}

void JNICALL addUrl(JNIEnv* env, jclass, jlong queue, jstring prefix) {
  hsys::Error error;
  if (!asQueue(queue)->addUrl(toUtf8(env, prefix), error)) throwError(env, error);
}

void JNICALL removeUrl(JNIEnv* env, jclass, jlong queue, jstring prefix) {
  hsys::Error error;
  if (!asQueue(queue)->removeUrl(toUtf8(env, prefix), error)) throwError(env, error);
}

void JNICALL startQueue(JNIEnv* env, jclass, jlong queue) {
  hsys::Error error;
  if (!asQueue(queue)->start(error)) throwError(env, error);
}

jint JNICALL send(JNIEnv*, jclass, jlong queue, jlong requestId, jlong record, jint recordLength,
                  jlong token) {
  return asQueue(queue)->send(static_cast<uint64_t>(requestId), reinterpret_cast<const uint8_t*>(record),
                              static_cast<uint32_t>(recordLength), static_cast<uint64_t>(token));
}

jint JNICALL receiveBody(JNIEnv*, jclass, jlong queue, jlong requestId, jlong buffer, jint capacity,
                         jlong token) {
  return asQueue(queue)->receiveBody(static_cast<uint64_t>(requestId), reinterpret_cast<uint8_t*>(buffer),
                                     static_cast<uint32_t>(capacity), static_cast<uint64_t>(token));
}

jint JNICALL cancel(JNIEnv*, jclass, jlong queue, jlong requestId) {
  return asQueue(queue)->cancel(static_cast<uint64_t>(requestId));
}

// Writes the loop's EngineStats into out (a long[kEngineStatsCount]); on the loop's thread.
void JNICALL stats(JNIEnv* env, jclass, jlong loop, jlongArray out) {
  if (out == nullptr || env->GetArrayLength(out) != hsys::kEngineStatsCount) {
    throwHttpSysException(env, "stats: the array must have " + std::to_string(hsys::kEngineStatsCount) + " slots",
                          hsys::kInvalidArgument, 0);
    return;
  }
  hsys::EngineStats stats = asLoop(loop)->stats();
  jlong values[hsys::kEngineStatsCount];
  std::memcpy(values, &stats, sizeof stats);
  env->SetLongArrayRegion(out, 0, hsys::kEngineStatsCount, values);
}

jint JNICALL closeConnection(JNIEnv*, jclass, jlong queue, jlong connectionId) {
  return asQueue(queue)->closeConnection(static_cast<uint64_t>(connectionId));
}

void JNICALL closeQueue(JNIEnv*, jclass, jlong queue) { asQueue(queue)->close(); }

jlong JNICALL bufferAddress(JNIEnv* env, jclass, jobject buffer) {
  return reinterpret_cast<jlong>(env->GetDirectBufferAddress(buffer));
}

// The OS handle behind a FileChannel (sun.nio.ch.FileChannelImpl.fd): a file descriptor on
// POSIX, a HANDLE on Windows. JNI field access is not subject to module encapsulation, which is
// how Netty's native transports reach the same field for sendfile. Returns -1 when the channel
// is not a FileChannelImpl (e.g. a custom FileChannel) so Java falls back to copying.
jlong JNICALL fileHandle(JNIEnv* env, jclass, jobject fileChannel) {
  if (fileChannel == nullptr) return -1;
  jclass channelClass = env->GetObjectClass(fileChannel);
  jfieldID descriptorField = env->GetFieldID(channelClass, "fd", "Ljava/io/FileDescriptor;");
  env->DeleteLocalRef(channelClass);
  if (descriptorField == nullptr) {
    env->ExceptionClear();
    return -1;
  }
  jobject descriptor = env->GetObjectField(fileChannel, descriptorField);
  if (descriptor == nullptr) return -1;
  jclass descriptorClass = env->GetObjectClass(descriptor);
#ifdef _WIN32
  jfieldID handleField = env->GetFieldID(descriptorClass, "handle", "J");
  jlong handle = handleField == nullptr ? -1 : env->GetLongField(descriptor, handleField);
#else
  jfieldID handleField = env->GetFieldID(descriptorClass, "fd", "I");
  jlong handle = handleField == nullptr ? -1 : static_cast<jlong>(env->GetIntField(descriptor, handleField));
#endif
  if (handleField == nullptr) env->ExceptionClear();
  env->DeleteLocalRef(descriptorClass);
  env->DeleteLocalRef(descriptor);
  return handle;
}

// The engine's binary contract (engine_abi.h), which EngineAbi checks once at load.
jstring JNICALL abiTable(JNIEnv* env, jclass) { return env->NewStringUTF(hsys::engineAbiTable().c_str()); }

// Signatures as the Java side declares them in Native.java.
const JNINativeMethod kMethods[] = {
    {const_cast<char*>("abiTable"), const_cast<char*>("()Ljava/lang/String;"), reinterpret_cast<void*>(abiTable)},
    {const_cast<char*>("createLoop"), const_cast<char*>("()J"), reinterpret_cast<void*>(createLoop)},
    {const_cast<char*>("destroyLoop"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(destroyLoop)},
    {const_cast<char*>("backendName"), const_cast<char*>("(J)Ljava/lang/String;"), reinterpret_cast<void*>(backendName)},
    {const_cast<char*>("wakeup"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(wakeup)},
    {const_cast<char*>("poll"), const_cast<char*>("(JJIILdev/nettyhttpsys/transport/RecordWindow;)I"),
     reinterpret_cast<void*>(poll)},
    {const_cast<char*>("createQueue"), const_cast<char*>("(JJLjava/lang/String;Ljava/lang/String;[J)J"),
     reinterpret_cast<void*>(createQueue)},
    {const_cast<char*>("addUrl"), const_cast<char*>("(JLjava/lang/String;)V"), reinterpret_cast<void*>(addUrl)},
    {const_cast<char*>("removeUrl"), const_cast<char*>("(JLjava/lang/String;)V"), reinterpret_cast<void*>(removeUrl)},
    {const_cast<char*>("startQueue"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(startQueue)},
    {const_cast<char*>("send"), const_cast<char*>("(JJJIJ)I"), reinterpret_cast<void*>(send)},
    {const_cast<char*>("receiveBody"), const_cast<char*>("(JJJIJ)I"), reinterpret_cast<void*>(receiveBody)},
    {const_cast<char*>("cancel"), const_cast<char*>("(JJ)I"), reinterpret_cast<void*>(cancel)},
    {const_cast<char*>("closeConnection"), const_cast<char*>("(JJ)I"), reinterpret_cast<void*>(closeConnection)},
    {const_cast<char*>("stats"), const_cast<char*>("(J[J)V"), reinterpret_cast<void*>(stats)},
    {const_cast<char*>("closeQueue"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(closeQueue)},
    {const_cast<char*>("bufferAddress"), const_cast<char*>("(Ljava/nio/ByteBuffer;)J"),
     reinterpret_cast<void*>(bufferAddress)},
    {const_cast<char*>("fileHandle"), const_cast<char*>("(Ljava/nio/channels/FileChannel;)J"),
     reinterpret_cast<void*>(fileHandle)},
};

jclass globalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  gExceptionClass = globalClass(env, kExceptionClass);
  if (gExceptionClass == nullptr) return JNI_ERR;
  gExceptionConstructor = env->GetMethodID(gExceptionClass, "<init>", "(Ljava/lang/String;II)V");
  jclass window = env->FindClass(kWindowClass);
  if (gExceptionConstructor == nullptr || window == nullptr) return JNI_ERR;
  gWindowBuffer = env->GetFieldID(window, "buffer", "Ljava/nio/ByteBuffer;");
  jclass native = env->FindClass(kNativeClass);
  if (gWindowBuffer == nullptr || native == nullptr) return JNI_ERR;
  if (env->RegisterNatives(native, kMethods, sizeof kMethods / sizeof kMethods[0]) != JNI_OK) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_8;
}
