#include "admission_review.h"
#include "ukube/machinery/names.h"

#include <boost/json.hpp>
#include <cstdio>
#include <random>

#include "ukube/base64.h"

namespace ukube::webhook {
namespace json = boost::json;
namespace {

json::object group_version_kind(const Attributes& a) {
  return {{"group", a.group}, {"version", a.version}, {"kind", a.kind}};
}

json::object group_version_resource(const Attributes& a) {
  return {{"group", a.group}, {"version", a.version}, {"resource", a.resource}};
}

// The options the request came with, as upstream passes them (CreateOptions, ...).
json::value operation_options(const std::string& operation, bool dry_run) {
  std::string kind;
  if (operation == "CREATE") kind = "CreateOptions";
  if (operation == "UPDATE") kind = "UpdateOptions";
  if (operation == "DELETE") kind = "DeleteOptions";
  if (kind.empty()) return nullptr;
  json::object options{{"kind", kind}, {"apiVersion", "meta.k8s.io/v1"}};
  if (dry_run) options["dryRun"] = json::array{"All"};
  return options;
}

[[noreturn]] void invalid(const std::string& why) {
  throw CallError("received invalid webhook response: " + why);
}

}  // namespace

json::object review_request(const std::string& uid, const Attributes& a, const UserInfo* user, bool dry_run) {
  json::object request;
  request["uid"] = uid;
  request["kind"] = group_version_kind(a);
  request["resource"] = group_version_resource(a);
  if (!a.subresource.empty()) request["subResource"] = a.subresource;
  // ukube serves one version per resource, so what was asked for is what is sent.
  request["requestKind"] = group_version_kind(a);
  request["requestResource"] = group_version_resource(a);
  if (!a.subresource.empty()) request["requestSubResource"] = a.subresource;
  if (!a.name.empty()) request["name"] = a.name;
  if (!a.namespace_.empty()) request["namespace"] = a.namespace_;
  request["operation"] = a.operation;
  request["userInfo"] = user ? user_info_json(*user) : json::object{};
  request["object"] = a.object ? json::value(*a.object) : json::value(nullptr);
  request["oldObject"] = a.old_object ? json::value(*a.old_object) : json::value(nullptr);
  request["dryRun"] = dry_run;
  request["options"] = operation_options(a.operation, dry_run);
  return {
      {"kind", "AdmissionReview"}, {"apiVersion", "admission.k8s.io/v1"}, {"request", std::move(request)}};
}

ReviewResponse parse_review_response(const std::string& body, const std::string& uid, bool mutating) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  // Upstream's client fails to decode before it gets to verify anything.
  if (ec) throw CallError("failed to call webhook: the webhook's answer is not JSON (" + ec.message() + ")");
  if (!doc.is_object()) throw CallError("failed to call webhook: the webhook's answer is not a JSON object");
  const json::object& review = doc.get_object();
  const auto* response = review.if_contains("response");
  if (!response || !response->is_object()) invalid("webhook response was absent");
  const json::object& r = response->get_object();

  const auto* got_uid = r.if_contains("uid");
  std::string_view got = got_uid && got_uid->is_string() ? std::string_view(got_uid->get_string()) : "";
  if (got != uid)
    invalid("expected response.uid=" + machinery::quote(uid) + ", got " + machinery::quote(got));

  auto text = [&](std::string_view key) {
    const auto* v = review.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::string api_version = text("apiVersion"), kind = text("kind");
  if (api_version != "admission.k8s.io/v1" || kind != "AdmissionReview") {
    auto slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
    invalid("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got " + group + "/" +
            version + ", Kind=" + kind);
  }

  ReviewResponse out;
  const auto* allowed = r.if_contains("allowed");
  out.allowed = allowed && allowed->is_bool() && allowed->get_bool();
  if (const auto* s = r.if_contains("status"); s && s->is_object()) out.status = s->get_object();
  if (const auto* w = r.if_contains("warnings"); w && w->is_array())
    for (const auto& item : w->get_array())
      if (item.is_string()) out.warnings.emplace_back(item.get_string());

  const auto* patch = r.if_contains("patch");
  const bool has_patch = patch && patch->is_string() && !patch->get_string().empty();
  const auto* patch_type = r.if_contains("patchType");
  const bool has_type = patch_type && !patch_type->is_null();
  if (!mutating) {
    if (has_patch) invalid("validating webhook may not return response.patch");
    if (has_type) invalid("validating webhook may not return response.patchType");
    return out;
  }
  if (has_patch && !has_type) invalid("webhook returned response.patch but not response.patchType");
  if (!has_patch && has_type) invalid("webhook returned response.patchType but not response.patch");
  if (!has_patch) return out;
  std::string type = patch_type->is_string() ? std::string(patch_type->get_string()) : "";
  if (type.empty()) invalid("webhook returned invalid response.patchType of " + machinery::quote(type));
  if (!out.allowed) return out;  // a denial wins over whatever patch came with it
  if (type != "JSONPatch") throw CallError("unsupported patch type " + machinery::quote(type));
  auto raw = base64_decode(patch->get_string());
  if (!raw) throw CallError("received undecodable patch in webhook response: response.patch is not base64");
  json::value decoded = json::parse(*raw, ec);
  if (ec || !decoded.is_array())
    throw CallError("received undecodable patch in webhook response: " +
                    (ec ? ec.message() : std::string("a JSON patch is an array of operations")));
  out.patch = std::move(decoded);
  return out;
}

}  // namespace ukube::webhook
