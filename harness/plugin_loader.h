// GPU backends are plugins (libflopscope_cuda.so, libflopscope_hip.so) next
// to the executable, loaded at run time so one build runs on CPU-only,
// NVIDIA and AMD nodes: a node without the vendor's libraries gets a backend
// that says "unavailable: <why>" instead of a program that fails to start.
//
// A plugin exports one C function:
//   extern "C" flopscope::Backend* flopscope_create_backend();
// returning a new backend (ownership passes to the caller).
#pragma once

#include <string>

namespace flopscope {

inline constexpr const char* kPluginEntryPoint = "flopscope_create_backend";

// Registers every plugin found (once). The folder is FLOPSCOPE_PLUGIN_DIR
// when set, else the executable's own folder.
void load_backend_plugins();

// The folder searched, for messages and tests.
std::string plugin_folder();

}  // namespace flopscope
