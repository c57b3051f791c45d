#include "kernel/host/typed_config.h"

#include <cmath>
#include <regex>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <boost/json/serialize.hpp>

#include "kernel/host/text.h"

namespace ukube::host {
namespace {

namespace json = boost::json;
namespace pb = google::protobuf;

std::string describe(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "the number " + json::serialize(v);
    case json::kind::string: return "the string " + json::serialize(v);
    case json::kind::array: return "a list";
    case json::kind::object: return "a mapping";
  }
  return "a value";
}

bool is_number(const json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

bool is_integer_text(std::string_view s) {
  static const std::regex integer("-?[0-9]+");
  return std::regex_match(s.begin(), s.end(), integer);
}

// Protobuf JSON's spellings of floating-point values in strings.
bool is_float_text(std::string_view s) {
  static const std::regex number("-?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?|-?Infinity|NaN");
  return std::regex_match(s.begin(), s.end(), number);
}

// Well-known types (Duration, Timestamp, Struct, wrappers, ...) have their own JSON
// forms; Protobuf's parser knows them, a field-by-field walk would not.
bool is_well_known(const pb::Descriptor* d) {
  return d->file()->package() == "google.protobuf";
}

// Protobuf JSON accepts a field's proto name and its lowerCamel JSON name alike.
const pb::FieldDescriptor* field_named(const pb::Descriptor* d, const std::string& key) {
  if (const auto* f = d->FindFieldByName(key)) return f;
  for (int i = 0; i < d->field_count(); ++i)
    if (d->field(i)->json_name() == key) return d->field(i);
  return nullptr;
}

// Walks the JSON against the message descriptor, so that the first problem is reported
// with its full path instead of Protobuf's terse parser message.
class Checker {
 public:
  explicit Checker(const PluginConfig& entry) : entry_(entry) {}

  void message(const pb::Descriptor* d, const json::value& v, const std::string& path) const {
    if (!v.is_object()) mismatch(path, "a mapping of fields (message " + d->full_name() + ")", v);
    for (const auto& [key, value] : v.get_object()) {
      std::string field_path = path + "." + std::string(key);
      const pb::FieldDescriptor* f = field_named(d, std::string(key));
      if (!f) unknown(d, std::string(key), field_path);
      field(f, value, field_path);
    }
  }

 private:
  void field(const pb::FieldDescriptor* f, const json::value& v, const std::string& path) const {
    if (v.is_null()) return;  // null leaves the field at its default, as in Protobuf JSON
    if (f->is_map()) {
      if (!v.is_object()) mismatch(path, "a mapping", v);
      const pb::FieldDescriptor* value_field = f->message_type()->map_value();
      for (const auto& [key, item] : v.get_object()) single(value_field, item, path + "." + std::string(key));
      return;
    }
    if (f->is_repeated()) {
      if (!v.is_array()) mismatch(path, "a list", v);
      const auto& items = v.get_array();
      for (std::size_t i = 0; i < items.size(); ++i)
        single(f, items[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    single(f, v, path);
  }

  void single(const pb::FieldDescriptor* f, const json::value& v, const std::string& path) const {
    if (v.is_null()) return;
    using T = pb::FieldDescriptor;
    switch (f->cpp_type()) {
      case T::CPPTYPE_MESSAGE:
        if (!is_well_known(f->message_type())) message(f->message_type(), v, path);
        return;
      case T::CPPTYPE_STRING:
        if (v.is_string()) return;
        mismatch(path, f->type() == T::TYPE_BYTES ? "a base64 string" : "a string", v,
                 v.is_object() || v.is_array() ? "" : "; quote the value in the YAML to keep it a string");
      case T::CPPTYPE_BOOL:
        if (v.is_bool()) return;
        mismatch(path, "true or false", v);
      case T::CPPTYPE_ENUM: enumeration(f->enum_type(), v, path); return;
      case T::CPPTYPE_INT32:
      case T::CPPTYPE_INT64:
      case T::CPPTYPE_UINT32:
      case T::CPPTYPE_UINT64:
        // Digit strings are allowed because Protobuf JSON writes 64-bit integers as strings.
        if (v.is_int64() || v.is_uint64() || (v.is_string() && is_integer_text(v.get_string()))) return;
        if (v.is_double() && std::trunc(v.get_double()) == v.get_double()) return;
        mismatch(path, std::string("an integer (") + f->type_name() + ")", v);
      case T::CPPTYPE_FLOAT:
      case T::CPPTYPE_DOUBLE:
        if (is_number(v) || (v.is_string() && is_float_text(v.get_string()))) return;
        mismatch(path, std::string("a number (") + f->type_name() + ")", v);
    }
  }

  void enumeration(const pb::EnumDescriptor* e, const json::value& v, const std::string& path) const {
    if (v.is_int64() || v.is_uint64()) return;
    std::vector<std::string> names;
    for (int i = 0; i < e->value_count(); ++i) names.push_back(e->value(i)->name());
    if (!v.is_string()) mismatch(path, "one of " + join(names, ", "), v);
    std::string name(v.get_string());
    if (e->FindValueByName(name)) return;
    std::string hint;
    if (auto near = near_names(name, names); !near.empty()) hint = "; did you mean " + or_list(near) + "?";
    fail(path, "unknown value \"" + name + "\" for field \"" + path +
                   "\" (known values: " + join(names, ", ") + ")" + hint);
  }

  [[noreturn]] void unknown(const pb::Descriptor* d, const std::string& key, const std::string& path) const {
    std::vector<std::string> known;
    for (int i = 0; i < d->field_count(); ++i) known.push_back(d->field(i)->name());
    std::string hint;
    if (auto near = near_names(key, known); !near.empty()) hint = "; did you mean " + or_list(near) + "?";
    fail(path, "unknown field \"" + path +
                   "\" (known fields: " + (known.empty() ? "none" : join(known, ", ")) + ")" + hint);
  }

  [[noreturn]] void mismatch(const std::string& path, const std::string& expected, const json::value& v,
                             const std::string& advice = "") const {
    fail(path, "field \"" + path + "\" must be " + expected + ", not " + describe(v) + advice);
  }

  [[noreturn]] void fail(std::string path, const std::string& message) const {
    // The nearest recorded ancestor gives the line when the exact path has none.
    while (true) {
      auto it = entry_.config_lines.find(path);
      if (it != entry_.config_lines.end() && it->second) throw TypedConfigError(it->second, message);
      auto cut = path.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) break;
      path.resize(cut);
    }
    throw TypedConfigError(entry_.line, message);
  }

  const PluginConfig& entry_;
};

bool has_settings(const json::value& v) {
  return v.is_object() && !v.get_object().empty();
}

}  // namespace

std::shared_ptr<const pb::Message> build_plugin_config(const PluginDescriptor& descriptor,
                                                       const PluginConfig& entry) {
  if (!descriptor.config_prototype) {
    if (has_settings(entry.config)) {
      std::vector<std::string> keys;
      for (const auto& item : entry.config.get_object()) keys.emplace_back(item.key());
      throw TypedConfigError(entry.line, "takes no config, but the file gives it one (" + join(keys, ", ") +
                                             "); remove the config: section");
    }
    return std::make_shared<pb::Empty>();
  }
  std::shared_ptr<pb::Message> message(descriptor.config_prototype->New());
  if (entry.config.is_null()) return message;

  Checker(entry).message(message->GetDescriptor(), entry.config, "config");
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = pb::util::JsonStringToMessage(json::serialize(entry.config), message.get(), options);
  if (!status.ok()) {
    auto text = status.message();
    throw TypedConfigError(entry.line, "invalid config: " + std::string(text.data(), text.size()));
  }
  return message;
}

}  // namespace ukube::host
