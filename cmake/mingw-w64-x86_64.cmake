# Cross-compiles the windows (HTTP.SYS) backend with Debian's mingw-w64 (posix threads flavour,
# which gives std::thread and std::mutex). Tests built with it run under Wine through ctest.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
find_program(HSYS_WINE NAMES wine wine64)
if(HSYS_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${HSYS_WINE}")
endif()
