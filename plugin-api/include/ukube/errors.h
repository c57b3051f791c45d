#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ukube/export.h"
#include "ukube/types.h"

// API errors with upstream's codes, reasons and message wording (metav1.Status), thrown
// by the request pipeline and every Client.
namespace ukube {

struct StatusCause {
  std::string reason;
  std::string message;
  std::string field;
};

class UKUBE_API ApiError : public std::runtime_error {
 public:
  ApiError(int code, std::string reason, const std::string& message);
  ~ApiError() override;

  int code() const { return code_; }
  const std::string& reason() const { return reason_; }

  // metav1.Status details.
  std::string group;
  std::string kind;
  std::string name;
  std::string uid;
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;

  // The error as a metav1.Status JSON document.
  std::string status_json() const;

  static ApiError not_found(const std::string& group_resource, const std::string& name);
  static ApiError already_exists(const std::string& group_resource, const std::string& name);
  static ApiError conflict(const std::string& group_resource, const std::string& name,
                           const std::string& why);
  static ApiError stale(const std::string& group_resource, const std::string& name);  // modified since read
  static ApiError invalid(const GroupVersionKind& gvk, const std::string& name,
                          const std::vector<FieldError>& errors);
  static ApiError bad_request(const std::string& message);
  static ApiError unauthorized(const std::string& message = "Unauthorized");
  static ApiError forbidden(const std::string& message);
  static ApiError method_not_allowed(const std::string& message);
  static ApiError expired(const std::string& message);
  static ApiError gone(const std::string& message);
  static ApiError too_many_requests(const std::string& message, int retry_after_seconds);
  static ApiError unsupported_media_type(const std::string& message);
  static ApiError internal(const std::string& message);
  static ApiError resource_not_found();  // unknown resource: upstream's generic 404

 private:
  int code_;
  std::string reason_;
};

inline bool is_not_found(const ApiError& e) {
  return e.reason() == "NotFound";
}
inline bool is_already_exists(const ApiError& e) {
  return e.reason() == "AlreadyExists";
}
inline bool is_conflict(const ApiError& e) {
  return e.reason() == "Conflict";
}
inline bool is_invalid(const ApiError& e) {
  return e.reason() == "Invalid";
}
inline bool is_expired(const ApiError& e) {
  return e.code() == 410;
}
// A create refused because its namespace is being deleted (cause NamespaceTerminating):
// controllers drop such work instead of retrying or reporting it.
inline bool is_namespace_terminating(const ApiError& e) {
  for (const auto& cause : e.causes)
    if (cause.reason == "NamespaceTerminating") return true;
  return false;
}

}  // namespace ukube
