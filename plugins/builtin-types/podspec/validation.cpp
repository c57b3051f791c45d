#include "podspec/validation.h"

#include <set>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/labels.h"
#include "common/names.h"
#include "common/net.h"
#include "common/quantity.h"

namespace ukube::builtin {
namespace {

const std::vector<std::string> kPullPolicies = {"Always", "IfNotPresent", "Never"};
const std::vector<std::string> kRestartPolicies = {"Always", "Never", "OnFailure"};
const std::vector<std::string> kDnsPolicies = {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"};
const std::vector<std::string> kVolumeSources = {"emptyDir",
                                                 "hostPath",
                                                 "configMap",
                                                 "secret",
                                                 "persistentVolumeClaim",
                                                 "projected",
                                                 "downwardAPI",
                                                 "csi",
                                                 "nfs",
                                                 "ephemeral",
                                                 "image",
                                                 "awsElasticBlockStore",
                                                 "azureDisk",
                                                 "azureFile",
                                                 "cephfs",
                                                 "cinder",
                                                 "fc",
                                                 "flexVolume",
                                                 "flocker",
                                                 "gcePersistentDisk",
                                                 "gitRepo",
                                                 "glusterfs",
                                                 "iscsi",
                                                 "photonPersistentDisk",
                                                 "portworxVolume",
                                                 "quobyte",
                                                 "rbd",
                                                 "scaleIO",
                                                 "storageos",
                                                 "vsphereVolume"};

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void check_enum(Errors& e, const FieldPath& p, const json::object& o, std::string_view key,
                const std::vector<std::string>& allowed, bool required) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null() || as_string(*v).empty()) {
    if (required) e.required(p.child(key), "");
    return;
  }
  std::string_view s = as_string(*v);
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) e.unsupported(p.child(key), s, allowed);
}

void check_resources(Errors& e, const FieldPath& p, const json::object& c) {
  const auto* res = object_at(c, {"resources"});
  if (!res) return;
  for (const char* kind : {"limits", "requests"}) {
    const auto* list = object_at(*res, {kind});
    if (!list) continue;
    for (const auto& m : *list) {
      FieldPath rp = p.child(kind).key(m.key());
      auto q = Quantity::from_json(m.value());
      if (!q)
        e.invalid(rp, quote(quantity_text(m.value())), kQuantityPattern);
      else if (q->is_negative())
        e.invalid(rp, quote(quantity_text(m.value())), "must be greater than or equal to 0");
    }
  }
  const auto* limits = object_at(*res, {"limits"});
  const auto* requests = object_at(*res, {"requests"});
  if (!limits || !requests) return;
  for (const auto& r : *requests) {
    const auto* l = limits->if_contains(r.key());
    if (!l) continue;
    auto rq = Quantity::from_json(r.value()), lq = Quantity::from_json(*l);
    if (rq && lq && rq->compare(*lq) > 0)
      e.invalid(p.child("requests").key(r.key()), quote(quantity_text(r.value())),
                "must be less than or equal to " + std::string(r.key()) + " limit of " + quantity_text(*l));
  }
}

void check_handler(Errors& e, const FieldPath& p, const json::object& h, bool allow_sleep) {
  std::vector<std::string> kinds = {"exec", "httpGet", "tcpSocket", "grpc"};
  if (allow_sleep) kinds.push_back("sleep");
  int count = 0;
  for (const auto& k : kinds) {
    if (!is_set(h, k)) continue;
    if (++count > 1) e.forbidden(p.child(k), "may not specify more than 1 handler type");
  }
  if (count == 0) e.required(p, "must specify a handler type");
  if (const auto* http = object_at(h, {"httpGet"})) {
    if (!is_set(*http, "port")) e.required(p.child("httpGet").child("port"), "");
    std::string scheme = string_at(*http, {"scheme"});
    if (!scheme.empty() && scheme != "HTTP" && scheme != "HTTPS")
      e.unsupported(p.child("httpGet").child("scheme"), scheme, {"HTTP", "HTTPS"});
  }
  if (const auto* tcp = object_at(h, {"tcpSocket"}); tcp && !is_set(*tcp, "port"))
    e.required(p.child("tcpSocket").child("port"), "");
  if (const auto* ex = object_at(h, {"exec"});
      ex && (!array_at(*ex, {"command"}) || array_at(*ex, {"command"})->empty()))
    e.required(p.child("exec").child("command"), "");
}

void check_probe(Errors& e, const FieldPath& p, const json::object& c, std::string_view key) {
  const auto* probe = object_at(c, {key});
  if (!probe) return;
  FieldPath pp = p.child(key);
  check_handler(e, pp, *probe, false);
  for (const char* f :
       {"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"})
    check_non_negative(e, pp, *probe, f);
  if (key != "readinessProbe") {
    auto success = int_at(*probe, {"successThreshold"});
    if (success && *success != 1) e.invalid_int(pp.child("successThreshold"), *success, "must be 1");
  }
}

struct ContainerScope {
  std::set<std::string>* names;  // every container name in the pod
  const std::set<std::string>* volumes;
  bool init = false;
  bool ephemeral = false;
};

void check_container(Errors& e, const FieldPath& p, const json::object& c, const ContainerScope& scope) {
  std::string name = string_at(c, {"name"});
  if (name.empty())
    e.required(p.child("name"), "");
  else if (!scope.names->insert(name).second)
    e.duplicate(p.child("name"), quote(name));
  else
    report(e, p.child("name"), name, dns1123_label_errors(name));

  std::string image = string_at(c, {"image"});
  if (image.empty())
    e.required(p.child("image"), "");
  else if (image.front() == ' ' || image.back() == ' ' || is_blank(image))
    e.invalid(p.child("image"), quote(image), "must not have leading or trailing whitespace");

  check_enum(e, p, c, "imagePullPolicy", kPullPolicies, true);
  check_enum(e, p, c, "terminationMessagePolicy", {"FallbackToLogsOnError", "File"}, true);

  if (is_set(c, "restartPolicy")) {
    if (!scope.init)
      e.forbidden(p.child("restartPolicy"), "may not be set for non-init containers");
    else
      check_enum(e, p, c, "restartPolicy", {"Always"}, false);
  }

  std::set<std::string> port_names;
  for_each_object(array_at(c, {"ports"}), [&](const json::object& port, size_t i) {
    FieldPath pp = p.child("ports").index(i);
    std::string pname = string_at(port, {"name"});
    if (!pname.empty()) {
      report(e, pp.child("name"), pname, iana_svc_name_errors(pname));
      if (!port_names.insert(pname).second) e.duplicate(pp.child("name"), quote(pname));
    }
    auto cp = int_at(port, {"containerPort"});
    if (!cp || *cp == 0)
      e.required(pp.child("containerPort"), "");
    else
      check_port_number(e, pp.child("containerPort"), *cp);
    if (auto hp = int_at(port, {"hostPort"}); hp && *hp != 0) check_port_number(e, pp.child("hostPort"), *hp);
    check_enum(e, pp, port, "protocol", kProtocols, true);
  });

  for_each_object(array_at(c, {"env"}), [&](const json::object& env, size_t i) {
    FieldPath ep = p.child("env").index(i);
    std::string ename = string_at(env, {"name"});
    if (ename.empty())
      e.required(ep.child("name"), "");
    else
      report(e, ep.child("name"), ename, env_var_name_errors(ename));
    if (const auto* from = object_at(env, {"valueFrom"})) {
      int sources = 0;
      for (const char* k : {"fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"})
        sources += is_set(*from, k);
      if (sources == 0)
        e.invalid(ep.child("valueFrom"), "\"\"",
                  "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
      else if (sources > 1)
        e.invalid(ep.child("valueFrom"), "\"\"", "may not have more than one field specified at a time");
      if (!string_at(env, {"value"}).empty())
        e.invalid(ep.child("valueFrom"), "\"\"", "may not be specified when `value` is not empty");
      for (const char* k : {"configMapKeyRef", "secretKeyRef"}) {
        if (const auto* ref = object_at(*from, {k}); ref && string_at(*ref, {"key"}).empty())
          e.required(ep.child("valueFrom").child(k).child("key"), "");
      }
      if (const auto* ref = object_at(*from, {"fieldRef"}); ref && string_at(*ref, {"fieldPath"}).empty())
        e.required(ep.child("valueFrom").child("fieldRef").child("fieldPath"), "");
    }
  });

  std::set<std::string> mount_paths;
  for_each_object(array_at(c, {"volumeMounts"}), [&](const json::object& m, size_t i) {
    FieldPath mp = p.child("volumeMounts").index(i);
    std::string vname = string_at(m, {"name"});
    if (vname.empty())
      e.required(mp.child("name"), "");
    else if (!scope.volumes->count(vname))
      e.not_found(mp.child("name"), quote(vname));
    std::string path = string_at(m, {"mountPath"});
    if (path.empty())
      e.required(mp.child("mountPath"), "");
    else if (!mount_paths.insert(path).second)
      e.invalid(mp.child("mountPath"), quote(path), "must be unique");
  });

  check_resources(e, p.child("resources"), c);
  if (scope.ephemeral) {
    for (const char* k :
         {"ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources"})
      if (is_set(c, k)) e.forbidden(p.child(k), "cannot be set for an Ephemeral Container");
  } else {
    check_probe(e, p, c, "livenessProbe");
    check_probe(e, p, c, "readinessProbe");
    check_probe(e, p, c, "startupProbe");
  }
  if (const auto* lc = object_at(c, {"lifecycle"})) {
    for (const char* hook : {"postStart", "preStop"})
      if (const auto* h = object_at(*lc, {hook}))
        check_handler(e, p.child("lifecycle").child(hook), *h, true);
  }
}

void check_mode(Errors& e, const FieldPath& p, const json::object& o, std::string_view key) {
  auto mode = int_at(o, {key});
  if (mode && (*mode < 0 || *mode > 0777))
    e.invalid_int(p.child(key), *mode, "must be a number between 0 and 0777 (octal), both inclusive");
}

void check_volume(Errors& e, const FieldPath& p, const json::object& v) {
  std::string first;
  for (const auto& k : kVolumeSources) {
    if (!is_set(v, k)) continue;
    if (first.empty())
      first = k;
    else
      e.forbidden(p.child(k), "may not specify more than 1 volume type");
  }
  if (first.empty()) {
    e.required(p, "must specify a volume type");
    return;
  }
  const json::object* src = object_at(v, {first});
  if (!src) return;
  FieldPath sp = p.child(first);
  if (first == "secret" && string_at(*src, {"secretName"}).empty()) e.required(sp.child("secretName"), "");
  if (first == "configMap" && string_at(*src, {"name"}).empty()) e.required(sp.child("name"), "");
  if (first == "persistentVolumeClaim" && string_at(*src, {"claimName"}).empty())
    e.required(sp.child("claimName"), "");
  if (first == "hostPath" && string_at(*src, {"path"}).empty()) e.required(sp.child("path"), "");
  if (first == "csi" && string_at(*src, {"driver"}).empty()) e.required(sp.child("driver"), "");
  if (first == "nfs") {
    if (string_at(*src, {"server"}).empty()) e.required(sp.child("server"), "");
    if (string_at(*src, {"path"}).empty()) e.required(sp.child("path"), "");
  }
  if (first == "emptyDir") {
    std::string medium = string_at(*src, {"medium"});
    if (!medium.empty() && medium != "Memory" && !medium.starts_with("HugePages"))
      e.unsupported(sp.child("medium"), medium, {"", "HugePages", "Memory"});
  }
  check_mode(e, sp, *src, "defaultMode");
  for_each_object(array_at(*src, {"items"}), [&](const json::object& item, size_t i) {
    FieldPath ip = sp.child("items").index(i);
    if (first != "downwardAPI" && string_at(item, {"key"}).empty()) e.required(ip.child("key"), "");
    std::string path = string_at(item, {"path"});
    if (path.empty())
      e.required(ip.child("path"), "");
    else if (path.front() == '/')
      e.invalid(ip.child("path"), quote(path), "must be a relative path");
    else if (path == ".." || path.starts_with("../") || path.find("/../") != std::string::npos ||
             path.ends_with("/.."))
      e.invalid(ip.child("path"), quote(path), "must not contain '..'");
    check_mode(e, ip, item, "mode");
  });
}

void check_toleration(Errors& e, const FieldPath& p, const json::object& t) {
  std::string op = string_at(t, {"operator"});
  std::string key = string_at(t, {"key"});
  if (!key.empty()) report(e, p.child("key"), key, qualified_name_errors(key));
  if (key.empty() && op != "Exists")
    e.invalid(p.child("operator"), quote(op),
              "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
  if (op == "Exists" && !string_at(t, {"value"}).empty())
    e.invalid(p.child("operator"), quote(string_at(t, {"value"})),
              "value must be empty when `operator` is 'Exists'");
  if (!op.empty() && op != "Exists" && op != "Equal")
    e.unsupported(p.child("operator"), op, {"Equal", "Exists"});
  std::string effect = string_at(t, {"effect"});
  if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
    e.unsupported(p.child("effect"), effect, {"NoExecute", "NoSchedule", "PreferNoSchedule"});
  if (is_set(t, "tolerationSeconds") && effect != "NoExecute")
    e.invalid(p.child("effect"), quote(effect), "effect must be 'NoExecute' when `tolerationSeconds` is set");
}

}  // namespace

void validate_pod_spec(Errors& e, const FieldPath& p, const json::object& spec) {
  std::set<std::string> volumes;
  for_each_object(array_at(spec, {"volumes"}), [&](const json::object& v, size_t i) {
    FieldPath vp = p.child("volumes").index(i);
    std::string name = string_at(v, {"name"});
    if (name.empty())
      e.required(vp.child("name"), "");
    else if (!volumes.insert(name).second)
      e.duplicate(vp.child("name"), quote(name));
    else
      report(e, vp.child("name"), name, dns1123_label_errors(name));
    check_volume(e, vp, v);
  });

  std::set<std::string> names;
  const auto* containers = array_at(spec, {"containers"});
  if (!containers || containers->empty()) e.required(p.child("containers"), "");
  for_each_object(array_at(spec, {"initContainers"}), [&](const json::object& c, size_t i) {
    check_container(e, p.child("initContainers").index(i), c, {&names, &volumes, true, false});
  });
  for_each_object(containers, [&](const json::object& c, size_t i) {
    check_container(e, p.child("containers").index(i), c, {&names, &volumes, false, false});
  });
  for_each_object(array_at(spec, {"ephemeralContainers"}), [&](const json::object& c, size_t i) {
    check_container(e, p.child("ephemeralContainers").index(i), c, {&names, &volumes, false, true});
  });

  check_enum(e, p, spec, "restartPolicy", kRestartPolicies, true);
  check_enum(e, p, spec, "dnsPolicy", kDnsPolicies, true);
  if (string_at(spec, {"dnsPolicy"}) == "None" && !is_set(spec, "dnsConfig"))
    e.required(p.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None");
  check_non_negative(e, p, spec, "terminationGracePeriodSeconds");
  if (auto ads = int_at(spec, {"activeDeadlineSeconds"}); ads && (*ads < 1 || *ads > 2147483647))
    e.invalid_int(p.child("activeDeadlineSeconds"), *ads, "must be between 1 and 2147483647, inclusive");
  if (const auto* sel = object_at(spec, {"nodeSelector"}))
    validate_label_map(e, p.child("nodeSelector"), *sel);
  for (const char* f : {"serviceAccountName", "nodeName", "priorityClassName", "schedulerName"}) {
    std::string v = string_at(spec, {f});
    if (!v.empty()) report(e, p.child(f), v, dns1123_subdomain_errors(v));
  }
  for (const char* f : {"hostname", "subdomain"}) {
    std::string v = string_at(spec, {f});
    if (!v.empty()) report(e, p.child(f), v, dns1123_label_errors(v));
  }
  for_each_object(array_at(spec, {"tolerations"}), [&](const json::object& t, size_t i) {
    check_toleration(e, p.child("tolerations").index(i), t);
  });
  for_each_object(array_at(spec, {"imagePullSecrets"}), [&](const json::object& s, size_t i) {
    if (string_at(s, {"name"}).empty()) e.required(p.child("imagePullSecrets").index(i).child("name"), "");
  });
  if (bool_at(spec, {"hostNetwork"}).value_or(false)) {
    // With the host's network namespace, a host port must be the container port.
    for_each_object(containers, [&](const json::object& c, size_t ci) {
      for_each_object(array_at(c, {"ports"}), [&](const json::object& port, size_t pi) {
        auto hp = int_at(port, {"hostPort"}), cp = int_at(port, {"containerPort"});
        if (hp && cp && *hp != *cp)
          e.invalid_int(p.child("containers").index(ci).child("ports").index(pi).child("hostPort"), *hp,
                        "must match `containerPort` when `hostNetwork` is true");
      });
    });
  }
}

void validate_pod_template(Errors& e, const FieldPath& p, const json::object* tmpl,
                           const TemplateRules& rules) {
  if (!tmpl) {
    e.required(p, "");
    return;
  }
  const auto* labels = object_at(*tmpl, {"metadata", "labels"});
  auto selector = rules.selector ? machinery::selector_from_json(*rules.selector) : std::nullopt;
  if (selector && !machinery::matches(*selector, labels))
    e.invalid(p.child("metadata").child("labels"), go_string_map(labels),
              "`selector` does not match template `labels`");
  const auto* spec = object_at(*tmpl, {"spec"});
  if (!spec) {
    e.required(p.child("spec").child("containers"), "");
    return;
  }
  validate_pod_spec(e, p.child("spec"), *spec);
  std::string policy = string_at(*spec, {"restartPolicy"});
  if (!rules.restart_policies.empty() && !policy.empty() &&
      std::find(rules.restart_policies.begin(), rules.restart_policies.end(), policy) ==
          rules.restart_policies.end())
    e.unsupported(p.child("spec").child("restartPolicy"), policy, rules.restart_policies);
  if (rules.forbid_active_deadline && is_set(*spec, "activeDeadlineSeconds"))
    e.forbidden(p.child("spec").child("activeDeadlineSeconds"),
                "activeDeadlineSeconds in ReplicaSet is not Supported");
}

void validate_pod_spec_update(Errors& e, const json::object& spec, const json::object& old_spec) {
  // Copy what may change from the new spec onto the old one: anything left different is forbidden.
  json::object allowed = old_spec;
  auto copy_images = [&](const char* list) {
    auto* mine = mutable_array(allowed, list);
    const auto* theirs = array_at(spec, {list});
    if (!mine || !theirs || mine->size() != theirs->size()) return;
    for (size_t i = 0; i < mine->size(); ++i) {
      auto* m = (*mine)[i].if_object();
      const auto* t = (*theirs)[i].if_object();
      if (m && t && t->contains("image")) (*m)["image"] = t->at("image");
    }
  };
  copy_images("containers");
  copy_images("initContainers");
  for (const char* f : {"activeDeadlineSeconds", "tolerations", "schedulingGates", "ephemeralContainers"}) {
    if (const auto* v = spec.if_contains(f))
      allowed[f] = *v;
    else
      allowed.erase(f);
  }
  if (string_at(old_spec, {"nodeName"}).empty() && spec.contains("nodeName"))
    allowed["nodeName"] = spec.at("nodeName");
  if (allowed == spec) return;
  e.forbidden(FieldPath("spec"),
              "pod updates may not change fields other than "
              "`spec.containers[*].image`,`spec.initContainers[*].image`,"
              "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
              "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
}

}  // namespace ukube::builtin
