#!/usr/bin/env bash
# Writes what the JNI layer touches on the Java side, as `javap -s -p -constants` prints it: the
# transport's classes from the build output (Native's natives and constants, HttpSysException's
# constructor, RecordWindow's field...) and the JDK classes whose fields and constructors the
# library or the JVM use (FileChannelImpl.fd, FileDescriptor.handle/fd, DirectByteBuffer, the
# errors a JVM throws), with their superclasses. The JNI host (native/test/jni_host) checks every
# FindClass, GetFieldID, GetMethodID and RegisterNatives of the library against it.
# Usage: scripts/jni-surface.sh CLASSES_DIR OUTPUT_FILE
set -euo pipefail
classes=${1:?classes folder (transport-httpsys/target/classes)}
output=${2:?output file}
javap_bin=javap
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javap" ]; then javap_bin=$JAVA_HOME/bin/javap; fi
transport=(Native HttpSysException RecordWindow EngineStatus ServerSettings)
jdk=(
  java.lang.Object java.lang.String java.lang.Class
  java.lang.Throwable java.lang.Exception java.io.IOException java.lang.RuntimeException
  java.lang.Error java.lang.LinkageError java.lang.IncompatibleClassChangeError
  java.lang.NoSuchFieldError java.lang.NoSuchMethodError java.lang.NoClassDefFoundError
  java.lang.IllegalArgumentException java.lang.IndexOutOfBoundsException
  java.lang.ArrayIndexOutOfBoundsException
  java.io.FileDescriptor sun.nio.ch.FileChannelImpl java.nio.channels.FileChannel
  java.nio.channels.spi.AbstractInterruptibleChannel
  java.nio.DirectByteBuffer java.nio.MappedByteBuffer java.nio.ByteBuffer java.nio.Buffer
)
"$javap_bin" -s -p -constants -cp "$classes" "${transport[@]/#/dev.nettyhttpsys.transport.}" "${jdk[@]}" \
  >"$output.tmp"
mv "$output.tmp" "$output"
