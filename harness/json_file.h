// Reading the JSON files that certify, compare and merge take: result files
// (with their schema's major version checked) and references, with errors
// that name the file, the line and the field at fault.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace flopscope {

struct JsonText {
  std::string path;
  std::string text;
  nlohmann::json doc;
};

// Reads and parses; throws UsageError "PATH: line L, column C: <why>" on
// malformed JSON and "PATH: cannot read" when missing or unreadable.
JsonText read_json_file(const std::string& path);

// The line (1-based) of each value in `text`, keyed by JSON pointer
// ("/devices/0/minimums/1/flops"); "" is the document itself.
std::map<std::string, int> json_value_lines(const std::string& text);

// The line of `pointer`, else of its nearest parent that exists.
int line_of(const std::map<std::string, int>& lines, std::string pointer);

// 1-based line of a byte offset.
int line_of_offset(const std::string& text, size_t offset);

// Throws UsageError unless `doc` is a flopscope result file whose schema
// major version this build reads (1.x).
void require_result_schema(const nlohmann::json& doc, const std::string& path);

}  // namespace flopscope
