#include "common/field_errors.h"

#include <boost/json.hpp>

#include "common/json.h"

namespace ukube::builtin {

FieldPath FieldPath::child(std::string_view name) const {
  return FieldPath(path_.empty() ? std::string(name) : path_ + "." + std::string(name));
}

FieldPath FieldPath::index(size_t i) const {
  return FieldPath(path_ + "[" + std::to_string(i) + "]");
}

FieldPath FieldPath::key(std::string_view k) const {
  return FieldPath(path_ + "[" + std::string(k) + "]");
}

std::string value_repr(const json::value& v) {
  if (v.is_string()) return quote(as_string(v));
  if (v.is_null()) return "null";
  return json::serialize(v);
}

void Errors::required(const FieldPath& p, std::string_view detail) {
  std::string m = "Required value";
  if (!detail.empty()) m += ": " + std::string(detail);
  out_.push_back({"FieldValueRequired", p.str(), m});
}

void Errors::invalid(const FieldPath& p, std::string_view shown, std::string_view detail) {
  std::string m = "Invalid value: " + std::string(shown);
  if (!detail.empty()) m += ": " + std::string(detail);
  out_.push_back({"FieldValueInvalid", p.str(), m});
}

void Errors::invalid_value(const FieldPath& p, const json::value& v, std::string_view detail) {
  invalid(p, value_repr(v), detail);
}

void Errors::invalid_int(const FieldPath& p, int64_t v, std::string_view detail) {
  invalid(p, std::to_string(v), detail);
}

void Errors::unsupported(const FieldPath& p, std::string_view value,
                         const std::vector<std::string>& supported) {
  std::string m = "Unsupported value: " + quote(value);
  if (!supported.empty()) {
    m += ": supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) m += (i ? ", " : "") + quote(supported[i]);
  }
  out_.push_back({"FieldValueNotSupported", p.str(), m});
}

void Errors::duplicate(const FieldPath& p, std::string_view shown) {
  out_.push_back({"FieldValueDuplicate", p.str(), "Duplicate value: " + std::string(shown)});
}

void Errors::forbidden(const FieldPath& p, std::string_view detail) {
  out_.push_back({"FieldValueForbidden", p.str(), "Forbidden: " + std::string(detail)});
}

void Errors::not_found(const FieldPath& p, std::string_view shown) {
  out_.push_back({"FieldValueNotFound", p.str(), "Not found: " + std::string(shown)});
}

void Errors::too_many(const FieldPath& p, size_t have, size_t limit) {
  out_.push_back(
      {"FieldValueTooMany", p.str(),
       "Too many: " + std::to_string(have) + ": must have at most " + std::to_string(limit) + " items"});
}

void check_non_negative(Errors& e, const FieldPath& p, const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return;
  auto n = as_int(*v);
  if (!n) {
    e.invalid_value(p.child(key), *v, "must be an integer");
  } else if (*n < 0) {
    e.invalid_int(p.child(key), *n, "must be greater than or equal to 0");
  }
}

void check_port_number(Errors& e, const FieldPath& p, int64_t port) {
  if (port < 1 || port > 65535) e.invalid_int(p, port, "must be between 1 and 65535, inclusive");
}

}  // namespace ukube::builtin
