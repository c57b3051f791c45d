#include "kernel/pipeline/field_validation.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <set>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

std::string join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out.push_back('.');
  out.append(key);
  return out;
}

// Go's name for the type a schema decodes into. Struct types are not named in our
// schemas: they print as "struct".
std::string go_type(SchemaView schema) {
  if (schema.int_or_string()) return "intstr.IntOrString";
  const std::string_view format = schema.format();
  if (format == "quantity") return "resource.Quantity";
  const std::string_view type = schema.type();
  if (type == "string") return format == "byte" ? "[]uint8" : "string";
  if (type == "integer") return format == "int32" ? "int32" : "int64";
  if (type == "number") return "float64";
  if (type == "boolean") return "bool";
  if (type == "array") return "[]" + go_type(schema.items());
  if (type == "object" && schema.map_values().known()) return "map[string]" + go_type(schema.map_values());
  return "struct";
}

// How Go's decoder names the JSON value it could not store.
std::string json_value_name(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    default: return "number";
  }
}

// A number as it would have been written: 1.5, not Boost's 1.5E0.
std::string number_text(const json::value& value) {
  if (!value.is_double()) return json::serialize(value);
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.get_double());
  return ec == std::errc() ? std::string(buffer, end) : json::serialize(value);
}

std::string go_kind(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::array: return "slice";
    case json::kind::object: return "map";
    case json::kind::double_: return "float64";
    default: return "int64";
  }
}

bool whole(double d) {
  return d == static_cast<double>(static_cast<int64_t>(d));
}

// Whether Go's decoder takes `value` into the type `schema` describes.
bool decodes(const json::value& value, SchemaView schema) {
  if (value.is_null()) return true;
  if (schema.int_or_string()) return value.is_string() || value.is_int64() || value.is_uint64();
  if (schema.format() == "quantity") return value.is_string() || value.is_number();
  const std::string_view type = schema.type();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_bool();
  if (type == "number") return value.is_number();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "integer") {
    int64_t n = 0;
    if (value.is_int64())
      n = value.get_int64();
    else if (value.is_uint64() && value.get_uint64() <= uint64_t(INT64_MAX))
      n = static_cast<int64_t>(value.get_uint64());  // unsigned numbers written by our own code
    else if (value.is_double() && whole(value.get_double()))
      n = static_cast<int64_t>(value.get_double());
    else
      return false;
    return schema.format() != "int32" || (n >= INT32_MIN && n <= INT32_MAX);
  }
  return true;  // no type: anything (free-form, preserve-unknown-fields)
}

// Go's field path to the value being walked: struct field names, not map keys or
// indices. Views into the object's keys, joined only for an error.
using GoPath = std::vector<std::string_view>;

void prune(json::value& value, SchemaView schema, const std::string& path, bool root,
           std::vector<std::string>& unknown, GoPath& go_path, std::optional<TypeMismatch>* mismatch) {
  if (!schema.known()) return;
  if (mismatch && !mismatch->has_value() && !root && !decodes(value, schema)) {
    // Go's error names a number an integer field cannot hold by its text, any other
    // value by its kind.
    std::string name = json_value_name(value);
    if (value.is_number() && schema.type() == "integer") name += " " + number_text(value);
    std::string field;
    for (auto part : go_path) field = join(field, part);
    *mismatch = TypeMismatch{std::move(name), std::move(field), go_type(schema), go_kind(value)};
    return;
  }
  if (auto* object = value.if_object()) {
    const bool closed = schema.closed();
    std::vector<std::string> drop;
    for (auto& member : *object) {
      std::string_view key(member.key().data(), member.key().size());
      bool always_known = root && (key == "apiVersion" || key == "kind" || key == "metadata");
      if (closed && !always_known && !schema.allows(key)) {
        unknown.push_back(join(path, key));
        drop.emplace_back(key);
        continue;
      }
      const bool field = schema.declares(key);
      if (field) go_path.push_back(key);
      prune(member.value(), schema.field(key), join(path, key), false, unknown, go_path, mismatch);
      if (field) go_path.pop_back();
    }
    for (const auto& key : drop) object->erase(key);
  } else if (auto* array = value.if_array()) {
    SchemaView items = schema.items();
    for (size_t i = 0; i < array->size(); ++i)
      prune((*array)[i], items, path + "[" + std::to_string(i) + "]", false, unknown, go_path, mismatch);
  }
}

// A SAX handler for Boost.JSON's basic_parser that notes repeated member names.
class DuplicateFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::string> found;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    value_begins();
    frames_.push_back({true, {}, {}, 0});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    value_begins();
    frames_.push_back({false, {}, {}, 0});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    Frame& top = frames_.back();
    top.key = std::move(key_);
    key_.clear();
    if (!top.seen.insert(top.key).second) found.push_back(path());
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return scalar(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_double(double, json::string_view, json::error_code&) { return scalar(); }
  bool on_bool(bool, json::error_code&) { return scalar(); }
  bool on_null(json::error_code&) { return scalar(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object;
    std::set<std::string> seen;
    std::string key;
    size_t next_index;
  };

  bool scalar() {
    value_begins();
    return true;
  }
  // Array elements are numbered as they start, so paths name the element being read.
  void value_begins() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().next_index;
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      if (f.object) {
        out = join(out, f.key);
      } else {
        out += "[" + std::to_string(f.next_index - 1) + "]";
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

namespace {

std::vector<std::string> prune_with(json::object& object, SchemaView schema,
                                    std::optional<TypeMismatch>* mismatch) {
  std::vector<std::string> unknown;
  json::value v(std::move(object));
  GoPath go_path;
  prune(v, schema, "", true, unknown, go_path, mismatch);
  object = std::move(v.get_object());
  return unknown;
}

}  // namespace

std::vector<std::string> prune_unknown_fields(json::object& object, SchemaView schema) {
  return prune_with(object, schema, nullptr);
}

std::vector<std::string> prune_unknown_fields(json::object& object, SchemaView schema,
                                              std::optional<TypeMismatch>& mismatch) {
  return prune_with(object, schema, &mismatch);
}

std::string TypeMismatch::converter_message(const std::string& struct_name) const {
  if (go_type.starts_with("map[")) return "cannot restore map from " + go_kind;
  if (go_type.starts_with("[]") && go_type != "[]uint8") return "cannot restore slice from " + go_kind;
  if (go_type == "struct") return "cannot restore struct from: " + go_kind;
  return message(struct_name);
}

std::string TypeMismatch::message(const std::string& struct_name) const {
  return "json: cannot unmarshal " + value + " into Go struct field " + struct_name + "." + field +
         " of type " + go_type;
}

std::vector<std::string> duplicate_fields(std::string_view text) {
  json::basic_parser<DuplicateFinder> parser{json::parse_options{}};
  json::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return {};
  return std::move(parser.handler().found);
}

void FieldProblems::add_unknown(const std::vector<std::string>& paths) {
  for (const auto& p : paths) messages.push_back("unknown field \"" + p + "\"");
}

void FieldProblems::add_duplicates(const std::vector<std::string>& paths) {
  for (const auto& p : paths) messages.push_back("duplicate field \"" + p + "\"");
}

void report_field_problems(const FieldProblems& problems, const WriteOptions& options,
                           const std::string& prefix) {
  if (problems.empty()) return;
  switch (options.field_validation) {
    case FieldValidation::Ignore: return;
    case FieldValidation::Warn:
      if (options.warnings)
        options.warnings->insert(options.warnings->end(), problems.messages.begin(), problems.messages.end());
      return;
    case FieldValidation::Strict: {
      std::string message = prefix + "strict decoding error: ";
      for (size_t i = 0; i < problems.messages.size(); ++i) {
        if (i) message += ", ";
        message += problems.messages[i];
      }
      throw ApiError::bad_request(message);
    }
  }
}

}  // namespace ukube::pipeline
