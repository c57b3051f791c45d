#include "webhook_config.h"

#include <boost/json.hpp>

#include "ukube/base64.h"

namespace ukube::webhook {
namespace json = boost::json;
namespace {

std::string string_of(const json::object& o, std::string_view key, std::string fallback = {}) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

std::vector<std::string> strings_of(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(key); v && v->is_array())
    for (const auto& item : v->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

const json::object* object_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

int int_of(const json::object& o, std::string_view key, int fallback) {
  const auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return static_cast<int>(v->get_int64());
  if (v->is_uint64()) return static_cast<int>(v->get_uint64());
  if (v->is_double()) return static_cast<int>(v->get_double());
  return fallback;
}

void read_client_config(const json::object& hook, Webhook& w) {
  const json::object* cc = object_of(hook, "clientConfig");
  if (!cc) return;
  w.url = string_of(*cc, "url");
  if (const json::object* svc = object_of(*cc, "service"))
    w.service = ServiceReference{string_of(*svc, "namespace"), string_of(*svc, "name"),
                                 string_of(*svc, "path"), int_of(*svc, "port", 443)};
  std::string bundle = string_of(*cc, "caBundle");
  if (bundle.empty()) return;
  if (auto pem = base64_decode(bundle))
    w.ca_bundle = std::move(*pem);
  else
    w.config_error = "clientConfig.caBundle of webhook \"" + w.name +
                     "\" is not base64; set it to the base64 of a PEM CA bundle";
}

}  // namespace

std::vector<Webhook> parse_configuration(const json::object& configuration, bool mutating) {
  std::vector<Webhook> out;
  std::string config_name;
  if (const json::object* meta = object_of(configuration, "metadata")) config_name = string_of(*meta, "name");
  const auto* hooks = configuration.if_contains("webhooks");
  if (!hooks || !hooks->is_array()) return out;
  for (const auto& item : hooks->get_array()) {
    if (!item.is_object()) continue;
    const json::object& hook = item.get_object();
    Webhook w;
    w.name = string_of(hook, "name");
    w.configuration = config_name;
    w.mutating = mutating;
    read_client_config(hook, w);
    if (const auto* rules = hook.if_contains("rules"); rules && rules->is_array())
      for (const auto& r : rules->get_array()) {
        if (!r.is_object()) continue;
        const json::object& ro = r.get_object();
        w.rules.push_back(Rule{strings_of(ro, "operations"), strings_of(ro, "apiGroups"),
                               strings_of(ro, "apiVersions"), strings_of(ro, "resources"),
                               string_of(ro, "scope", "*")});
      }
    w.fail_open = string_of(hook, "failurePolicy", "Fail") == "Ignore";
    if (const json::object* s = object_of(hook, "namespaceSelector")) w.namespace_selector = *s;
    if (const json::object* s = object_of(hook, "objectSelector")) w.object_selector = *s;
    w.side_effects = string_of(hook, "sideEffects");
    w.timeout_seconds = int_of(hook, "timeoutSeconds", 10);
    w.review_versions = strings_of(hook, "admissionReviewVersions");
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace ukube::webhook
