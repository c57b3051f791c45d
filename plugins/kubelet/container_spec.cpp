#include "container_spec.h"

#include "pod_dns.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "linux_container.h"
#include "ukube/base64.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/resource_list.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::array_at;
using machinery::object_at;
using machinery::string_at;

namespace {

// FNV-1a: stable across processes and builds, unlike std::hash.
std::string fnv1a_hex(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string pod_log_directory(const PodContext& p) {
  const auto& pod = *p.pod;
  return p.logs_root + "/" + machinery::namespace_of(pod) + "_" + machinery::name_of(pod) + "_" +
         machinery::uid_of(pod);
}

runtime::Labels identity_labels(const json::object& pod) {
  return {{runtime::label::kPodName, machinery::name_of(pod)},
          {runtime::label::kPodNamespace, machinery::namespace_of(pod)},
          {runtime::label::kPodUid, machinery::uid_of(pod)}};
}

// metadata.labels['app'] → ("labels", "app")
std::string bracketed_lookup(const json::object& pod, const std::string& path, const char* field) {
  const std::string prefix = std::string("metadata.") + field + "['";
  if (!path.starts_with(prefix) || !path.ends_with("']")) return {};
  const std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
  return machinery::string_map_at(pod, {"metadata", field})[key];
}

// The key's value in a ConfigMap (data or binaryData) or a Secret (base64 data).
std::optional<std::string> key_of(const std::string& kind, const json::object& source,
                                  const std::string& key) {
  if (const auto* data = object_at(source, {"data"}))
    if (const auto* v = data->if_contains(key); v && v->is_string()) {
      if (kind == "Secret") return base64_decode(std::string(v->get_string()));
      return std::string(v->get_string());
    }
  if (kind == "ConfigMap")
    if (const auto* data = object_at(source, {"binaryData"}))
      if (const auto* v = data->if_contains(key); v && v->is_string())
        return base64_decode(std::string(v->get_string()));
  return std::nullopt;
}

std::string lower_kind(const std::string& kind) {
  return kind == "ConfigMap" ? "configmap" : "secret";
}

struct EnvBuilder {
  const PodContext& pod;
  const json::object& container;
  const ObjectLookup& lookup;
  std::vector<runtime::KeyValue> ordered;
  std::map<std::string, std::string> values;

  void set(const std::string& name, const std::string& value) {
    if (!values.count(name))
      ordered.push_back({name, value});
    else
      for (auto& kv : ordered)
        if (kv.key == name) kv.value = value;
    values[name] = value;
  }

  ObjectPtr source(const std::string& kind, const std::string& name, bool optional) {
    ObjectPtr object = lookup(kind, machinery::namespace_of(*pod.pod), name);
    if (!object && !optional) throw std::runtime_error(lower_kind(kind) + " \"" + name + "\" not found");
    return object;
  }

  std::optional<std::string> key_ref(const std::string& kind, const json::object& ref) {
    const std::string name = string_at(ref, {"name"});
    const bool optional = machinery::bool_at(ref, {"optional"}).value_or(false);
    ObjectPtr object = source(kind, name, optional);
    if (!object) return std::nullopt;
    const std::string key = string_at(ref, {"key"});
    auto value = key_of(kind, *object, key);
    if (!value && !optional)
      throw std::runtime_error("couldn't find key " + key + " in " + kind + " " +
                               machinery::namespace_of(*pod.pod) + "/" + name);
    return value;
  }

  void from_sources() {
    for (const auto& item :
         machinery::array_at(container, {"envFrom"}) ? *array_at(container, {"envFrom"}) : json::array{}) {
      const auto* from = item.if_object();
      if (!from) continue;
      const std::string prefix = string_at(*from, {"prefix"});
      for (const char* kind : {"ConfigMap", "Secret"}) {
        const auto* ref = object_at(*from, {kind == std::string("ConfigMap") ? "configMapRef" : "secretRef"});
        if (!ref) continue;
        ObjectPtr object =
            source(kind, string_at(*ref, {"name"}), machinery::bool_at(*ref, {"optional"}).value_or(false));
        if (!object) continue;
        for (const char* field : {"data", "binaryData"})
          if (const auto* data = object_at(*object, {field}))
            for (const auto& [k, v] : *data)
              if (auto value = key_of(kind, *object, std::string(k))) set(prefix + std::string(k), *value);
      }
    }
  }

  void from_env() {
    const auto* env = array_at(container, {"env"});
    if (!env) return;
    for (const auto& item : *env) {
      const auto* e = item.if_object();
      if (!e) continue;
      const std::string name = string_at(*e, {"name"});
      const auto* from = object_at(*e, {"valueFrom"});
      if (!from) {
        set(name, expand_vars(string_at(*e, {"value"}), values));
        continue;
      }
      std::optional<std::string> value;
      if (const auto* f = object_at(*from, {"fieldRef"}))
        value = field_ref(pod, string_at(*f, {"fieldPath"}));
      else if (const auto* r = object_at(*from, {"resourceFieldRef"}))
        value = resource_field_ref(container, *r);
      else if (const auto* c = object_at(*from, {"configMapKeyRef"}))
        value = key_ref("ConfigMap", *c);
      else if (const auto* s = object_at(*from, {"secretKeyRef"}))
        value = key_ref("Secret", *s);
      if (value) set(name, *value);
    }
  }
};

std::vector<std::string> expanded(const json::object& container, const char* field,
                                  const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  for (const auto& s : machinery::strings_at(container, {field})) out.push_back(expand_vars(s, vars));
  return out;
}

}  // namespace

std::string field_ref(const PodContext& p, const std::string& path) {
  const auto& pod = *p.pod;
  if (path == "metadata.name") return machinery::name_of(pod);
  if (path == "metadata.namespace") return machinery::namespace_of(pod);
  if (path == "metadata.uid") return machinery::uid_of(pod);
  if (path == "spec.nodeName") return p.node_name;
  if (path == "spec.serviceAccountName") return string_at(pod, {"spec", "serviceAccountName"});
  if (path == "status.hostIP" || path == "status.hostIPs") return p.node_ip;
  if (path == "status.podIP" || path == "status.podIPs") return p.pod_ip;
  if (path.starts_with("metadata.labels")) return bracketed_lookup(pod, path, "labels");
  if (path.starts_with("metadata.annotations")) return bracketed_lookup(pod, path, "annotations");
  throw std::runtime_error("unsupported fieldRef fieldPath \"" + path + "\"");
}

std::string resource_field_ref(const json::object& container, const json::object& ref) {
  const std::string resource = string_at(ref, {"resource"});
  const auto dot = resource.find('.');
  const std::string bucket = resource.substr(0, dot);  // limits / requests
  const std::string name = dot == std::string::npos ? "" : resource.substr(dot + 1);
  auto list =
      bucket == "limits" ? machinery::container_limits(container) : machinery::container_requests(container);
  machinery::Quantity value = list.count(name) ? list[name] : machinery::Quantity();
  const auto* divisor_json = machinery::value_at(ref, {"divisor"});
  auto divisor = divisor_json ? machinery::Quantity::from_json(*divisor_json) : std::nullopt;
  if (!divisor || divisor->is_zero()) divisor = machinery::Quantity::of(1);
  // Rounded up, as upstream's ExtractContainerResourceValue.
  const auto n = value.nano(), d = divisor->nano();
  return std::to_string(static_cast<long long>((n + d - 1) / d));
}

std::string expand_vars(const std::string& input, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out += input[i];
      continue;
    }
    if (input[i + 1] == '$') {  // $$ → $
      out += '$';
      ++i;
      continue;
    }
    if (input[i + 1] == '(') {
      const auto close = input.find(')', i + 2);
      if (close != std::string::npos) {
        const std::string name = input.substr(i + 2, close - i - 2);
        auto it = vars.find(name);
        out += it != vars.end() ? it->second : input.substr(i, close - i + 1);
        i = close;
        continue;
      }
    }
    out += input[i];
  }
  return out;
}

std::string container_hash(const json::object& container) {
  return fnv1a_hex(json::serialize(container));
}

runtime::PodSandboxConfig sandbox_config(const PodContext& p, uint32_t attempt) {
  const auto& pod = *p.pod;
  runtime::PodSandboxConfig c;
  c.metadata = {machinery::name_of(pod), machinery::uid_of(pod), machinery::namespace_of(pod), attempt};
  c.hostname = string_at(pod, {"spec", "hostname"}, machinery::name_of(pod));
  c.log_directory = pod_log_directory(p);
  c.labels = machinery::string_map_at(pod, {"metadata", "labels"});
  for (auto& [k, v] : identity_labels(pod)) c.labels[k] = v;
  c.annotations = machinery::string_map_at(pod, {"metadata", "annotations"});
  c.host_network = machinery::bool_at(pod, {"spec", "hostNetwork"}).value_or(false);
  c.share_process_namespace = machinery::bool_at(pod, {"spec", "shareProcessNamespace"}).value_or(false);
  c.cgroup_parent = pod_cgroup_parent(pod);
  if (p.dns) c.dns = pod_dns_config(pod, *p.dns);
  machinery::for_each_container(*object_at(pod, {"spec"}), [&](const json::object& container, bool) {
    machinery::for_each_object(array_at(container, {"ports"}), [&](const json::object& port, size_t) {
      const auto host_port = machinery::int_at(port, {"hostPort"});
      if (!host_port || *host_port == 0) return;
      c.port_mappings.push_back({string_at(port, {"protocol"}, "TCP"),
                                 static_cast<int32_t>(machinery::int_or(port, {"containerPort"}, 0)),
                                 static_cast<int32_t>(*host_port), string_at(port, {"hostIP"})});
    });
  });
  return c;
}

runtime::ContainerConfig container_config(const PodContext& p, const json::object& container,
                                          uint32_t attempt, const ObjectLookup& lookup) {
  const auto& pod = *p.pod;
  runtime::ContainerConfig c;
  const std::string name = string_at(container, {"name"});
  c.metadata = {name, attempt};
  c.image = string_at(container, {"image"});
  EnvBuilder env{p, container, lookup, {}, {}};
  if (p.service_env)
    for (const auto& [key, value] : *p.service_env) env.set(key, value);
  env.from_sources();
  env.from_env();
  c.envs = std::move(env.ordered);
  c.command = expanded(container, "command", env.values);
  c.args = expanded(container, "args", env.values);
  c.working_dir = string_at(container, {"workingDir"});
  c.labels = identity_labels(pod);
  c.labels[runtime::label::kContainerName] = name;
  c.annotations[runtime::label::kContainerHash] = container_hash(container);
  c.annotations[runtime::label::kRestartCount] = std::to_string(attempt);
  c.annotations[runtime::label::kTerminationMessagePath] =
      string_at(container, {"terminationMessagePath"}, "/dev/termination-log");
  c.annotations[runtime::label::kTerminationGracePeriod] =
      std::to_string(machinery::int_or(pod, {"spec", "terminationGracePeriodSeconds"}, 30));
  c.log_path = name + "/" + std::to_string(attempt) + ".log";
  c.stdin_ = machinery::bool_at(container, {"stdin"}).value_or(false);
  c.stdin_once = machinery::bool_at(container, {"stdinOnce"}).value_or(false);
  c.tty = machinery::bool_at(container, {"tty"}).value_or(false);
  c.resources = container_resources(container);
  if (const json::object* spec = object_at(pod, {"spec"})) c.security = container_security(*spec, container);
  machinery::for_each_object(
      machinery::array_at(container, {"volumeMounts"}), [&](const json::object& m, size_t) {
        if (!p.volume_paths) return;  // a simulated runtime mounts nothing
        const auto found = p.volume_paths->find(string_at(m, {"name"}));
        if (found == p.volume_paths->end()) return;
        std::string host = found->second;
        std::string sub = string_at(m, {"subPath"});
        if (sub.empty() && !string_at(m, {"subPathExpr"}).empty())
          sub = expand_vars(string_at(m, {"subPathExpr"}), env.values);
        if (!sub.empty()) host += "/" + sub;
        c.mounts.push_back(
            {string_at(m, {"mountPath"}), host, machinery::bool_at(m, {"readOnly"}).value_or(false)});
      });
  return c;
}

}  // namespace ukube::kubelet
