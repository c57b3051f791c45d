#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/types.h"

// Upstream's field-error vocabulary (reason + "Required value" / "Invalid value: ..." text),
// so a 422 from ukube reads exactly like one from a real API server, whichever plugin
// validates the object (built-in types, custom resources).
namespace ukube::machinery {

// A dotted field path with list indexes and map keys: spec.containers[0].ports[1], data[key].
class UKUBE_MACHINERY_API FieldPath {
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
UKUBE_MACHINERY_API std::string value_repr(const boost::json::value& v);
// A float as Go's %v prints it: the shortest digits that read back the same, in exponent
// form from 1e+06 up and below 1e-04 ("0.3", "1.5", "123456", "1.234567e+06", "1e-05").
UKUBE_MACHINERY_API std::string go_float(double d);

class UKUBE_MACHINERY_API Errors {
 public:
  explicit Errors(std::vector<FieldError>& out) : out_(out) {}

  void required(const FieldPath& p, std::string_view detail = {});
  // `shown` is the value as upstream prints it (see quote()/value_repr()).
  void invalid(const FieldPath& p, std::string_view shown, std::string_view detail);
  void invalid_value(const FieldPath& p, const boost::json::value& v, std::string_view detail);
  void invalid_int(const FieldPath& p, int64_t v, std::string_view detail);
  // A value of the wrong JSON type: reads as invalid() with upstream's own reason.
  void type_invalid(const FieldPath& p, std::string_view shown, std::string_view detail);
  void unsupported(const FieldPath& p, std::string_view value, const std::vector<std::string>& supported);
  // As unsupported(), with the value and the choices already printed the way upstream does.
  void unsupported_shown(const FieldPath& p, std::string_view shown,
                         const std::vector<std::string>& supported);
  void duplicate(const FieldPath& p, std::string_view shown);
  void forbidden(const FieldPath& p, std::string_view detail);
  void not_found(const FieldPath& p, std::string_view shown);
  void too_many(const FieldPath& p, size_t have, size_t limit);
  // A string longer than `limit` bytes.
  void too_long(const FieldPath& p, size_t limit);

  size_t count() const { return out_.size(); }

 private:
  std::vector<FieldError>& out_;
};

}  // namespace ukube::machinery
