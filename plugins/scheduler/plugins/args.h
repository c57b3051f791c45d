#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json.hpp>

// Small checks for plugin args, so a typo in pluginConfig is an error that names it.
namespace ukube::scheduler {

inline void check_known_args(const boost::json::object& args, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : args) {
    bool ok = false;
    for (auto name : known) ok = ok || name == k;
    if (!ok) {
      std::string list;
      for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      throw std::invalid_argument("unknown arg \"" + std::string(k) +
                                  "\" (known args: " + (list.empty() ? "none" : list) + ")");
    }
  }
}

inline int64_t int_arg(const boost::json::object& args, std::string_view key, int64_t fallback) {
  const auto* v = args.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  throw std::invalid_argument("arg \"" + std::string(key) + "\" must be a number");
}

inline std::string string_arg(const boost::json::object& args, std::string_view key, std::string fallback) {
  const auto* v = args.if_contains(key);
  if (!v) return fallback;
  if (!v->is_string()) throw std::invalid_argument("arg \"" + std::string(key) + "\" must be a string");
  return std::string(v->get_string());
}

}  // namespace ukube::scheduler
