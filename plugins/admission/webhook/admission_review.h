#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "matcher.h"

// The admission.k8s.io/v1 AdmissionReview exchanged with a webhook: the request we send
// and the checks upstream makes of the answer (VerifyAdmissionResponse).
namespace ukube::webhook {

// A webhook that could not be called or answered nonsense. `reason` is what upstream
// prints after `failed calling webhook "NAME": `; the failure policy decides what follows.
class CallError : public std::runtime_error {
 public:
  explicit CallError(const std::string& reason) : std::runtime_error(reason) {}
};

// The whole AdmissionReview document for one call.
boost::json::object review_request(const std::string& uid, const Attributes& a, const UserInfo* user,
                                   bool dry_run);

struct ReviewResponse {
  bool allowed = false;
  boost::json::object status;               // response.status, possibly empty
  std::optional<boost::json::value> patch;  // decoded JSON patch (mutating webhooks only)
  std::vector<std::string> warnings;
};

// Parses and checks a webhook's answer to the review with `uid`. Throws CallError with
// upstream's wording ("received invalid webhook response: ...") when it is not acceptable.
ReviewResponse parse_review_response(const std::string& body, const std::string& uid, bool mutating);

}  // namespace ukube::webhook
