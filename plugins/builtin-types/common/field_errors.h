#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/names.h"
#include "ukube/types.h"

// Upstream's field-error vocabulary (reason + "Required value" / "Invalid value: ..." text),
// so a 422 from ukube reads exactly like one from a real API server.
namespace ukube::builtin {

// A dotted field path with list indexes and map keys: spec.containers[0].ports[1], data[key].
class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string root) : path_(std::move(root)) {}
  FieldPath child(std::string_view name) const;
  FieldPath index(size_t i) const;
  FieldPath key(std::string_view k) const;
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

// How upstream prints a bad value: strings quoted, numbers and booleans bare, anything
// else as compact JSON.
using machinery::go_strings;
using machinery::quote;
std::string value_repr(const boost::json::value& v);

class Errors {
 public:
  explicit Errors(std::vector<FieldError>& out) : out_(out) {}

  void required(const FieldPath& p, std::string_view detail = {});
  // `shown` is the value as upstream prints it (see quote()/value_repr()).
  void invalid(const FieldPath& p, std::string_view shown, std::string_view detail);
  void invalid_value(const FieldPath& p, const boost::json::value& v, std::string_view detail);
  void invalid_int(const FieldPath& p, int64_t v, std::string_view detail);
  void unsupported(const FieldPath& p, std::string_view value, const std::vector<std::string>& supported);
  void duplicate(const FieldPath& p, std::string_view shown);
  void forbidden(const FieldPath& p, std::string_view detail);
  void not_found(const FieldPath& p, std::string_view shown);
  void too_many(const FieldPath& p, size_t have, size_t limit);

  size_t count() const { return out_.size(); }

 private:
  std::vector<FieldError>& out_;
};

// Common numeric rules with upstream's wording.
void check_non_negative(Errors& e, const FieldPath& p, const boost::json::object& o, std::string_view key);
void check_port_number(Errors& e, const FieldPath& p, int64_t port);  // 1..65535 inclusive

}  // namespace ukube::builtin
