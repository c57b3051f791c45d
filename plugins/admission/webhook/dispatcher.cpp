#include "dispatcher.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/uuid.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/json_patch.h"

namespace ukube::webhook {
namespace json = boost::json;
namespace {

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// What Go's REST client says of a non-2xx answer: a Status body's message, else its
// generic wording.
std::string status_failure(long code, const std::string& body) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (!ec && doc.is_object() && text_of(doc.get_object(), "kind") == "Status") {
    std::string message = text_of(doc.get_object(), "message");
    if (!message.empty()) return message;
  }
  if (code >= 500 && !body.empty())
    return "an error on the server (" + machinery::quote(body.substr(0, 1024)) +
           ") has prevented the request from succeeding";
  return "the server responded with the status code " + std::to_string(code) +
         " but did not return more information";
}

bool dry_run_safe(const std::string& side_effects) {
  return side_effects == "None" || side_effects == "NoneOnDryRun";
}

}  // namespace

std::string call_url(const Webhook& hook) {
  std::string base = hook.url;
  if (hook.service) {
    const ServiceReference& s = *hook.service;
    base = "https://" + s.name + "." + s.namespace_ + ".svc:" + std::to_string(s.port) + s.path;
  }
  return base + "?timeout=" + std::to_string(hook.timeout_seconds) + "s";
}

ApiError denial(const std::string& webhook_name, const json::object& status) {
  const std::string denied_by = "admission webhook " + machinery::quote(webhook_name) + " denied the request";
  std::string message = text_of(status, "message");
  std::string reason = text_of(status, "reason");
  if (!message.empty())
    message = denied_by + ": " + message;
  else if (!reason.empty())
    message = denied_by + ": " + reason;
  else
    message = denied_by + " without explanation";
  int code = 0;
  if (const auto* c = status.if_contains("code"); c && (c->is_int64() || c->is_uint64()))
    code = static_cast<int>(c->to_number<int64_t>());
  if (code < 400 || code > 599) code = 400;  // a rejection is never a success
  ApiError error(code, reason, message);
  if (const auto* d = status.if_contains("details"); d && d->is_object()) {
    const json::object& details = d->get_object();
    error.name = text_of(details, "name");
    error.group = text_of(details, "group");
    error.kind = text_of(details, "kind");
    error.uid = text_of(details, "uid");
    if (const auto* causes = details.if_contains("causes"); causes && causes->is_array())
      for (const auto& c : causes->get_array())
        if (c.is_object())
          error.causes.push_back({text_of(c.get_object(), "reason"), text_of(c.get_object(), "message"),
                                  text_of(c.get_object(), "field")});
  }
  return error;
}

Dispatcher::Dispatcher(std::shared_ptr<Transport> transport, NamespaceLabels namespaces,
                       std::shared_ptr<spdlog::logger> log)
    : transport_(std::move(transport)), namespaces_(std::move(namespaces)), log_(std::move(log)) {}

ReviewResponse Dispatcher::call(const Webhook& hook, const Attributes& a, const UserInfo* user,
                                bool dry_run) const {
  if (!hook.config_error.empty()) throw CallError("could not get REST client: " + hook.config_error);
  const std::string url = call_url(hook);
  if (hook.service)
    throw CallError(
        "failed to call webhook: Post " + machinery::quote(url) +
        ": clientConfig.service cannot be reached: ukube has no cluster networking for the API server "
        "to reach Services through; expose the webhook on an address of this host and set "
        "clientConfig.url instead");
  if (std::find(hook.review_versions.begin(), hook.review_versions.end(), "v1") == hook.review_versions.end())
    throw CallError(
        "could not create admission objects: webhook does not accept known AdmissionReview versions (v1)");
  const std::string uid = machinery::new_uuid();
  HttpCall http{url, hook.ca_bundle, std::chrono::seconds(hook.timeout_seconds),
                json::serialize(review_request(uid, a, user, dry_run))};
  HttpResult result = transport_->post(http);
  if (!result.sent)
    throw CallError("failed to call webhook: Post " + machinery::quote(url) + ": " + result.error);
  if (result.status < 200 || result.status > 299)
    throw CallError("failed to call webhook: " + status_failure(result.status, result.body));
  return parse_review_response(result.body, uid, hook.mutating);
}

std::optional<ReviewResponse> Dispatcher::invoke(const Webhook& hook, const Attributes& a,
                                                 const UserInfo* user, bool dry_run) const {
  if (dry_run && !dry_run_safe(hook.side_effects))
    throw ApiError::bad_request("admission webhook " + machinery::quote(hook.name) +
                                " does not support dry run");
  ReviewResponse response;
  try {
    response = call(hook, a, user, dry_run);
  } catch (const CallError& e) {
    const std::string failure = "failed calling webhook " + machinery::quote(hook.name) + ": " + e.what();
    if (hook.fail_open) {
      if (log_) log_->warn("Failed calling webhook, failing open {}: {}", hook.name, failure);
      return std::nullopt;
    }
    if (log_) log_->warn("Failed calling webhook, failing closed {}: {}", hook.name, failure);
    ApiError error = ApiError::internal(failure);
    error.causes.push_back({"", failure, ""});
    throw error;
  }
  // AdmissionRequest has no way to hand warnings back to the caller yet; keep them visible.
  for (const auto& w : response.warnings)
    if (log_)
      log_->warn("admission webhook {} warned on {} {}/{}: {}", hook.name, a.resource, a.namespace_, a.name,
                 w);
  if (!response.allowed) throw denial(hook.name, response.status);
  return response;
}

void Dispatcher::admit(AdmissionRequest& request, const std::vector<Webhook>& hooks) const {
  for (const Webhook& hook : hooks) {
    Attributes a = attributes_of(request);  // fresh each time: earlier webhooks may have patched the object
    if (!should_call(hook, a, namespaces_)) continue;
    std::optional<ReviewResponse> response = invoke(hook, a, request.user, request.dry_run);
    if (!response || !response->patch || response->patch->get_array().empty()) continue;
    if (!request.object)
      throw ApiError::internal("admission webhook " + machinery::quote(hook.name) +
                               " attempted to modify the object, which is not supported for this operation");
    json::value patched = *request.object;
    try {
      apply_json_patch(patched, *response->patch);
    } catch (const ApiError& e) {
      throw ApiError::internal(e.what());
    }
    if (!patched.is_object())
      throw ApiError::internal("admission webhook " + machinery::quote(hook.name) +
                               " patched the object into a non-object");
    *request.object = std::move(patched.get_object());
  }
}

void Dispatcher::validate(const AdmissionRequest& request, const std::vector<Webhook>& hooks) const {
  const Attributes a = attributes_of(request);
  for (const Webhook& hook : hooks)
    if (should_call(hook, a, namespaces_)) invoke(hook, a, request.user, request.dry_run);
}

}  // namespace ukube::webhook
