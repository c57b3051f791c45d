#include "ukube/errors.h"

#include <boost/json.hpp>

namespace ukube {

ApiError::ApiError(int code, std::string reason, const std::string& message)
    : std::runtime_error(message), code_(code), reason_(std::move(reason)) {}

ApiError::~ApiError() = default;

std::string ApiError::status_json() const {
  boost::json::object details;
  if (!name.empty()) details["name"] = name;
  if (!group.empty()) details["group"] = group;
  if (!kind.empty()) details["kind"] = kind;
  if (!uid.empty()) details["uid"] = uid;
  if (!causes.empty()) {
    boost::json::array list;
    for (const auto& c : causes) {
      boost::json::object cause;
      if (!c.reason.empty()) cause["reason"] = c.reason;
      cause["message"] = c.message;
      if (!c.field.empty()) cause["field"] = c.field;
      list.push_back(std::move(cause));
    }
    details["causes"] = std::move(list);
  }
  if (retry_after_seconds > 0) details["retryAfterSeconds"] = retry_after_seconds;
  boost::json::object status{{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", boost::json::object{}},
                             {"status", "Failure"}, {"message", what()},  {"reason", reason_}};
  if (!details.empty()) status["details"] = std::move(details);
  status["code"] = code_;
  return boost::json::serialize(status);
}

namespace {

// "pods" / "deployments.apps" → group "apps", resource "deployments".
std::pair<std::string, std::string> split_group_resource(const std::string& group_resource) {
  auto dot = group_resource.find('.');
  if (dot == std::string::npos) return {"", group_resource};
  return {group_resource.substr(dot + 1), group_resource.substr(0, dot)};
}

ApiError with_resource(ApiError e, const std::string& group_resource, const std::string& name) {
  auto [group, resource] = split_group_resource(group_resource);
  e.group = group;
  e.kind = resource;
  e.name = name;
  return e;
}

}  // namespace

ApiError ApiError::not_found(const std::string& gr, const std::string& name) {
  return with_resource(ApiError(404, "NotFound", gr + " \"" + name + "\" not found"), gr, name);
}

ApiError ApiError::already_exists(const std::string& gr, const std::string& name) {
  return with_resource(ApiError(409, "AlreadyExists", gr + " \"" + name + "\" already exists"), gr, name);
}

ApiError ApiError::conflict(const std::string& gr, const std::string& name, const std::string& why) {
  return with_resource(
      ApiError(409, "Conflict", "Operation cannot be fulfilled on " + gr + " \"" + name + "\": " + why), gr,
      name);
}

ApiError ApiError::stale(const std::string& gr, const std::string& name) {
  return conflict(
      gr, name,
      "the object has been modified; please apply your changes to the latest version and try again");
}

ApiError ApiError::invalid(const GroupVersionKind& gvk, const std::string& name,
                           const std::vector<FieldError>& errors) {
  std::string qualified_kind = gvk.group.empty() ? gvk.kind : gvk.kind + "." + gvk.group;
  std::string list;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) list += ", ";
    list += errors[i].field.empty() ? errors[i].message : errors[i].field + ": " + errors[i].message;
  }
  if (errors.size() > 1) list = "[" + list + "]";
  ApiError e(422, "Invalid", qualified_kind + " \"" + name + "\" is invalid: " + list);
  e.group = gvk.group;
  e.kind = gvk.kind;
  e.name = name;
  for (const auto& f : errors) e.causes.push_back({f.reason, f.message, f.field});
  return e;
}

ApiError ApiError::bad_request(const std::string& m) {
  return ApiError(400, "BadRequest", m);
}
ApiError ApiError::unauthorized(const std::string& m) {
  return ApiError(401, "Unauthorized", m);
}
ApiError ApiError::forbidden(const std::string& m) {
  return ApiError(403, "Forbidden", m);
}
ApiError ApiError::method_not_allowed(const std::string& m) {
  return ApiError(405, "MethodNotAllowed", m);
}
ApiError ApiError::expired(const std::string& m) {
  return ApiError(410, "Expired", m);
}
ApiError ApiError::gone(const std::string& m) {
  return ApiError(410, "Gone", m);
}
ApiError ApiError::unsupported_media_type(const std::string& m) {
  return ApiError(415, "UnsupportedMediaType", m);
}
ApiError ApiError::internal(const std::string& m) {
  return ApiError(500, "InternalError", "Internal error occurred: " + m);
}

ApiError ApiError::too_many_requests(const std::string& m, int retry_after) {
  ApiError e(429, "TooManyRequests", m);
  e.retry_after_seconds = retry_after;
  return e;
}

ApiError ApiError::resource_not_found() {
  return ApiError(404, "NotFound", "the server could not find the requested resource");
}

}  // namespace ukube
