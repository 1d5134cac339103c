// The engine's binary contract as one table of "name=value" lines: every completion kind, status,
// flag, record size and field offset, queue option index and known header name that Java relies
// on, built from the definitions in engine.h, records.h and header_ids.h (never restated here).
// Java (transport EngineAbi) reads it once when the library loads and compares it with what its
// classes were compiled for, so a library and jar from different sources fail at load, naming
// both fingerprints and each fact that differs, instead of misreading records later.
#pragma once

#include <string>

namespace hsys {

// Lines "name=value\n" in a fixed order; values are decimal numbers or header names.
const std::string& engineAbiTable();

}  // namespace hsys
