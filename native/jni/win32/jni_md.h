/* Machine-dependent JNI types for 64-bit Windows (mingw-w64 cross builds). A Linux JDK ships
 * only linux/jni_md.h; these definitions follow the JNI specification's Windows ABI. */
#ifndef HSYS_WIN32_JNI_MD_H
#define HSYS_WIN32_JNI_MD_H

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef long jint;
typedef long long jlong;
typedef signed char jbyte;

#endif
