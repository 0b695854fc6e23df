// Result files are written whole or not at all: a temporary file in the same
// folder, flushed, then renamed over the target.
#pragma once

#include <string>

namespace flopscope {

// Throws UsageError when the path cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);
// Fails early (UsageError) when `path` could not be written later, so a bad
// --output path is caught before anything runs. Leaves nothing behind.
void check_writable(const std::string& path, const std::string& what);

}  // namespace flopscope
