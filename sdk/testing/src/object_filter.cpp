#include "object_filter.h"

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"

namespace ukube::testing::detail {

ObjectFilter::ObjectFilter(std::string ns, const ListOptions& options) : ns_(std::move(ns)) {
  try {
    labels_ = machinery::parse_selector(options.label_selector);
  } catch (const machinery::SelectorError& e) {
    throw ApiError::bad_request(e.what());
  }
  try {
    fields_ = machinery::parse_field_selector(options.field_selector);
  } catch (const machinery::FieldSelectorError& e) {
    throw ApiError::bad_request(e.what());
  }
}

bool ObjectFilter::matches(const boost::json::object& object) const {
  if (!ns_.empty() && machinery::namespace_of(object) != ns_) return false;
  if (!machinery::matches(labels_, machinery::labels_of(object))) return false;
  for (const auto& term : fields_)
    if ((field_value(object, term.field) == term.value) != term.equals) return false;
  return true;
}

std::string field_value(const boost::json::object& object, std::string_view path) {
  const boost::json::object* at = &object;
  const boost::json::value* value = nullptr;
  while (at) {
    auto dot = path.find('.');
    value = at->if_contains(path.substr(0, dot));
    if (!value || dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
    at = value->if_object();
    value = nullptr;
  }
  if (!value) return "";
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_bool()) return value->get_bool() ? "true" : "false";
  if (auto n = machinery::as_int(*value)) return std::to_string(*n);
  return "";
}

}  // namespace ukube::testing::detail
