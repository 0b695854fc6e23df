// Reading the JSON files that certify, compare and merge take: result files
// (with their schema's major version checked) and references, with errors
// that name the file, the line and the field at fault.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/errors.h"

namespace flopscope {

struct JsonText {
  std::string path;
  std::string text;
  nlohmann::json doc;
};

// The whole file; throws UsageError naming it when it is a folder, missing
// or unreadable.
std::string read_text_file(const std::string& path);

// Parses `text` read from `path`; throws UsageError "PATH: line L, column C:
// <why>" on malformed JSON, and on nesting deeper than any flopscope file
// (the recursive walks over a document must not run out of stack).
nlohmann::json parse_json_text(const std::string& path, const std::string& text);

// Reads and parses; throws UsageError "PATH: line L, column C: <why>" on
// malformed JSON and "PATH: cannot read" when missing or unreadable.
JsonText read_json_file(const std::string& path);

// The line (1-based) of each value in `text`, keyed by JSON pointer
// ("/devices/0/minimums/1/flops"); "" is the document itself.
std::map<std::string, int> json_value_lines(const std::string& text);

// The line of `pointer`, else of its nearest parent that exists.
int line_of(const std::map<std::string, int>& lines, std::string pointer);

// The field a JSON pointer names, as messages give it:
// "/devices/0/minimums/1/flops" -> "devices[0].minimums[1].flops"; "" ->
// "(document)".
std::string field_name(const std::string& pointer);

// 1-based line of a byte offset.
int line_of_offset(const std::string& text, size_t offset);

// nlohmann's message without its "[json.exception.type_error.302] " tag.
std::string json_error_reason(const nlohmann::json::exception& e);

// Runs `consume` over a document read from `path`. Readers take fields
// with nlohmann's value() and get<>(), which throw on a field of the wrong
// type ("median_flops": "NaN"); that is bad input, so it becomes
// UsageError "PATH: a field has the wrong type: <why>" (exit 2).
template <class Consume>
decltype(auto) consume_document(const std::string& path, Consume&& consume) {
  try {
    return consume();
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(path + ": a field has the wrong type or is missing: " + json_error_reason(e));
  }
}

// Throws UsageError unless `doc` is a flopscope result file whose schema
// major version this build reads (1.x) and whose fields have the types,
// names and values the result schema (results/schema/result-1.schema.json,
// built in) gives them: "PATH: line L: measurements[3].cv: must be a number"
// (the line when `text`, the file as read, is given). What the check leaves
// to readers is in harness/schema_check.h.
void require_result_schema(const nlohmann::json& doc, const std::string& path,
                           const std::string& text = "");

}  // namespace flopscope
