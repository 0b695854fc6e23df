// The JSON Schema check the result readers run (harness/schema_check.h): each
// keyword the result schema uses, what is deliberately not enforced, and that
// the schema built in is the published file with no keyword the check skips.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/errors.h"
#include "harness/json_file.h"
#include "harness/result_document.h"
#include "harness/result_schema_text.h"
#include "harness/schema_check.h"

using flopscope::schema_fault;
using nlohmann::json;

namespace {

// "" when `doc` passes, else "POINTER: WHY".
std::string fault_of(const json& schema, const json& doc) {
  const auto f = schema_fault(schema, doc);
  return f ? f->pointer + ": " + f->why : "";
}

}  // namespace

TEST(SchemaCheck, TheBuiltInSchemaIsThePublishedFile) {
  std::ifstream in(std::string(FLOPSCOPE_SOURCE_DIR) + "/results/schema/result-1.schema.json");
  ASSERT_TRUE(in);
  std::ostringstream file;
  file << in.rdbuf();
  EXPECT_EQ(std::string(flopscope::kResultSchemaText), file.str());
}

TEST(SchemaCheck, TheResultSchemaUsesNoKeywordTheCheckSkips) {
  EXPECT_EQ(flopscope::unknown_schema_keywords(json::parse(flopscope::kResultSchemaText)), "");
  EXPECT_EQ(flopscope::unknown_schema_keywords(json::parse(R"({"properties": {"a": {"not": {}}},
      "items": [{}], "type": "array"})")),
            "items (a list of schemas), not");
}

TEST(SchemaCheck, Types) {
  const json s = json::parse(R"({"properties": {
      "n": {"type": "number"}, "i": {"type": "integer"}, "s": {"type": "string"},
      "b": {"type": "boolean"}, "o": {"type": "object"}, "l": {"type": "array"},
      "maybe": {"type": ["number", "null"]}}})");
  EXPECT_EQ(fault_of(s, json::parse(R"({"n": 1.5, "i": 2, "s": "x", "b": false, "o": {},
      "l": [], "maybe": null})")),
            "");
  EXPECT_EQ(fault_of(s, {{"n", "1"}}), "/n: must be a number");
  EXPECT_EQ(fault_of(s, {{"n", true}}), "/n: must be a number");
  // Draft 7, as python's jsonschema: 2.0 is an integer, 2.5 is not.
  EXPECT_EQ(fault_of(s, json::parse(R"({"i": 2.0})")), "");
  EXPECT_EQ(fault_of(s, {{"i", 2.5}}), "/i: must be an integer");
  EXPECT_EQ(fault_of(s, {{"s", 3}}), "/s: must be a string");
  EXPECT_EQ(fault_of(s, {{"b", "yes"}}), "/b: must be true or false");
  EXPECT_EQ(fault_of(s, {{"o", json::array()}}), "/o: must be an object");
  EXPECT_EQ(fault_of(s, {{"l", json::object()}}), "/l: must be a list");
  EXPECT_EQ(fault_of(s, {{"maybe", "x"}}), "/maybe: must be a number or null");
}

TEST(SchemaCheck, ValuesRangesAndForms) {
  const json s = json::parse(R"({"properties": {
      "status": {"enum": ["ok", "failed"]}, "name": {"const": "flopscope"},
      "cv": {"type": "number", "minimum": 0}, "hz": {"type": "number", "exclusiveMinimum": 0},
      "id": {"type": "string", "pattern": "^cpu[0-9]+$"},
      "word": {"type": "string", "minLength": 1},
      "pair": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}}})");
  EXPECT_EQ(fault_of(s, {{"status", "done"}}), "/status: must be one of ok, failed");
  EXPECT_EQ(fault_of(s, {{"name", "other"}}), "/name: must be \"flopscope\"");
  EXPECT_EQ(fault_of(s, {{"cv", -0.5}}), "/cv: must be at least 0");
  EXPECT_EQ(fault_of(s, {{"cv", 0}}), "");
  EXPECT_EQ(fault_of(s, {{"hz", 0}}), "/hz: must be above 0");
  EXPECT_EQ(fault_of(s, {{"id", "gpu0"}}), "/id: does not have the form ^cpu[0-9]+$");
  EXPECT_EQ(fault_of(s, {{"id", "cpu12"}}), "");
  EXPECT_EQ(fault_of(s, {{"word", ""}}), "/word: must not be empty");
  EXPECT_EQ(fault_of(s, {{"pair", {1}}}), "/pair: must have at least 2 items");
  EXPECT_EQ(fault_of(s, {{"pair", {1, 2, 3}}}), "/pair: must have at most 2 items");
  EXPECT_EQ(fault_of(s, {{"pair", {1, "2"}}}), "/pair/1: must be a number");
}

TEST(SchemaCheck, ReferencesNestingAndNames) {
  const json s = json::parse(R"({
      "definitions": {"precision": {"enum": ["fp64", "fp32"]},
                      "rate": {"type": ["number", "null"], "exclusiveMinimum": 0}},
      "properties": {
        "measurements": {"type": "array", "items": {"properties": {
          "precision": {"$ref": "#/definitions/precision"},
          "clock_hz": {"$ref": "#/definitions/rate"}}}},
        "peaks": {"type": "object", "propertyNames": {"$ref": "#/definitions/precision"},
                  "additionalProperties": {"type": "number"}},
        "odd": {"$ref": "#/definitions/missing"}}})");
  EXPECT_EQ(fault_of(s, {{"measurements", {{{"precision", "fp64"}, {"clock_hz", nullptr}}}}}), "");
  EXPECT_EQ(fault_of(s, {{"measurements", {json::object(), {{"precision", "fp16"}}}}}),
            "/measurements/1/precision: must be one of fp64, fp32");
  EXPECT_EQ(fault_of(s, {{"measurements", {{{"clock_hz", -1}}}}}),
            "/measurements/0/clock_hz: must be above 0");
  EXPECT_EQ(fault_of(s, {{"peaks", {{"fp64", "x"}}}}), "/peaks/fp64: must be a number");
  EXPECT_EQ(fault_of(s, {{"peaks", {{"fp8", 1}}}}),
            "/peaks/fp8: is not a name allowed here: must be one of fp64, fp32");
  // A key's "/" and "~" are escaped in the pointer (RFC 6901).
  EXPECT_EQ(fault_of(s, {{"peaks", {{"a/b~", 1}}}}),
            "/peaks/a~1b~0: is not a name allowed here: must be one of fp64, fp32");
  EXPECT_EQ(fault_of(s, {{"odd", 1}}),
            "/odd: the schema's $ref \"#/definitions/missing\" leads nowhere");
  EXPECT_EQ(flopscope::field_name("/measurements/3/size/n"), "measurements[3].size.n");
  EXPECT_EQ(flopscope::field_name(""), "(document)");
  // Escapes undone; a control character cannot break the message's line.
  EXPECT_EQ(flopscope::field_name("/per_device/node0~1cpu0~0x"), "per_device.node0/cpu0~x");
  EXPECT_EQ(flopscope::field_name("/a\nb"), "a?b");
  // Draft 7: keywords beside a $ref are ignored.
  const json beside = json::parse(R"({"definitions": {"n": {"type": "number"}},
      "properties": {"x": {"$ref": "#/definitions/n", "minimum": 10}}})");
  EXPECT_EQ(fault_of(beside, {{"x", 1}}), "");
  EXPECT_EQ(fault_of(beside, {{"x", "1"}}), "/x: must be a number");
  // Boolean item schemas.
  const json items = json::parse(R"({"properties": {"none": {"items": false},
      "any": {"items": true}}})");
  EXPECT_EQ(fault_of(items, {{"none", {1}}, {"any", {1, "a"}}}), "/none/0: is not allowed here");
  EXPECT_EQ(fault_of(items, {{"none", json::array()}}), "");
}

// libstdc++'s regex recurses per character: a damaged file's long string
// is refused before it is matched, never allowed to exhaust the stack.
TEST(SchemaCheck, AStringTooLongForItsFormIsRefusedUnmatched) {
  const json s = json::parse(R"({"properties": {"id": {"type": "string",
      "pattern": "^cpu[0-9]+$"}}})");
  EXPECT_EQ(fault_of(s, {{"id", "cpu" + std::string(1000, '7')}}), "");
  EXPECT_EQ(fault_of(s, {{"id", "cpu" + std::string(200000, '7')}}),
            "/id: is longer than any value of the form ^cpu[0-9]+$ (1024 characters at most)");
}

TEST(SchemaCheck, CombinationsAndConditions) {
  const json s = json::parse(R"({"properties": {
      "roofline": {"oneOf": [{"type": "null"},
                             {"type": "object", "properties": {"fraction": {"type": "number"}}}]},
      "between": {"oneOf": [{"type": "array"}, {"type": "string", "pattern": "^not checked: "}]},
      "unit": {"allOf": [{"type": "object"}, {"properties": {"fraction": {"minimum": 0}}}]}},
      "allOf": [{"if": {"properties": {"status": {"const": "ok"}}},
                 "then": {"properties": {"verified": {"const": true}}},
                 "else": {"properties": {"verified": {"type": "boolean"}}}}]})");
  EXPECT_EQ(fault_of(s, {{"roofline", nullptr}}), "");
  EXPECT_EQ(fault_of(s, {{"roofline", {{"fraction", 0.5}}}}), "");
  // The form that reached into the value says what is wrong there.
  EXPECT_EQ(fault_of(s, {{"roofline", {{"fraction", "x"}}}}),
            "/roofline/fraction: must be a number");
  // Every form failed at the value itself: each says what it wanted.
  EXPECT_EQ(fault_of(s, {{"roofline", 3}}), "/roofline: must be null, or must be an object");
  EXPECT_EQ(fault_of(s, {{"between", "skipped"}}),
            "/between: must be a list, or does not have the form ^not checked: ");
  EXPECT_EQ(fault_of(s, {{"unit", {{"fraction", -1}}}}), "/unit/fraction: must be at least 0");
  EXPECT_EQ(fault_of(s, {{"status", "ok"}, {"verified", true}}), "");
  EXPECT_EQ(fault_of(s, {{"status", "ok"}, {"verified", false}}),
            "/verified: must be true (status is ok)");
  EXPECT_EQ(fault_of(s, {{"status", "failed"}, {"verified", false}}), "");
  EXPECT_EQ(fault_of(s, {{"status", "failed"}, {"verified", 1}}),
            "/verified: must be true or false");
}

// A reader of a 1.x file must read one written by another 1.x flopscope.
TEST(SchemaCheck, MissingAndUnknownFieldsAreTheReadersToTake) {
  const json s = json::parse(R"({"required": ["a"], "additionalProperties": false,
      "properties": {"a": {"type": "number"}}})");
  EXPECT_EQ(fault_of(s, json::object()), "");
  EXPECT_EQ(fault_of(s, {{"a", 1}, {"added_in_a_later_version", "x"}}), "");
}

// The readers' check: the schema's faults with the file, line and field; a
// file of a later 1.x version, whose schema is not built in, is left to them.
TEST(SchemaCheck, ReadersCheckTheirFilesAgainstTheBuiltInSchema) {
  using flopscope::require_result_schema;
  json doc = {{"schema_version", flopscope::kSchemaVersion},
              {"measurements", {{{"device", "cpu0"}, {"cv", "low"}}}}};
  const std::string text = doc.dump(2);
  try {
    require_result_schema(doc, "run.json", text);
    ADD_FAILURE() << "a cv of \"low\" passed";
  } catch (const flopscope::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "run.json: line 4: measurements[0].cv: must be a number")
        << text;
  }
  doc["measurements"][0]["cv"] = 0.01;
  EXPECT_NO_THROW(require_result_schema(doc, "run.json"));
  json later = doc;
  later["schema_version"] = "1.99.0";
  later["measurements"][0]["precision"] = "fp4";
  EXPECT_NO_THROW(require_result_schema(later, "later.json"));
  later["schema_version"] = flopscope::kSchemaVersion;
  EXPECT_THROW(require_result_schema(later, "later.json"), flopscope::UsageError);
}
