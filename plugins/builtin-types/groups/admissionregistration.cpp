// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration: where dynamic admission webhooks are registered. The
// webhook plugin (plugins/admission-webhook) reads them; here live their shape, defaults
// and upstream's validation.
#include <boost/json.hpp>
#include <set>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

constexpr std::string_view kGroup = "admissionregistration.k8s.io";

std::vector<std::string> strings_of(const json::array* a) {
  std::vector<std::string> out;
  if (a)
    for (const auto& v : *a) out.emplace_back(as_string(v));
  return out;
}

bool has_wildcard(const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), "*") != values.end();
}

void check_in(Errors& e, const FieldPath& p, const json::object& o, std::string_view key,
              const std::vector<std::string>& allowed) {
  if (!is_set(o, key)) return;
  std::string v = string_at(o, {key});
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) e.unsupported(p.child(key), v, allowed);
}

// Webhook names must be fully qualified: a DNS subdomain of at least three labels.
void check_webhook_name(Errors& e, const FieldPath& p, const std::string& name) {
  if (name.empty()) return e.required(p);
  auto problems = dns1123_subdomain_errors(name);
  if (!problems.empty()) {
    std::string joined;
    for (const auto& s : problems) joined += (joined.empty() ? "" : ",") + s;
    return e.invalid(p, quote(name), joined);
  }
  if (std::count(name.begin(), name.end(), '.') < 2)
    e.invalid(p, quote(name), "should be a domain with at least three segments separated by dots");
}

// Rule resources: "pods", "pods/status", "pods/*", "*/scale", "*", "*/*", without overlaps.
void check_resources(Errors& e, const FieldPath& p, const std::vector<std::string>& resources) {
  if (resources.empty()) e.required(p);
  std::set<std::string> wildcard_sub_of, wildcard_res_for;
  bool double_wildcard = false, single_wildcard = false, plain = false;
  for (size_t i = 0; i < resources.size(); ++i) {
    const std::string& r = resources[i];
    if (r.empty()) {
      e.required(p.index(i));
      continue;
    }
    if (r == "*/*") double_wildcard = true;
    if (r == "*") single_wildcard = true;
    auto slash = r.find('/');
    if (slash == std::string::npos) {
      plain = r != "*";
      continue;
    }
    std::string res = r.substr(0, slash), sub = r.substr(slash + 1);
    if (wildcard_sub_of.count(res))
      e.invalid(p.index(i), quote(r), "if '" + res + "/*' is present, must not specify " + r);
    if (wildcard_res_for.count(sub))
      e.invalid(p.index(i), quote(r), "if '*/" + sub + "' is present, must not specify " + r);
    if (sub == "*") wildcard_sub_of.insert(res);
    if (res == "*") wildcard_res_for.insert(sub);
  }
  if (resources.size() > 1 && double_wildcard)
    e.invalid(p, go_strings(resources), "if '*/*' is present, must not specify other resources");
  if (single_wildcard && plain)
    e.invalid(p, go_strings(resources),
              "if '*' is present, must not specify other resources without subresources");
}

void check_rule(Errors& e, const FieldPath& p, const json::object& rule) {
  auto ops = strings_of(array_at(rule, {"operations"}));
  if (ops.empty()) e.required(p.child("operations"));
  if (ops.size() > 1 && has_wildcard(ops))
    e.invalid(p.child("operations"), go_strings(ops), "if '*' is present, must not specify other operations");
  const std::vector<std::string> supported_ops{"*", "CONNECT", "CREATE", "DELETE", "UPDATE"};
  for (size_t i = 0; i < ops.size(); ++i)
    if (std::find(supported_ops.begin(), supported_ops.end(), ops[i]) == supported_ops.end())
      e.unsupported(p.child("operations").index(i), ops[i], supported_ops);

  auto groups = strings_of(array_at(rule, {"apiGroups"}));
  if (groups.empty()) e.required(p.child("apiGroups"));
  if (groups.size() > 1 && has_wildcard(groups))
    e.invalid(p.child("apiGroups"), go_strings(groups),
              "if '*' is present, must not specify other API groups");
  auto versions = strings_of(array_at(rule, {"apiVersions"}));
  if (versions.empty()) e.required(p.child("apiVersions"));
  if (versions.size() > 1 && has_wildcard(versions))
    e.invalid(p.child("apiVersions"), go_strings(versions),
              "if '*' is present, must not specify other API versions");
  for (size_t i = 0; i < versions.size(); ++i)
    if (versions[i].empty()) e.required(p.child("apiVersions").index(i));
  check_resources(e, p.child("resources"), strings_of(array_at(rule, {"resources"})));
  check_in(e, p, rule, "scope", {"*", "Cluster", "Namespaced"});
}

void check_url(Errors& e, const FieldPath& p, const std::string& url) {
  const std::string form = "; desired format: https://host[/path]";
  auto scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  std::string rest = scheme_end == std::string::npos ? url : url.substr(scheme_end + 3);
  if (scheme != "https") e.invalid(p, quote(scheme), "'https' is the only allowed URL scheme" + form);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.find('@'); at != std::string::npos) {
    e.invalid(p, quote(authority.substr(0, at)), "user information is not permitted in the URL");
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) e.invalid(p, quote(""), "host must be provided" + form);
  if (auto hash = rest.find('#'); hash != std::string::npos) {
    e.invalid(p, quote(rest.substr(hash + 1)), "fragments are not permitted in the URL");
    rest = rest.substr(0, hash);
  }
  if (auto q = rest.find('?'); q != std::string::npos)
    e.invalid(p, quote(rest.substr(q + 1)), "query parameters are not permitted in the URL");
}

void check_service(Errors& e, const FieldPath& p, const json::object& svc) {
  if (string_at(svc, {"name"}).empty()) e.required(p.child("name"), "service name is required");
  if (string_at(svc, {"namespace"}).empty())
    e.required(p.child("namespace"), "service namespace is required");
  if (is_set(svc, "path")) {
    std::string path = string_at(svc, {"path"});
    if (path.empty() || path[0] != '/') e.invalid(p.child("path"), quote(path), "must start with a '/'");
  }
  if (auto port = int_at(svc, {"port"}); port && (*port < 1 || *port > 65535))
    e.invalid_int(p.child("port"), *port, "port is not valid: must be between 1 and 65535, inclusive");
}

void check_review_versions(Errors& e, const FieldPath& p, const json::object& hook) {
  auto versions = strings_of(array_at(hook, {"admissionReviewVersions"}));
  if (versions.empty()) return e.required(p, "must specify one of v1, v1beta1");
  std::set<std::string> seen;
  bool known = false;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (!seen.insert(versions[i]).second) {
      e.invalid(p.index(i), quote(versions[i]), "duplicate version");
      continue;
    }
    report(e, p.index(i), versions[i], dns1035_label_errors(versions[i]));
    known = known || versions[i] == "v1" || versions[i] == "v1beta1";
  }
  if (!known) e.invalid(p, go_strings(versions), "must include at least one of v1, v1beta1");
}

void check_webhook(Errors& e, const FieldPath& p, const json::object& hook, bool mutating) {
  check_webhook_name(e, p.child("name"), string_at(hook, {"name"}));
  for_each_object(array_at(hook, {"rules"}), [&](const json::object& rule, size_t i) {
    check_rule(e, p.child("rules").index(i), rule);
  });
  check_in(e, p, hook, "failurePolicy", {"Fail", "Ignore"});
  check_in(e, p, hook, "matchPolicy", {"Equivalent", "Exact"});
  if (!is_set(hook, "sideEffects"))
    e.required(p.child("sideEffects"), "must specify one of None, NoneOnDryRun");
  else
    check_in(e, p, hook, "sideEffects", {"None", "NoneOnDryRun"});
  if (auto t = int_at(hook, {"timeoutSeconds"}); t && (*t < 1 || *t > 30))
    e.invalid_int(p.child("timeoutSeconds"), *t, "the timeout value must be between 1 and 30 seconds");
  for (const char* selector : {"namespaceSelector", "objectSelector"})
    if (const auto* s = object_at(hook, {selector})) validate_label_selector(e, p.child(selector), *s);
  if (mutating) check_in(e, p, hook, "reinvocationPolicy", {"IfNeeded", "Never"});

  FieldPath cp = p.child("clientConfig");
  const json::object empty;
  const json::object* cc = object_at(hook, {"clientConfig"});
  if (!cc) cc = &empty;
  const bool has_url = is_set(*cc, "url"), has_service = is_set(*cc, "service");
  if (has_url == has_service)
    e.required(cp, "exactly one of url or service is required");
  else if (has_url)
    check_url(e, cp.child("url"), string_at(*cc, {"url"}));
  else if (const auto* svc = object_at(*cc, {"service"}))
    check_service(e, cp.child("service"), *svc);
}

void validate_configuration(const json::object& o, bool mutating, std::vector<FieldError>& out) {
  Errors e(out);
  std::set<std::string> names;
  for_each_object(array_at(o, {"webhooks"}), [&](const json::object& hook, size_t i) {
    FieldPath p = FieldPath("webhooks").index(i);
    check_webhook(e, p, hook, mutating);
    check_review_versions(e, p.child("admissionReviewVersions"), hook);
    std::string name = string_at(hook, {"name"});
    if (!name.empty() && !names.insert(name).second) e.duplicate(p.child("name"), quote(name));
  });
}

// Upstream's SetDefaults_{Validating,Mutating}Webhook, _Rule and _ServiceReference.
void default_configuration(json::object& o, bool mutating) {
  for_each_object(mutable_array(o, "webhooks"), [&](json::object& hook, size_t) {
    set_default(hook, "failurePolicy", "Fail");
    set_default(hook, "matchPolicy", "Equivalent");
    set_default(hook, "namespaceSelector", json::object{});
    set_default(hook, "objectSelector", json::object{});
    set_default(hook, "timeoutSeconds", 10);
    if (mutating) set_default(hook, "reinvocationPolicy", "Never");
    for_each_object(mutable_array(hook, "rules"),
                    [](json::object& rule, size_t) { set_default(rule, "scope", "*"); });
    if (auto* cc = hook.if_contains("clientConfig"); cc && cc->is_object())
      if (auto* svc = cc->as_object().if_contains("service"); svc && svc->is_object())
        set_default(svc->as_object(), "port", 443);
  });
}

schema::Schema webhook_schema(bool mutating) {
  using namespace schema;
  Schema service = object({{"namespace", string("Namespace of the service."), 1, kAlways},
                           {"name", string("Name of the service."), 2, kAlways},
                           {"path", string("URL path sent in every request."), 3, kPointer},
                           {"port", integer("Port of the service; 443 by default."), 4, kPointer}});
  Schema client = object({{"service", service, 1, kPointer},
                          {"caBundle", bytes("PEM CA bundle that verifies the webhook's certificate."), 2},
                          {"url", string("https://host[:port][/path] of the webhook."), 3, kPointer}},
                         "How to reach the webhook.");
  Schema rule =
      object({{"operations", atomic_list(string(), "CREATE, UPDATE, DELETE, CONNECT or *."), 1},
              {"apiGroups", atomic_list(string(), "API groups; \"\" is the core group."), embedded(2, 1)},
              {"apiVersions", atomic_list(string()), embedded(2, 2)},
              {"resources", atomic_list(string(), "Resources, e.g. pods, pods/status, */*."), embedded(2, 3)},
              {"scope", string("Cluster, Namespaced or *."), embedded(2, 4), kPointer}});
  Schema condition =
      object({{"name", string(), 1, kAlways}, {"expression", string("A CEL expression."), 2, kAlways}});
  Schema hook = object({{"name", string("Fully qualified name of the webhook."), 1, kAlways},
                        {"clientConfig", client, 2, kAlways},
                        {"rules", atomic_list(rule, "What the webhook is called for."), 3},
                        {"failurePolicy", string("Fail or Ignore."), 4, kPointer},
                        {"namespaceSelector", label_selector(), 5, kPointer},
                        {"sideEffects", string("None or NoneOnDryRun."), 6, kPointer},
                        {"timeoutSeconds", integer("1 to 30 seconds; 10 by default."), 7, kPointer},
                        {"admissionReviewVersions", atomic_list(string()), 8, kAlways},
                        {"matchPolicy", string("Exact or Equivalent."), 9, kPointer}});
  if (mutating)
    add_properties(hook, {{"reinvocationPolicy", string("Never or IfNeeded."), 10, kPointer},
                          {"objectSelector", label_selector(), 11, kPointer},
                          {"matchConditions", map_list(condition, {"name"}), 12}});
  else
    add_properties(hook, {{"objectSelector", label_selector(), 10, kPointer},
                          {"matchConditions", map_list(condition, {"name"}), 11}});
  return hook;
}

TypeInfo configuration_type(std::string kind, std::string plural, bool mutating) {
  TypeInfo t = make_type(std::string(kGroup), "v1", kind, std::move(plural), false, {}, {"api-extensions"});
  t.printer_columns = {name_column(), column("Webhooks", "integer", "Number of webhooks."), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    const auto* hooks = array_at(o, {"webhooks"});
    return json::array{name_of(o), hooks ? static_cast<int64_t>(hooks->size()) : 0, age_cell(o, now)};
  });
  t.defaulters.push_back([mutating](json::object& o) { default_configuration(o, mutating); });
  t.validators.push_back(
      [mutating](const json::object& o, const json::object*, std::vector<FieldError>& out) {
        validate_configuration(o, mutating, out);
      });
  using namespace schema;
  t.schema = share(
      resource(kGroup, "v1", kind,
               mutating ? "Admission webhooks that may change and reject objects."
                        : "Admission webhooks that accept or reject objects.",
               {{"webhooks", atomic_merge_list(webhook_schema(mutating), "name", "The webhooks."), 2}}));
  return t;
}

}  // namespace

TypeInfo mutatingwebhookconfigurations_type() {
  return configuration_type("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", true);
}

TypeInfo validatingwebhookconfigurations_type() {
  return configuration_type("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false);
}

}  // namespace ukube::builtin
