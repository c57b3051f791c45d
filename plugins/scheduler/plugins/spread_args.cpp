#include "plugins/spread_args.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "plugins/args.h"

namespace ukube::scheduler {
namespace json = boost::json;
namespace {

constexpr const char* kDoNotSchedule = "DoNotSchedule";
constexpr const char* kScheduleAnyway = "ScheduleAnyway";

// A value as an error shows it: JSON, but 1.5 rather than boost's 1.5E0.
std::string shown(const json::value& v) {
  if (!v.is_double()) return json::serialize(v);
  std::ostringstream out;
  out << v.get_double();
  return out.str();
}

// Every problem found, so one restart fixes them all; worded like upstream's field errors.
class Problems {
 public:
  void invalid(const std::string& path, const json::value& value, const std::string& why) {
    add(path + ": Invalid value: " + shown(value) + ": " + why);
  }
  void required(const std::string& path, const std::string& why) { add(path + ": Required value: " + why); }
  void unsupported(const std::string& path, const json::value& value, const char* supported) {
    add(path + ": Unsupported value: " + shown(value) + ": supported values: " + supported);
  }
  void add(std::string problem) { items_.push_back(std::move(problem)); }

  void throw_if_any() const {
    if (items_.empty()) return;
    if (items_.size() == 1) throw std::invalid_argument(items_.front());
    std::string all;
    for (const auto& p : items_) all += (all.empty() ? "[" : ", ") + p;
    throw std::invalid_argument(all + "]");
  }

 private:
  std::vector<std::string> items_;
};

// Integers may arrive as whole doubles: pluginConfig goes through a protobuf Struct.
std::optional<int64_t> integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double()) && std::trunc(v.get_double()) == v.get_double() &&
      std::abs(v.get_double()) < 9.2e18)
    return static_cast<int64_t>(v.get_double());
  return std::nullopt;
}

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// The name part of a label key: 1-63 of [A-Za-z0-9-_.], alphanumeric at both ends.
bool label_name(std::string_view s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// A DNS-1123 subdomain: dot-separated lowercase labels, alphanumeric at both ends.
bool dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !alnum(label.front()) || !alnum(label.back())) return false;
    for (char c : label)
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
            c == '-'))
        return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Why `key` is not a valid label key (node labels are what topology keys name), or "".
std::string label_key_problem(std::string_view key) {
  size_t slash = key.find('/');
  std::string_view name = key;
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (name.find('/') != std::string_view::npos)
      return "a label key has at most one '/' (an optional prefix, then a name)";
    if (!dns_subdomain(prefix))
      return "the prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.', at most 253 "
             "characters)";
  }
  if (!label_name(name))
    return "the name part must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an "
           "alphanumeric";
  return {};
}

std::string text(const json::object& c, std::string_view key) {
  const json::value* v = c.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A policy field: absent (default), Honor or Ignore.
std::optional<bool> policy(const json::object& c, const char* key, const std::string& path,
                           Problems& problems) {
  const json::value* v = c.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_string() && (v->get_string() == "Honor" || v->get_string() == "Ignore"))
    return v->get_string() == "Honor";
  problems.unsupported(path + "." + key, *v, "\"Honor\", \"Ignore\"");
  return std::nullopt;
}

TopologySpreadConstraint parse_constraint(const json::object& c, const std::string& path,
                                          Problems& problems) {
  static const char* const kFields[] = {"maxSkew",          "topologyKey",   "whenUnsatisfiable",
                                        "labelSelector",    "minDomains",    "nodeAffinityPolicy",
                                        "nodeTaintsPolicy", "matchLabelKeys"};
  for (const auto& [k, v] : c) {
    bool known = false;
    for (const char* f : kFields) known = known || k == f;
    if (!known) problems.add(path + "." + std::string(k) + ": unknown field");
  }
  TopologySpreadConstraint out;

  const json::value* skew = c.if_contains("maxSkew");
  std::optional<int64_t> n = skew ? integer(*skew) : std::optional<int64_t>(0);
  if (!n || *n <= 0 || *n > INT32_MAX)
    problems.invalid(path + ".maxSkew", skew ? *skew : json::value(0), "not in valid range (0, inf)");
  else
    out.max_skew = static_cast<int32_t>(*n);

  const json::value* key = c.if_contains("topologyKey");
  if (!key || (key->is_string() && key->get_string().empty())) {
    problems.required(path + ".topologyKey", "can not be empty");
  } else if (!key->is_string()) {
    problems.invalid(path + ".topologyKey", *key, "must be a string");
  } else if (std::string why = label_key_problem(key->get_string()); !why.empty()) {
    problems.invalid(path + ".topologyKey", *key, why);
  } else {
    out.topology_key = std::string(key->get_string());
  }

  const json::value* when = c.if_contains("whenUnsatisfiable");
  if (!when || (when->is_string() && when->get_string().empty()))
    problems.required(path + ".whenUnsatisfiable", "can not be empty");
  else if (!when->is_string() ||
           (when->get_string() != kDoNotSchedule && when->get_string() != kScheduleAnyway))
    problems.unsupported(path + ".whenUnsatisfiable", *when, "\"DoNotSchedule\", \"ScheduleAnyway\"");
  else
    out.hard = when->get_string() == kDoNotSchedule;

  if (const json::value* sel = c.if_contains("labelSelector"); sel && !sel->is_null())
    problems.add(path +
                 ".labelSelector: Forbidden: constraint must not define a selector, as it is derived " +
                 "for each pod from the Services and controllers that select it");

  if (const json::value* md = c.if_contains("minDomains"); md && !md->is_null()) {
    std::optional<int64_t> m = integer(*md);
    if (!m || *m <= 0 || *m > INT32_MAX)
      problems.invalid(path + ".minDomains", *md, "must be greater than 0");
    else
      out.min_domains = static_cast<int32_t>(*m);
  }
  if (auto honor = policy(c, "nodeAffinityPolicy", path, problems)) out.honor_node_affinity = *honor;
  if (auto honor = policy(c, "nodeTaintsPolicy", path, problems)) out.honor_node_taints = *honor;
  // matchLabelKeys is accepted and has no effect, as upstream: the derived selector
  // replaces whatever a default constraint's own selector would have been.
  return out;
}

}  // namespace

std::vector<TopologySpreadConstraint> system_default_constraints() {
  std::vector<TopologySpreadConstraint> out(2);
  out[0].max_skew = 3;
  out[0].topology_key = "kubernetes.io/hostname";
  out[1].max_skew = 5;
  out[1].topology_key = "topology.kubernetes.io/zone";
  for (auto& c : out) c.hard = false;
  return out;
}

SpreadArgs parse_spread_args(const json::object& args) {
  check_known_args(args, {"defaultingType", "defaultConstraints"});
  Problems problems;
  SpreadArgs out;

  std::string defaulting = "System";
  if (const json::value* t = args.if_contains("defaultingType"); t && !t->is_null()) {
    if (t->is_string() && (t->get_string() == "System" || t->get_string() == "List"))
      defaulting = std::string(t->get_string());
    else
      problems.unsupported("defaultingType", *t, "\"System\", \"List\"");
  }

  const json::array* list = nullptr;
  if (const json::value* dc = args.if_contains("defaultConstraints"); dc && !dc->is_null()) {
    if (dc->is_array())
      list = &dc->get_array();
    else
      problems.invalid("defaultConstraints", *dc, "must be a list of constraints");
  }
  if (defaulting == "System" && list && !list->empty())
    problems.invalid("defaultingType", json::value("System"), "when .defaultConstraints are not empty");

  std::vector<std::pair<std::string, std::string>> seen;  // (topologyKey, whenUnsatisfiable)
  if (list)
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string path = "defaultConstraints[" + std::to_string(i) + "]";
      const json::value& item = (*list)[i];
      if (!item.is_object()) {
        problems.invalid(path, item, "must be an object");
        continue;
      }
      out.defaults.push_back(parse_constraint(item.get_object(), path, problems));
      // One constraint per (topologyKey, whenUnsatisfiable), as for a pod's own.
      std::pair<std::string, std::string> id{text(item.get_object(), "topologyKey"),
                                             text(item.get_object(), "whenUnsatisfiable")};
      if (std::find(seen.begin(), seen.end(), id) != seen.end())
        problems.add(path + ": Duplicate value: \"{" + id.first + ", " + id.second + "}\"");
      seen.push_back(std::move(id));
    }
  problems.throw_if_any();

  out.system_defaulted = defaulting == "System";
  if (out.system_defaulted) out.defaults = system_default_constraints();
  return out;
}

}  // namespace ukube::scheduler
