#include "podspec/defaults.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

#include <map>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/quantity.h"

namespace ukube::builtin {
namespace {

constexpr int64_t kDefaultFileMode = 0644;  // 420, as upstream writes it

void default_http_get(json::object& handler) {
  auto* v = handler.if_contains("httpGet");
  if (!v || !v->is_object()) return;
  set_default(v->get_object(), "path", "/");
  set_default(v->get_object(), "scheme", "HTTP");
}

void default_probe(json::object& c, std::string_view key) {
  auto* v = c.if_contains(key);
  if (!v || !v->is_object()) return;
  auto& p = v->get_object();
  set_default(p, "timeoutSeconds", 1);
  set_default(p, "periodSeconds", 10);
  set_default(p, "successThreshold", 1);
  set_default(p, "failureThreshold", 3);
  default_http_get(p);
}

void default_field_ref(json::object& holder) {
  if (auto* f = holder.if_contains("fieldRef"); f && f->is_object())
    set_default(f->get_object(), "apiVersion", "v1");
}

void default_container(json::object& c, bool host_network) {
  set_default(c, "terminationMessagePath", "/dev/termination-log");
  set_default(c, "terminationMessagePolicy", "File");
  set_default(c, "imagePullPolicy", json::string(default_pull_policy(string_at(c, {"image"}))));
  for_each_object(mutable_array(c, "ports"), [&](json::object& port, size_t) {
    set_default(port, "protocol", "TCP");
    if (host_network && is_set(port, "containerPort")) set_default(port, "hostPort", port["containerPort"]);
  });
  for_each_object(mutable_array(c, "env"), [](json::object& env, size_t) {
    if (auto* from = env.if_contains("valueFrom"); from && from->is_object())
      default_field_ref(from->get_object());
  });
  // Requests default to limits for every resource that has a limit.
  auto& resources = child(c, "resources");
  if (auto* limits = resources.if_contains("limits");
      limits && limits->is_object() && !limits->get_object().empty()) {
    auto& requests = child(resources, "requests");
    for (const auto& l : limits->get_object())
      if (!requests.contains(l.key())) requests[l.key()] = l.value();
  }
  default_probe(c, "livenessProbe");
  default_probe(c, "readinessProbe");
  default_probe(c, "startupProbe");
  if (auto* lc = c.if_contains("lifecycle"); lc && lc->is_object()) {
    for (const char* hook : {"postStart", "preStop"})
      if (auto* h = lc->get_object().if_contains(hook); h && h->is_object())
        default_http_get(h->get_object());
  }
}

void default_items_mode(json::object& source) {
  for_each_object(mutable_array(source, "items"),
                  [](json::object& item, size_t) { default_field_ref(item); });
}

void default_volume(json::object& v) {
  bool has_source = false;
  for (const auto& m : v)
    if (m.key() != "name" && !m.value().is_null()) has_source = true;
  if (!has_source) v["emptyDir"] = json::object{};
  auto source = [&](const char* key) -> json::object* {
    auto* s = v.if_contains(key);
    return s && s->is_object() ? &s->get_object() : nullptr;
  };
  for (const char* key : {"secret", "configMap", "downwardAPI", "projected"})
    if (auto* s = source(key)) set_default(*s, "defaultMode", kDefaultFileMode);
  if (auto* s = source("hostPath")) set_default(*s, "type", "");
  if (auto* s = source("downwardAPI")) default_items_mode(*s);
  if (auto* s = source("projected")) {
    for_each_object(mutable_array(*s, "sources"), [](json::object& src, size_t) {
      if (auto* d = src.if_contains("downwardAPI"); d && d->is_object()) default_items_mode(d->get_object());
      if (auto* t = src.if_contains("serviceAccountToken"); t && t->is_object())
        set_default(t->get_object(), "expirationSeconds", 3600);
    });
  }
  if (auto* s = source("ephemeral")) {
    if (auto* t = s->if_contains("volumeClaimTemplate"); t && t->is_object())
      if (auto* spec = t->get_object().if_contains("spec"); spec && spec->is_object())
        set_default(spec->get_object(), "volumeMode", "Filesystem");
  }
}

void ensure_toleration(json::array& list, std::string_view key) {
  for (const auto& t : list) {
    const auto* o = t.if_object();
    if (!o) continue;
    std::string effect = string_at(*o, {"effect"});
    std::string tkey = string_at(*o, {"key"});
    bool all_keys = tkey.empty() && string_at(*o, {"operator"}) == "Exists";
    if ((tkey == key || all_keys) && (effect.empty() || effect == "NoExecute")) return;
  }
  list.push_back(json::object{
      {"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 300}});
}

}  // namespace

std::string default_pull_policy(std::string_view image) {
  if (image.find('@') != std::string_view::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void default_pod_spec(json::object& spec) {
  set_default(spec, "restartPolicy", "Always");
  set_default(spec, "dnsPolicy", "ClusterFirst");
  set_default(spec, "terminationGracePeriodSeconds", 30);
  set_default(spec, "securityContext", json::object{});
  set_default(spec, "schedulerName", "default-scheduler");
  set_default(spec, "enableServiceLinks", true);
  // v1 keeps the deprecated serviceAccount mirroring serviceAccountName.
  if (string_at(spec, {"serviceAccountName"}).empty() && !string_at(spec, {"serviceAccount"}).empty())
    spec["serviceAccountName"] = spec["serviceAccount"];
  if (!string_at(spec, {"serviceAccountName"}).empty()) spec["serviceAccount"] = spec["serviceAccountName"];
  bool host_network = bool_at(spec, {"hostNetwork"}).value_or(false);
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"})
    for_each_object(mutable_array(spec, list),
                    [&](json::object& c, size_t) { default_container(c, host_network); });
  for_each_object(mutable_array(spec, "volumes"), [](json::object& v, size_t) { default_volume(v); });
}

void default_pod_template(json::object& pod_template) {
  default_pod_spec(child(pod_template, "spec"));
}

void default_pod(json::object& pod) {
  auto& spec = child(pod, "spec");
  default_pod_spec(spec);
  // A mirror pod (a kubelet's copy of a static pod) runs as no account: NodeRestriction
  // refuses one that names any.
  const bool mirror =
      machinery::string_map_at(pod, {"metadata", "annotations"}).contains("kubernetes.io/config.mirror");
  if (!mirror && string_at(spec, {"serviceAccountName"}).empty()) {
    spec["serviceAccountName"] = "default";
    spec["serviceAccount"] = "default";
  }
  if (string_at(spec, {"priorityClassName"}).empty()) set_default(spec, "priority", 0);
  set_default(spec, "preemptionPolicy", "PreemptLowerPriority");
  auto& tolerations = spec["tolerations"];
  if (!tolerations.is_array()) tolerations = json::array{};
  ensure_toleration(tolerations.get_array(), "node.kubernetes.io/not-ready");
  ensure_toleration(tolerations.get_array(), "node.kubernetes.io/unreachable");

  auto& status = child(pod, "status");
  set_default(status, "phase", "Pending");
  set_default(status, "qosClass", json::string(machinery::pod_qos_class(spec)));
}

}  // namespace ukube::builtin
