#include "yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

bool is_null_word(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

json::value scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  // "!" marks a quoted (non-plain) scalar, which is always a string.
  if (node.Tag() == "!") return json::string(s);
  if (is_null_word(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') ++begin;
  int64_t i = 0;
  if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
  uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc() && p == end) return u;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    if (auto [p, ec] = std::from_chars(s.data() + 2, end, i, s[1] == 'x' ? 16 : 8);
        ec == std::errc() && p == end)
      return i;
  }
  double d = 0;
  if (auto [p, ec] = std::from_chars(begin, end, d); ec == std::errc() && p == end && std::isfinite(d))
    return d;
  return json::string(s);
}

json::value convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalar(node);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const auto& item : node) out.push_back(convert(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar())
          throw ApiError::bad_request("YAML line " + std::to_string(entry.first.Mark().line + 1) +
                                      ": only string keys are supported");
        out[entry.first.Scalar()] = convert(entry.second);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace

std::string yaml_to_json(std::string_view yaml) {
  try {
    return json::serialize(convert(YAML::Load(std::string(yaml))));
  } catch (const YAML::Exception& e) {
    throw ApiError::bad_request("error converting YAML to JSON: line " + std::to_string(e.mark.line + 1) +
                                ": " + e.msg);
  }
}

}  // namespace ukube::apiserver
