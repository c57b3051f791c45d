#include "webhook_config.h"

#include <boost/json.hpp>

#include "ukube/base64.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"

namespace ukube::webhook {
namespace json = boost::json;
namespace {

std::optional<LabelSelector> selector_of(const json::object& hook, std::string_view key) {
  const json::object* s = machinery::object_at(hook, {key});
  return s ? parse_selector(*s) : std::nullopt;
}

void read_client_config(const json::object& hook, Webhook& w) {
  const json::object* cc = machinery::object_at(hook, {"clientConfig"});
  if (!cc) return;
  w.url = machinery::string_at(*cc, {"url"});
  if (const json::object* svc = machinery::object_at(*cc, {"service"}))
    w.service = ServiceReference{machinery::string_at(*svc, {"namespace"}),
                                 machinery::string_at(*svc, {"name"}), machinery::string_at(*svc, {"path"}),
                                 static_cast<int>(machinery::int_or(*svc, {"port"}, 443))};
  std::string bundle = machinery::string_at(*cc, {"caBundle"});
  if (bundle.empty()) return;
  if (auto pem = base64_decode(bundle))
    w.ca_bundle = std::move(*pem);
  else
    w.config_error = "clientConfig.caBundle of webhook \"" + w.name +
                     "\" is not base64; set it to the base64 of a PEM CA bundle";
}

}  // namespace

std::optional<LabelSelector> parse_selector(const json::object& selector) {
  if (selector.empty()) return std::nullopt;
  return machinery::selector_from_json_or_nothing(&selector);
}

std::vector<Webhook> parse_configuration(const json::object& configuration, bool mutating) {
  std::vector<Webhook> out;
  std::string config_name;
  if (const json::object* meta = machinery::object_at(configuration, {"metadata"}))
    config_name = machinery::string_at(*meta, {"name"});
  const auto* hooks = configuration.if_contains("webhooks");
  if (!hooks || !hooks->is_array()) return out;
  for (const auto& item : hooks->get_array()) {
    if (!item.is_object()) continue;
    const json::object& hook = item.get_object();
    Webhook w;
    w.name = machinery::string_at(hook, {"name"});
    w.configuration = config_name;
    w.mutating = mutating;
    read_client_config(hook, w);
    if (const auto* rules = hook.if_contains("rules"); rules && rules->is_array())
      for (const auto& r : rules->get_array()) {
        if (!r.is_object()) continue;
        const json::object& ro = r.get_object();
        w.rules.push_back(
            Rule{machinery::strings_at(ro, {"operations"}), machinery::strings_at(ro, {"apiGroups"}),
                 machinery::strings_at(ro, {"apiVersions"}), machinery::strings_at(ro, {"resources"}),
                 machinery::string_at(ro, {"scope"}, "*")});
      }
    w.fail_open = machinery::string_at(hook, {"failurePolicy"}, "Fail") == "Ignore";
    w.namespace_selector = selector_of(hook, "namespaceSelector");
    w.object_selector = selector_of(hook, "objectSelector");
    w.side_effects = machinery::string_at(hook, {"sideEffects"});
    w.timeout_seconds = static_cast<int>(machinery::int_or(hook, {"timeoutSeconds"}, 10));
    w.review_versions = machinery::strings_at(hook, {"admissionReviewVersions"});
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace ukube::webhook
