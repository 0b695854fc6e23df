// Result files are written whole or not at all: a temporary file in the same
// folder, flushed, then renamed over the target.
#pragma once

#include <string>
#include <vector>

namespace flopscope {

// Throws UsageError when the path cannot be written. A symbolic link is
// followed: its target is replaced and the link kept.
void write_file_atomically(const std::string& path, const std::string& content);
// Fails early (UsageError) when `path` could not be written later, so a bad
// --output path is caught before anything runs: a folder, a device or other
// special file, a missing folder, or one where no file can be created (tried,
// since access() says yes to root everywhere, /proc included). Leaves nothing
// behind.
void check_writable(const std::string& path, const std::string& what);
// Throws UsageError when two of `paths` (each "what=path", empty paths
// skipped) name the same file, so one write would destroy the other: a
// result written over its --csv or over the reference it is checked against.
void require_distinct_files(const std::vector<std::pair<std::string, std::string>>& paths);

// A new file "PREFIX-XXXXXX" (a unique suffix) holding `content`, made
// with O_EXCL so it never follows a link or replaces a file: where a result
// goes when its own path could no longer be written. Its path, or "" when
// it could not be made.
std::string write_new_file(const std::string& prefix, const std::string& content);

}  // namespace flopscope
