// The one symbol libflopscope_hip.so exports (harness/plugin_loader.h);
// everything else in the plugin is hidden.
#include "devices/hip/hip_backend.h"
#include "harness/plugin_loader.h"

extern "C" __attribute__((visibility("default"))) flopscope::Backend* flopscope_create_backend() {
  return new flopscope::hip::HipBackend();
}
