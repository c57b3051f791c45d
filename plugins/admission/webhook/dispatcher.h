#pragma once

#include <memory>
#include <vector>

#include "admission_review.h"
#include "matcher.h"
#include "ukube/errors.h"
#include "ukube/https/transport.h"
#include "webhook_config.h"

namespace spdlog {
class logger;
}

// Calls the webhooks a request matches and turns their answers into upstream's outcomes:
// a denial, a patched object, or (on a call failure) admission or refusal as the failure
// policy says. Webhooks run one after another in configuration order; validating webhooks
// too (upstream calls those in parallel), which only costs latency.
namespace ukube::webhook {

using https::HttpCall;
using https::HttpResult;
using https::Transport;

class Dispatcher {
 public:
  Dispatcher(std::shared_ptr<Transport> transport, NamespaceLabels namespaces,
             std::shared_ptr<spdlog::logger> log = nullptr);

  // Mutating webhooks: may change *request.object. Throws ApiError to reject.
  void admit(AdmissionRequest& request, const std::vector<Webhook>& hooks) const;
  // Validating webhooks. Throws ApiError to reject.
  void validate(const AdmissionRequest& request, const std::vector<Webhook>& hooks) const;

  // One call, checked (throws CallError when the webhook cannot be called or answers nonsense).
  ReviewResponse call(const Webhook& hook, const Attributes& a, const UserInfo* user, bool dry_run) const;

 private:
  // Runs one matched webhook through the failure policy; nullopt when a failure was ignored.
  std::optional<ReviewResponse> invoke(const Webhook& hook, const Attributes& a, const UserInfo* user,
                                       bool dry_run) const;

  std::shared_ptr<Transport> transport_;
  NamespaceLabels namespaces_;
  std::shared_ptr<spdlog::logger> log_;
};

// The URL a webhook is posted to, with the ?timeout=Ns upstream's client appends.
std::string call_url(const Webhook& hook);
// upstream's ToStatusErr: `admission webhook "NAME" denied the request: MESSAGE`.
ApiError denial(const std::string& webhook_name, const boost::json::object& status);

}  // namespace ukube::webhook
