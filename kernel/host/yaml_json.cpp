#include "kernel/host/yaml_json.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <regex>

#include "kernel/host/errors.h"

namespace ukube::host {
namespace {

bool is_core_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Integers per the YAML 1.2 core schema: decimal, 0o octal, 0x hex.
std::optional<boost::json::value> core_integer(const std::string& s) {
  static const std::regex decimal("[-+]?[0-9]+"), octal("0o[0-7]+"), hex("0x[0-9a-fA-F]+");
  int base = 10;
  std::size_t skip = 0;
  if (std::regex_match(s, decimal)) {
    skip = s[0] == '+' ? 1 : 0;
  } else if (std::regex_match(s, octal)) {
    base = 8, skip = 2;
  } else if (std::regex_match(s, hex)) {
    base = 16, skip = 2;
  } else {
    return std::nullopt;
  }
  const char* first = s.data() + skip;
  const char* last = s.data() + s.size();
  int64_t signed_value = 0;
  if (auto [end, ec] = std::from_chars(first, last, signed_value, base); ec == std::errc() && end == last)
    return boost::json::value(signed_value);
  uint64_t unsigned_value = 0;
  if (auto [end, ec] = std::from_chars(first, last, unsigned_value, base); ec == std::errc() && end == last)
    return boost::json::value(unsigned_value);
  // Beyond 64 bits: keep the digits; Protobuf's JSON parser reports the range error.
  return boost::json::value(s);
}

std::optional<boost::json::value> core_float(const std::string& s) {
  static const std::regex number("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex inf("[-+]?\\.(inf|Inf|INF)"), nan("\\.(nan|NaN|NAN)");
  if (std::regex_match(s, number)) return boost::json::value(std::strtod(s.c_str(), nullptr));
  // JSON has no infinities or NaN; these are the spellings Protobuf's JSON parser accepts.
  if (std::regex_match(s, inf)) return boost::json::value(s[0] == '-' ? "-Infinity" : "Infinity");
  if (std::regex_match(s, nan)) return boost::json::value("NaN");
  return std::nullopt;
}

boost::json::value plain_scalar(const std::string& s) {
  if (is_core_null(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = core_integer(s)) return *i;
  if (auto f = core_float(s)) return *f;
  return boost::json::value(s);
}

// "!" is what yaml-cpp gives quoted and block scalars; "!!str" forces a string too.
bool is_string_tagged(const YAML::Node& node) {
  return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

std::string where(const std::string& source, const YAML::Node& node) {
  int line = line_of(node);
  return line ? source + ":" + std::to_string(line) : source;
}

}  // namespace

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

boost::json::value yaml_to_json(const YAML::Node& node, const std::string& path, const std::string& source,
                                std::map<std::string, int>& lines) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return is_string_tagged(node) ? boost::json::value("") : nullptr;
    case YAML::NodeType::Scalar:
      return is_string_tagged(node) ? boost::json::value(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (std::size_t i = 0; i < node.size(); ++i) {
        std::string item_path = path + "[" + std::to_string(i) + "]";
        lines[item_path] = line_of(node[i]);
        array.push_back(yaml_to_json(node[i], item_path, source, lines));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar())
          throw ConfigError(where(source, entry.first) + ": keys under " + path +
                            " must be plain names; use a scalar key");
        const std::string& key = entry.first.Scalar();
        std::string key_path = path + "." + key;
        if (object.contains(key))
          throw ConfigError(where(source, entry.first) + ": duplicate key \"" + key_path +
                            "\" (first at line " + std::to_string(lines[key_path]) + "); keep only one");
        lines[key_path] = line_of(entry.first);
        object[key] = yaml_to_json(entry.second, key_path, source, lines);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace ukube::host
