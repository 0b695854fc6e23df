#include "harness/schema_check.h"

#include <cmath>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <vector>

namespace flopscope {

namespace {

using nlohmann::json;

// Enforced; annotations, with nothing to enforce; and "required" and
// "additionalProperties": false, left to the readers (schema_check.h).
// clang-format off
const std::set<std::string> kKnownKeywords = {
    // Annotations and structure.
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "definitions",
    "$ref",
    // Values.
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern",
    // Objects and lists.
    "properties", "additionalProperties", "required", "propertyNames", "items", "minItems",
    "maxItems",
    // Combinations.
    "allOf", "anyOf", "oneOf", "if", "then", "else"};
// clang-format on

// RFC 6901: "~" and "/" in a key are escaped in a pointer.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string a_type(const std::string& type) {
  if (type == "number") return "a number";
  if (type == "integer") return "an integer";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "object") return "an object";
  if (type == "array") return "a list";
  if (type == "null") return "null";
  return type;
}

bool has_type(const json& v, const std::string& type) {
  if (type == "number") return v.is_number();
  // Draft 7 counts 2.0 as an integer, as python's jsonschema does.
  if (type == "integer")
    return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                     std::floor(v.get<double>()) == v.get<double>());
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

std::string number_text(const json& n) {
  return n.dump();
}

// libstdc++'s std::regex matches recursively, so a long enough string (a
// damaged file's) would overflow the stack; the schema's patterns describe
// names and versions, all far shorter.
constexpr size_t kLongestPatternMatch = 1024;

bool matches(const std::string& pattern, const std::string& text) {
  static std::mutex mutex;
  static std::map<std::string, std::regex> compiled;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_search(text, it->second);
}

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  std::optional<SchemaFault> check(const json& schema, const json& v,
                                   const std::string& ptr) const {
    if (schema.is_boolean())
      return schema.get<bool>() ? std::nullopt : fault(ptr, "is not allowed here");
    if (!schema.is_object()) return std::nullopt;
    // Draft 7: beside a $ref, other keywords are ignored.
    if (auto it = schema.find("$ref"); it != schema.end()) {
      const json* target = resolve(*it);
      if (!target) return fault(ptr, "the schema's $ref " + it->dump() + " leads nowhere");
      return check(*target, v, ptr);
    }
    if (auto f = check_type(schema, v, ptr)) return f;
    if (auto f = check_value(schema, v, ptr)) return f;
    if (v.is_number())
      if (auto f = check_range(schema, v, ptr)) return f;
    if (v.is_string())
      if (auto f = check_string(schema, v.get_ref<const std::string&>(), ptr)) return f;
    if (v.is_array())
      if (auto f = check_items(schema, v, ptr)) return f;
    if (v.is_object())
      if (auto f = check_properties(schema, v, ptr)) return f;
    return check_combinations(schema, v, ptr);
  }

 private:
  static std::optional<SchemaFault> fault(const std::string& ptr, std::string why) {
    return SchemaFault{ptr, std::move(why)};
  }

  const json* resolve(const json& ref) const {
    if (!ref.is_string()) return nullptr;
    const std::string& r = ref.get_ref<const std::string&>();
    if (r.empty() || r[0] != '#') return nullptr;
    try {
      const json::json_pointer p(r.substr(1));
      return root_.contains(p) ? &root_.at(p) : nullptr;
    } catch (const json::exception&) {
      return nullptr;
    }
  }

  static std::optional<SchemaFault> check_type(const json& schema, const json& v,
                                               const std::string& ptr) {
    const auto it = schema.find("type");
    if (it == schema.end()) return std::nullopt;
    std::vector<std::string> types;
    if (it->is_string()) types.push_back(*it);
    if (it->is_array())
      for (const auto& t : *it)
        if (t.is_string()) types.push_back(t);
    std::string wanted;
    for (const auto& t : types) {
      if (has_type(v, t)) return std::nullopt;
      wanted += (wanted.empty() ? "" : " or ") + a_type(t);
    }
    return fault(ptr, "must be " + wanted);
  }

  static std::optional<SchemaFault> check_value(const json& schema, const json& v,
                                                const std::string& ptr) {
    if (auto it = schema.find("const"); it != schema.end() && v != *it)
      return fault(ptr, "must be " + it->dump());
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
      std::string list;
      for (const auto& e : *it) {
        if (v == e) return std::nullopt;
        list += (list.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
      }
      return fault(ptr, "must be one of " + list);
    }
    return std::nullopt;
  }

  static std::optional<SchemaFault> check_range(const json& schema, const json& v,
                                                const std::string& ptr) {
    const double x = v.get<double>();
    auto bound = [&](const char* key) -> const json* {
      const auto it = schema.find(key);
      return it != schema.end() && it->is_number() ? &*it : nullptr;
    };
    if (const json* b = bound("minimum"); b && x < b->get<double>())
      return fault(ptr, "must be at least " + number_text(*b));
    if (const json* b = bound("exclusiveMinimum"); b && x <= b->get<double>())
      return fault(ptr, "must be above " + number_text(*b));
    if (const json* b = bound("maximum"); b && x > b->get<double>())
      return fault(ptr, "must be at most " + number_text(*b));
    if (const json* b = bound("exclusiveMaximum"); b && x >= b->get<double>())
      return fault(ptr, "must be below " + number_text(*b));
    return std::nullopt;
  }

  static std::optional<SchemaFault> check_string(const json& schema, const std::string& s,
                                                 const std::string& ptr) {
    // Lengths in code points, as the schema counts them.
    size_t length = 0;
    for (unsigned char c : s) length += (c & 0xC0) != 0x80;
    if (auto it = schema.find("minLength");
        it != schema.end() && it->is_number_unsigned() && length < it->get<size_t>())
      return fault(ptr, it->get<size_t>() == 1
                            ? "must not be empty"
                            : "must have at least " + it->dump() + " characters");
    if (auto it = schema.find("maxLength");
        it != schema.end() && it->is_number_unsigned() && length > it->get<size_t>())
      return fault(ptr, "must have at most " + it->dump() + " characters");
    if (auto it = schema.find("pattern"); it != schema.end() && it->is_string()) {
      if (s.size() > kLongestPatternMatch)
        return fault(ptr, "is longer than any value of the form " + it->get<std::string>() + " (" +
                              std::to_string(kLongestPatternMatch) + " characters at most)");
      if (!matches(*it, s)) return fault(ptr, "does not have the form " + it->get<std::string>());
    }
    return std::nullopt;
  }

  std::optional<SchemaFault> check_items(const json& schema, const json& v,
                                         const std::string& ptr) const {
    if (auto it = schema.find("minItems");
        it != schema.end() && it->is_number_unsigned() && v.size() < it->get<size_t>())
      return fault(ptr, "must have at least " + it->dump() + " items");
    if (auto it = schema.find("maxItems");
        it != schema.end() && it->is_number_unsigned() && v.size() > it->get<size_t>())
      return fault(ptr, "must have at most " + it->dump() + " items");
    if (auto it = schema.find("items"); it != schema.end() && (it->is_object() || it->is_boolean()))
      for (size_t i = 0; i < v.size(); ++i)
        if (auto f = check(*it, v[i], ptr + "/" + std::to_string(i))) return f;
    return std::nullopt;
  }

  std::optional<SchemaFault> check_properties(const json& schema, const json& v,
                                              const std::string& ptr) const {
    const auto props = schema.find("properties");
    const auto extra = schema.find("additionalProperties");
    const auto names = schema.find("propertyNames");
    for (const auto& [key, value] : v.items()) {
      const std::string at = ptr + "/" + pointer_token(key);
      if (names != schema.end())
        if (auto f = check(*names, key, at))
          return fault(at, "is not a name allowed here: " + f->why);
      if (props != schema.end() && props->is_object() && props->contains(key)) {
        if (auto f = check(props->at(key), value, at)) return f;
      } else if (extra != schema.end() && extra->is_object()) {
        if (auto f = check(*extra, value, at)) return f;
      }
    }
    return std::nullopt;
  }

  std::optional<SchemaFault> check_combinations(const json& schema, const json& v,
                                                const std::string& ptr) const {
    if (auto it = schema.find("allOf"); it != schema.end() && it->is_array())
      for (const auto& s : *it)
        if (auto f = check(s, v, ptr)) return f;
    for (const char* key : {"anyOf", "oneOf"}) {
      const auto it = schema.find(key);
      if (it == schema.end() || !it->is_array() || it->empty()) continue;
      std::vector<SchemaFault> faults;
      for (const auto& s : *it) {
        auto f = check(s, v, ptr);
        if (!f) {
          faults.clear();
          break;
        }
        faults.push_back(*f);
      }
      if (faults.empty()) continue;
      // The form that got furthest into the value says most; where every
      // form failed at the value itself, each says what it wanted.
      const SchemaFault* deepest = &faults[0];
      for (const auto& f : faults)
        if (f.pointer.size() > deepest->pointer.size()) deepest = &f;
      if (deepest->pointer != ptr) return *deepest;
      std::string why;
      for (const auto& f : faults) why += (why.empty() ? "" : ", or ") + f.why;
      return fault(ptr, why);
    }
    if (auto it = schema.find("if"); it != schema.end()) {
      const char* branch = check(*it, v, ptr) ? "else" : "then";
      if (auto b = schema.find(branch); b != schema.end())
        if (auto f = check(*b, v, ptr)) {
          if (std::string(branch) == "then") f->why += " (" + condition_text(*it, v) + ")";
          return f;
        }
    }
    return std::nullopt;
  }

  // {"properties": {"status": {"const": "ok"}}} -> "status is ok", or "status
  // is ok or absent" where `v` lacks it (the condition then holds too).
  static std::string condition_text(const json& condition, const json& v) {
    std::string text;
    const auto props = condition.find("properties");
    if (props != condition.end() && props->is_object())
      for (const auto& [key, s] : props->items()) {
        const auto c = s.find("const");
        if (c == s.end()) return "the schema's condition holds";
        text += (text.empty() ? "" : " and ") + key + " is " +
                (c->is_string() ? c->get<std::string>() : c->dump()) +
                (v.is_object() && v.contains(key) ? "" : " or absent");
      }
    return text.empty() ? "the schema's condition holds" : text;
  }

  const json& root_;
};

void collect_unknown(const json& schema, std::set<std::string>& unknown) {
  if (!schema.is_object()) return;
  for (const auto& [key, value] : schema.items()) {
    if (!kKnownKeywords.count(key)) unknown.insert(key);
    if (key == "properties" || key == "definitions") {
      if (value.is_object())
        for (const auto& [name, sub] : value.items()) collect_unknown(sub, unknown);
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (value.is_array())
        for (const auto& sub : value) collect_unknown(sub, unknown);
    } else if (key == "items" && value.is_array()) {
      unknown.insert("items (a list of schemas)");
    } else if (key == "additionalProperties" || key == "items" || key == "propertyNames" ||
               key == "if" || key == "then" || key == "else") {
      collect_unknown(value, unknown);
    }
  }
}

}  // namespace

std::optional<SchemaFault> schema_fault(const nlohmann::json& schema, const nlohmann::json& doc) {
  return Checker(schema).check(schema, doc, "");
}

std::string unknown_schema_keywords(const nlohmann::json& schema) {
  std::set<std::string> unknown;
  collect_unknown(schema, unknown);
  std::string out;
  for (const auto& k : unknown) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace flopscope
