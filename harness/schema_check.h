// Checks a JSON document against a JSON Schema (draft 7), so that the
// readers of result files (certify, compare, report, merge) refuse a damaged
// file by the same rules the published schema states, not by a second list
// kept by hand beside it.
//
// It checks the fields a document has: their types, names, enums and
// constants, ranges and patterns, item counts, and the schema's conditions
// (if/then/else, allOf, anyOf, oneOf). Two keywords are not enforced,
// because a reader of a 1.x file must still read one written by another
// 1.x flopscope: "required" (an older file may lack a field a later version
// added; readers take a missing field as no figure) and
// "additionalProperties": false (a newer file may carry a field this one
// does not know; readers ignore it). oneOf is taken as anyOf: without
// "required", forms that differ only in their required fields overlap.
// One rule is stricter than the schema: a string with a pattern is refused
// unmatched when longer than 1024 characters (the patterns describe names
// and versions; libstdc++'s regex would exhaust the stack on a damaged
// file's megabyte string). A file of a later 1.x version is not checked
// at all (require_result_schema): its schema may know values this one
// does not.
// Any other keyword would be skipped: unknown_schema_keywords names them, and
// a test keeps the result schema free of them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace flopscope {

struct SchemaFault {
  std::string pointer;  // JSON pointer of the value at fault ("/measurements/3/cv")
  std::string why;      // "must be a number"
};

// The first value in `doc` that breaks `schema` (whose "$ref"s point into
// itself, "#/definitions/NAME"), or none.
std::optional<SchemaFault> schema_fault(const nlohmann::json& schema, const nlohmann::json& doc);

// The keywords `schema` uses that schema_fault does not know ("" when none):
// for a test that the result schema holds no rule the check would skip.
std::string unknown_schema_keywords(const nlohmann::json& schema);

}  // namespace flopscope
