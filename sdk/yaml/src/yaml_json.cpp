#include "ukube/yaml/yaml_json.h"

#include <cstdint>
#include <unordered_set>

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <regex>

namespace ukube::yaml {
namespace {

bool is_core_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

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
  // Beyond 64 bits: the digits as written; whoever reads the value reports the range.
  return boost::json::value(s);
}

std::optional<boost::json::value> core_float(const std::string& s) {
  static const std::regex number("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex inf("[-+]?\\.(inf|Inf|INF)"), nan("\\.(nan|NaN|NAN)");
  if (std::regex_match(s, number)) return boost::json::value(std::strtod(s.c_str(), nullptr));
  if (std::regex_match(s, inf)) return boost::json::value(s[0] == '-' ? "-Infinity" : "Infinity");
  if (std::regex_match(s, nan)) return boost::json::value("NaN");
  return std::nullopt;
}

}  // namespace

boost::json::value plain_scalar(const std::string& s) {
  if (is_core_null(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = core_integer(s)) return *i;
  if (auto f = core_float(s)) return *f;
  return boost::json::value(s);
}

bool is_string_tagged(const YAML::Node& node) {
  return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

boost::json::value scalar_to_json(const YAML::Node& node) {
  if (!node.IsScalar()) return is_string_tagged(node) ? boost::json::value("") : nullptr;
  return is_string_tagged(node) ? boost::json::value(node.Scalar()) : plain_scalar(node.Scalar());
}

namespace {

// Aliases make a small document expand into an enormous one ("billion laughs"). As
// go-yaml (and so upstream) does, a document may owe most of its nodes to aliases only
// while it is small: the share allowed falls from 99% at 400,000 nodes to 10% at 4 million.
class AliasBudget {
 public:
  // Counts a node about to be converted; throws once aliases have expanded it too far.
  void count(const YAML::Node& node, bool via_alias) {
    ++decoded_;
    if (via_alias) ++aliased_;
    if (decoded_ > 1000 && static_cast<double>(aliased_) / static_cast<double>(decoded_) > allowed_ratio())
      throw YamlError(line_of(node), "document contains excessive aliasing");
  }
  // Whether this node was converted before: reaching it again is an alias.
  bool seen_before(const YAML::Node& node) {
    const int pos = node.Mark().pos;
    return pos >= 0 && !seen_.insert(pos).second;
  }

 private:
  double allowed_ratio() const {
    constexpr double kLow = 400000, kHigh = 4000000;
    const auto n = static_cast<double>(decoded_);
    if (n <= kLow) return 0.99;
    if (n >= kHigh) return 0.10;
    return 0.99 - 0.89 * (n - kLow) / (kHigh - kLow);
  }

  uint64_t decoded_ = 0;
  uint64_t aliased_ = 0;
  std::unordered_set<int> seen_;
};

boost::json::value convert(const YAML::Node& node, AliasBudget& budget, bool via_alias) {
  via_alias = budget.seen_before(node) || via_alias;
  budget.count(node, via_alias);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      boost::json::array out;
      for (const auto& item : node) out.push_back(convert(item, budget, via_alias));
      return out;
    }
    case YAML::NodeType::Map: {
      boost::json::object out;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) throw YamlError(line_of(entry.first), "only string keys are supported");
        const std::string& key = entry.first.Scalar();
        if (out.contains(key)) throw YamlError(line_of(entry.first), "duplicate key \"" + key + "\"");
        out[key] = convert(entry.second, budget, via_alias);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace

boost::json::value node_to_json(const YAML::Node& node) {
  AliasBudget budget;
  return convert(node, budget, false);
}

std::vector<boost::json::value> documents_to_json(std::string_view text) {
  std::vector<boost::json::value> out;
  try {
    for (const auto& document : YAML::LoadAll(std::string(text)))
      if (!document.IsNull()) out.push_back(node_to_json(document));
  } catch (const YAML::Exception& e) {
    throw YamlError(e.mark.is_null() ? 0 : e.mark.line + 1, e.msg);
  }
  return out;
}

}  // namespace ukube::yaml
