#include "request_options.h"

#include <boost/json.hpp>
#include <charconv>

#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

bool parse_bool(const std::string& name, const std::string& v) {
  if (auto b = go_bool(v)) return *b;
  throw ApiError::bad_request(name + ": invalid boolean value \"" + v + "\"");
}

bool flag(const Query& q, const std::string& name) {
  return q.has(name) && parse_bool(name, q.get(name));
}

int64_t parse_int(const std::string& name, const std::string& v) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    throw ApiError::bad_request(name + ": invalid integer value \"" + v + "\"");
  return out;
}

bool dry_run_values(const std::vector<std::string>& values) {
  for (const auto& v : values)
    if (v != "All")
      throw ApiError::bad_request("dryRun: Unsupported value: \"" + v + "\": supported values: \"All\"");
  return !values.empty();
}

void check_propagation(const std::string& policy) {
  if (policy.empty() || policy == "Orphan" || policy == "Background" || policy == "Foreground") return;
  throw ApiError::bad_request("propagationPolicy: Unsupported value: \"" + policy +
                              "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
}

}  // namespace

std::optional<bool> go_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return std::nullopt;
}

bool wants_watch(const Query& query) {
  return flag(query, "watch");
}

ListOptions list_options(const Query& q) {
  ListOptions o;
  o.label_selector = q.get("labelSelector");
  o.field_selector = q.get("fieldSelector");
  if (q.has("limit")) o.limit = std::max<int64_t>(0, parse_int("limit", q.get("limit")));
  o.continue_token = q.get("continue");
  o.resource_version = q.get("resourceVersion");
  o.resource_version_match = q.get("resourceVersionMatch");
  if (q.has("timeoutSeconds"))
    o.timeout =
        std::chrono::seconds(std::max<int64_t>(0, parse_int("timeoutSeconds", q.get("timeoutSeconds"))));
  o.allow_bookmarks = flag(q, "allowWatchBookmarks");
  o.send_initial_events = flag(q, "sendInitialEvents");
  return o;
}

WriteOptions write_options(const Query& q, bool apply) {
  WriteOptions o;
  if (const auto* dry = q.all("dryRun")) o.dry_run = dry_run_values(*dry);
  o.field_manager = q.get("fieldManager");
  if (o.field_manager.size() > 128)
    throw ApiError::bad_request("fieldManager: Too long: may not be longer than 128 characters");
  if (apply && o.field_manager.empty())
    throw ApiError::bad_request(
        "fieldManager must be set for server-side apply (application/apply-patch+yaml)");
  // Upstream's default since fieldValidation went GA: unknown fields come back as warnings.
  std::string validation = q.get("fieldValidation", "Warn");
  if (validation == "Strict") {
    o.field_validation = FieldValidation::Strict;
  } else if (validation == "Warn") {
    o.field_validation = FieldValidation::Warn;
  } else if (validation == "Ignore") {
    o.field_validation = FieldValidation::Ignore;
  } else {
    throw ApiError::bad_request("fieldValidation: Unsupported value: \"" + validation +
                                "\": supported values: \"Ignore\", \"Warn\", \"Strict\"");
  }
  o.force = flag(q, "force");
  if (o.force && !apply)
    throw ApiError::bad_request("force: Forbidden: may not be specified for non-apply patch");
  return o;
}

DeleteOptions delete_options(const Query& q, std::string_view body) {
  DeleteOptions o;
  if (q.has("gracePeriodSeconds"))
    o.grace_period_seconds = parse_int("gracePeriodSeconds", q.get("gracePeriodSeconds"));
  o.propagation_policy = q.get("propagationPolicy");
  if (q.has("orphanDependents") && o.propagation_policy.empty())
    o.propagation_policy = flag(q, "orphanDependents") ? "Orphan" : "Background";
  if (const auto* dry = q.all("dryRun")) o.dry_run = dry_run_values(*dry);

  auto blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (!blank) {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(body, ec);
    if (ec || !doc.is_object())
      throw ApiError::bad_request("the request body is not a valid DeleteOptions object");
    const auto& obj = doc.get_object();
    auto wrong = [](const char* field, const char* want) {
      return ApiError::bad_request(std::string("DeleteOptions.") + field + " must be " + want);
    };
    if (auto* v = obj.if_contains("gracePeriodSeconds"); v && !v->is_null()) {
      if (!v->is_int64() && !v->is_uint64()) throw wrong("gracePeriodSeconds", "an integer");
      o.grace_period_seconds = v->to_number<int64_t>();
    }
    if (auto* v = obj.if_contains("propagationPolicy"); v && !v->is_null()) {
      if (!v->is_string()) throw wrong("propagationPolicy", "a string");
      o.propagation_policy = std::string(v->get_string());
    }
    if (auto* v = obj.if_contains("orphanDependents");
        v && v->is_bool() && !obj.contains("propagationPolicy"))
      o.propagation_policy = v->get_bool() ? "Orphan" : "Background";
    if (auto* v = obj.if_contains("preconditions"); v && v->is_object()) {
      const auto& pre = v->get_object();
      if (auto* uid = pre.if_contains("uid"); uid && uid->is_string())
        o.precondition_uid = std::string(uid->get_string());
      if (auto* rv = pre.if_contains("resourceVersion"); rv && rv->is_string())
        o.precondition_resource_version = std::string(rv->get_string());
    }
    if (auto* v = obj.if_contains("dryRun"); v && v->is_array()) {
      std::vector<std::string> values;
      for (const auto& e : v->get_array()) {
        if (!e.is_string()) throw wrong("dryRun", "a list of strings");
        values.emplace_back(e.get_string());
      }
      o.dry_run = dry_run_values(values) || o.dry_run;
    }
  }
  check_propagation(o.propagation_policy);
  return o;
}

}  // namespace ukube::apiserver
