#include "ukube/machinery/field_errors.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ukube/machinery/names.h"

namespace ukube::machinery {

FieldPath FieldPath::child(std::string_view name) const {
  return FieldPath(path_.empty() ? std::string(name) : path_ + "." + std::string(name));
}

FieldPath FieldPath::index(size_t i) const {
  return FieldPath(path_ + "[" + std::to_string(i) + "]");
}

FieldPath FieldPath::key(std::string_view k) const {
  return FieldPath(path_ + "[" + std::string(k) + "]");
}

std::string go_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[40];
  int digits = 1;
  for (; digits < 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
  const char* e = std::strchr(buf, 'e');
  const int exponent = std::atoi(e + 1);
  if (exponent < -4 || exponent >= 6) {
    // Go: mantissa without trailing zeros, then e±dd.
    std::string mantissa(buf, static_cast<size_t>(e - buf));
    if (mantissa.find('.') != std::string::npos) {
      while (mantissa.back() == '0') mantissa.pop_back();
      if (mantissa.back() == '.') mantissa.pop_back();
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return mantissa + exp;
  }
  std::snprintf(buf, sizeof buf, "%.*f", std::max(0, digits - 1 - exponent), d);
  return buf;
}

std::string value_repr(const boost::json::value& v) {
  if (v.is_string()) return quote(v.get_string());
  if (v.is_null()) return "null";
  if (v.is_double()) return go_float(v.get_double());
  return boost::json::serialize(v);
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

void Errors::type_invalid(const FieldPath& p, std::string_view shown, std::string_view detail) {
  invalid(p, shown, detail);
  out_.back().reason = "FieldValueTypeInvalid";
}

void Errors::invalid_value(const FieldPath& p, const boost::json::value& v, std::string_view detail) {
  invalid(p, value_repr(v), detail);
}

void Errors::invalid_int(const FieldPath& p, int64_t v, std::string_view detail) {
  invalid(p, std::to_string(v), detail);
}

void Errors::unsupported(const FieldPath& p, std::string_view value,
                         const std::vector<std::string>& supported) {
  std::vector<std::string> shown;
  shown.reserve(supported.size());
  for (const auto& s : supported) shown.push_back(quote(s));
  unsupported_shown(p, quote(value), shown);
}

void Errors::unsupported_shown(const FieldPath& p, std::string_view shown,
                               const std::vector<std::string>& supported) {
  std::string m = "Unsupported value: " + std::string(shown);
  if (!supported.empty()) {
    m += ": supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) m += (i ? ", " : "") + supported[i];
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

void Errors::too_long(const FieldPath& p, size_t limit) {
  out_.push_back(
      {"FieldValueTooLong", p.str(), "Too long: may not be more than " + std::to_string(limit) + " bytes"});
}

}  // namespace ukube::machinery
