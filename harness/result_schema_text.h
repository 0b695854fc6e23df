// The result schema (results/schema/result-1.schema.json) as built into
// flopscope, so readers check files by the schema that is published, wherever
// the binary runs. Generated at configure time from that file
// (cmake/result_schema_text.cpp.in).
#pragma once

namespace flopscope {

extern const char* const kResultSchemaText;

}  // namespace flopscope
