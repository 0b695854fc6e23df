#include "harness/json_file.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness/errors.h"
#include "harness/result_document.h"
#include "harness/result_schema_text.h"
#include "harness/schema_check.h"

namespace flopscope {

int line_of_offset(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

namespace {

// Result files and references nest a handful of levels; the limit keeps
// the recursive walks over a document (the line scanner below, nlohmann's
// destructor and dump) far from the end of the stack.
constexpr int kMaxNesting = 256;

// Offset of the first bracket deeper than kMaxNesting, or npos.
size_t too_deep_at(const std::string& t) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string::npos;
}

}  // namespace

std::string json_error_reason(const nlohmann::json::exception& e) {
  const std::string why = e.what();
  const auto p = why.find("] ");
  return p == std::string::npos ? why : why.substr(p + 2);
}

nlohmann::json parse_json_text(const std::string& path, const std::string& text) {
  if (const size_t at = too_deep_at(text); at != std::string::npos)
    throw UsageError(path + ": line " + std::to_string(line_of_offset(text, at)) +
                     ": nested deeper than " + std::to_string(kMaxNesting) +
                     " levels: not a flopscope file");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond double's range ("1e999"): nlohmann names it, not where.
    throw UsageError(path + ": not valid JSON: " + json_error_reason(e));
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte at which the parser gave up.
    const size_t at = e.byte > 0 ? e.byte - 1 : 0;
    const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
    std::string why = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
    if (auto p = why.find(": "); p != std::string::npos) why = why.substr(p + 2);
    throw UsageError(path + ": line " + std::to_string(line_of_offset(text, at)) + ", column " +
                     std::to_string(column) + ": not valid JSON: " + why);
  }
}

std::string read_text_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw UsageError(path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": cannot read (missing or not readable)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

JsonText read_json_file(const std::string& path) {
  JsonText j{path, read_text_file(path), {}};
  j.doc = parse_json_text(path, j.text);
  return j;
}

namespace {

// A small scanner over JSON text that already parsed: it only needs to find
// where each value starts, keyed by its pointer.
class LineScanner {
 public:
  explicit LineScanner(const std::string& t) : t_(t) {}
  std::map<std::string, int> run() {
    skip();
    value("");
    return lines_;
  }

 private:
  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) {
      line_ += t_[i_] == '\n';
      ++i_;
    }
  }
  std::string string_token() {
    std::string s;
    ++i_;  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        s += t_[i_ + 1];
        i_ += 2;
        continue;
      }
      s += t_[i_++];
    }
    ++i_;  // closing quote
    return s;
  }
  static std::string escape(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }
  void value(const std::string& ptr) {
    skip();
    if (i_ >= t_.size()) return;
    lines_[ptr] = line_;
    const char c = t_[i_];
    if (c == '{') {
      ++i_;
      skip();
      while (i_ < t_.size() && t_[i_] != '}') {
        if (t_[i_] != '"') return;
        const std::string key = string_token();
        skip();
        ++i_;  // ':'
        value(ptr + "/" + escape(key));
        skip();
        if (i_ < t_.size() && t_[i_] == ',') ++i_;
        skip();
      }
      ++i_;
    } else if (c == '[') {
      ++i_;
      skip();
      int index = 0;
      while (i_ < t_.size() && t_[i_] != ']') {
        value(ptr + "/" + std::to_string(index++));
        skip();
        if (i_ < t_.size() && t_[i_] == ',') ++i_;
        skip();
      }
      ++i_;
    } else if (c == '"') {
      string_token();
    } else {
      while (i_ < t_.size() && !std::strchr(",]} \t\r\n", t_[i_])) ++i_;
    }
  }
  const std::string& t_;
  size_t i_ = 0;
  int line_ = 1;
  std::map<std::string, int> lines_;
};

}  // namespace

std::map<std::string, int> json_value_lines(const std::string& text) {
  return LineScanner(text).run();
}

int line_of(const std::map<std::string, int>& lines, std::string pointer) {
  while (true) {
    if (auto it = lines.find(pointer); it != lines.end()) return it->second;
    if (pointer.empty()) return 1;
    pointer = pointer.substr(0, pointer.rfind('/'));
  }
}

std::string field_name(const std::string& pointer) {
  if (pointer.empty()) return "(document)";
  std::string out;
  std::istringstream in(pointer.substr(1));
  std::string part;
  while (std::getline(in, part, '/')) {
    // RFC 6901's escapes undone; control characters shown as '?', so the
    // message stays one line.
    std::string key;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '~' && i + 1 < part.size() && (part[i + 1] == '0' || part[i + 1] == '1')) {
        key += part[++i] == '0' ? '~' : '/';
      } else {
        key += static_cast<unsigned char>(part[i]) < 0x20 ? '?' : part[i];
      }
    }
    const bool index = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
    if (index)
      out += "[" + key + "]";
    else
      out += (out.empty() ? "" : ".") + key;
  }
  return out;
}

namespace {
// "1.12.0" -> 12; -1 when there is no such number.
long minor_version(const std::string& version) {
  const size_t dot = version.find('.');
  if (dot == std::string::npos) return -1;
  const size_t end = version.find('.', dot + 1);
  const std::string digits =
      version.substr(dot + 1, end == std::string::npos ? std::string::npos : end - dot - 1);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::stol(digits);
}
}  // namespace

void require_result_schema(const nlohmann::json& doc, const std::string& path,
                           const std::string& text) {
  if (!doc.is_object() || !doc.contains("schema_version") || !doc["schema_version"].is_string() ||
      !doc.contains("measurements"))
    throw UsageError(path + ": not a flopscope result file (no schema_version or measurements)");
  const std::string v = doc["schema_version"];
  const std::string ours = kSchemaVersion;
  const std::string major = v.substr(0, v.find('.'));
  if (major != ours.substr(0, ours.find('.')))
    throw UsageError(path + ": schema version " + v + " is not one this flopscope reads (" +
                     ours.substr(0, ours.find('.')) + ".x); use a flopscope of that version");
  // A file of a later 1.x version may hold values this build's schema does
  // not know (a new precision, kernel or device kind): its own schema is not
  // built in, so it is left to the readers, which skip what they do not know.
  if (minor_version(v) > minor_version(ours)) return;
  // Parsed once: the readers check every file they take.
  static const nlohmann::json schema = nlohmann::json::parse(kResultSchemaText);
  if (const auto fault = schema_fault(schema, doc)) {
    std::string where = path + ": ";
    if (!text.empty())
      where += "line " + std::to_string(line_of(json_value_lines(text), fault->pointer)) + ": ";
    throw UsageError(where + field_name(fault->pointer) + ": " + fault->why);
  }
}

}  // namespace flopscope
