// Exit codes (DESIGN.md "Exit codes") and the exceptions that carry them.
#pragma once

#include <stdexcept>
#include <string>

namespace flopscope {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,   // verification or certification failed
  kExitUsage = 2,         // bad usage or input, before anything runs
  kExitDevice = 3,        // device absent, driver or library failure, failed rank
  kExitInterrupted = 130  // SIGINT/SIGTERM; the result is still written
};

// Bad usage or input: unknown names, malformed device names, impossible sizes,
// unreadable files, unwritable output paths.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A device or runtime error: a well-formed device that is not present, a
// driver or library failure.
class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flopscope
