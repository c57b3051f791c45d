#include "ukube/node/config_json.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::runtime::node {

namespace json = boost::json;
using machinery::bool_at;
using machinery::int_or;
using machinery::string_at;
using machinery::string_map_at;
using machinery::strings_at;

namespace {

json::object labels_json(const Labels& labels) {
  json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

json::array strings_json(const std::vector<std::string>& strings) {
  return json::array(strings.begin(), strings.end());
}

json::array int64s_json(const std::vector<int64_t>& values) {
  return json::array(values.begin(), values.end());
}

std::optional<int64_t> optional_int(const json::object& o, std::string_view key) {
  return machinery::int_at(o, {key});
}

}  // namespace

json::object to_json(const PodSandboxConfig& c) {
  json::object o;
  o["metadata"] = {{"name", c.metadata.name},
                   {"uid", c.metadata.uid},
                   {"namespace", c.metadata.namespace_},
                   {"attempt", c.metadata.attempt}};
  o["hostname"] = c.hostname;
  o["log_directory"] = c.log_directory;
  o["dns"] = {{"servers", strings_json(c.dns.servers)},
              {"searches", strings_json(c.dns.searches)},
              {"options", strings_json(c.dns.options)}};
  json::array ports;
  for (const auto& p : c.port_mappings)
    ports.push_back(json::object{{"protocol", p.protocol},
                                 {"container_port", p.container_port},
                                 {"host_port", p.host_port},
                                 {"host_ip", p.host_ip}});
  o["port_mappings"] = std::move(ports);
  o["labels"] = labels_json(c.labels);
  o["annotations"] = labels_json(c.annotations);
  o["host_network"] = c.host_network;
  o["share_process_namespace"] = c.share_process_namespace;
  o["cgroup_parent"] = c.cgroup_parent;
  return o;
}

PodSandboxConfig sandbox_config_from_json(const json::object& o) {
  PodSandboxConfig c;
  c.metadata.name = string_at(o, {"metadata", "name"});
  c.metadata.uid = string_at(o, {"metadata", "uid"});
  c.metadata.namespace_ = string_at(o, {"metadata", "namespace"});
  c.metadata.attempt = static_cast<uint32_t>(int_or(o, {"metadata", "attempt"}, 0));
  c.hostname = string_at(o, {"hostname"});
  c.log_directory = string_at(o, {"log_directory"});
  c.dns.servers = strings_at(o, {"dns", "servers"});
  c.dns.searches = strings_at(o, {"dns", "searches"});
  c.dns.options = strings_at(o, {"dns", "options"});
  machinery::for_each_object(machinery::array_at(o, {"port_mappings"}), [&](const json::object& p, size_t) {
    PortMapping m;
    m.protocol = string_at(p, {"protocol"}, "TCP");
    m.container_port = static_cast<int32_t>(int_or(p, {"container_port"}, 0));
    m.host_port = static_cast<int32_t>(int_or(p, {"host_port"}, 0));
    m.host_ip = string_at(p, {"host_ip"});
    c.port_mappings.push_back(std::move(m));
  });
  c.labels = string_map_at(o, {"labels"});
  c.annotations = string_map_at(o, {"annotations"});
  c.host_network = bool_at(o, {"host_network"}).value_or(false);
  c.share_process_namespace = bool_at(o, {"share_process_namespace"}).value_or(false);
  c.cgroup_parent = string_at(o, {"cgroup_parent"});
  return c;
}

json::object to_json(const ContainerConfig& c) {
  json::object o;
  o["metadata"] = {{"name", c.metadata.name}, {"attempt", c.metadata.attempt}};
  o["image"] = c.image;
  o["command"] = strings_json(c.command);
  o["args"] = strings_json(c.args);
  o["working_dir"] = c.working_dir;
  json::array envs;
  for (const auto& e : c.envs) envs.push_back(json::object{{"key", e.key}, {"value", e.value}});
  o["envs"] = std::move(envs);
  json::array mounts;
  for (const auto& m : c.mounts)
    mounts.push_back(json::object{
        {"container_path", m.container_path}, {"host_path", m.host_path}, {"readonly", m.readonly}});
  o["mounts"] = std::move(mounts);
  o["labels"] = labels_json(c.labels);
  o["annotations"] = labels_json(c.annotations);
  o["log_path"] = c.log_path;
  o["stdin"] = c.stdin_;
  o["stdin_once"] = c.stdin_once;
  o["tty"] = c.tty;
  o["resources"] = {{"cpu_period", c.resources.cpu_period},
                    {"cpu_quota", c.resources.cpu_quota},
                    {"cpu_shares", c.resources.cpu_shares},
                    {"memory_limit_in_bytes", c.resources.memory_limit_in_bytes},
                    {"pids_limit", c.resources.pids_limit}};
  json::object security{{"supplemental_groups", int64s_json(c.security.supplemental_groups)},
                        {"privileged", c.security.privileged},
                        {"readonly_rootfs", c.security.readonly_rootfs},
                        {"no_new_privileges", c.security.no_new_privileges},
                        {"capabilities_add", strings_json(c.security.capabilities.add)},
                        {"capabilities_drop", strings_json(c.security.capabilities.drop)},
                        {"seccomp_profile", c.security.seccomp_profile}};
  if (c.security.run_as_user) security["run_as_user"] = *c.security.run_as_user;
  if (c.security.run_as_group) security["run_as_group"] = *c.security.run_as_group;
  o["security"] = std::move(security);
  return o;
}

ContainerConfig container_config_from_json(const json::object& o) {
  ContainerConfig c;
  c.metadata.name = string_at(o, {"metadata", "name"});
  c.metadata.attempt = static_cast<uint32_t>(int_or(o, {"metadata", "attempt"}, 0));
  c.image = string_at(o, {"image"});
  c.command = strings_at(o, {"command"});
  c.args = strings_at(o, {"args"});
  c.working_dir = string_at(o, {"working_dir"});
  machinery::for_each_object(machinery::array_at(o, {"envs"}), [&](const json::object& e, size_t) {
    c.envs.push_back(KeyValue{string_at(e, {"key"}), string_at(e, {"value"})});
  });
  machinery::for_each_object(machinery::array_at(o, {"mounts"}), [&](const json::object& m, size_t) {
    c.mounts.push_back(Mount{string_at(m, {"container_path"}), string_at(m, {"host_path"}),
                             bool_at(m, {"readonly"}).value_or(false)});
  });
  c.labels = string_map_at(o, {"labels"});
  c.annotations = string_map_at(o, {"annotations"});
  c.log_path = string_at(o, {"log_path"});
  c.stdin_ = bool_at(o, {"stdin"}).value_or(false);
  c.stdin_once = bool_at(o, {"stdin_once"}).value_or(false);
  c.tty = bool_at(o, {"tty"}).value_or(false);
  const json::object& r = machinery::object_or_empty(machinery::object_at(o, {"resources"}));
  c.resources.cpu_period = int_or(r, {"cpu_period"}, 0);
  c.resources.cpu_quota = int_or(r, {"cpu_quota"}, 0);
  c.resources.cpu_shares = int_or(r, {"cpu_shares"}, 0);
  c.resources.memory_limit_in_bytes = int_or(r, {"memory_limit_in_bytes"}, 0);
  c.resources.pids_limit = int_or(r, {"pids_limit"}, 0);
  const json::object& s = machinery::object_or_empty(machinery::object_at(o, {"security"}));
  c.security.run_as_user = optional_int(s, "run_as_user");
  c.security.run_as_group = optional_int(s, "run_as_group");
  if (const json::array* groups = machinery::array_at(s, {"supplemental_groups"}))
    for (const auto& g : *groups)
      if (auto v = machinery::as_int(g)) c.security.supplemental_groups.push_back(*v);
  c.security.privileged = bool_at(s, {"privileged"}).value_or(false);
  c.security.readonly_rootfs = bool_at(s, {"readonly_rootfs"}).value_or(false);
  c.security.no_new_privileges = bool_at(s, {"no_new_privileges"}).value_or(false);
  c.security.capabilities.add = strings_at(s, {"capabilities_add"});
  c.security.capabilities.drop = strings_at(s, {"capabilities_drop"});
  c.security.seccomp_profile = string_at(s, {"seccomp_profile"});
  return c;
}

}  // namespace ukube::runtime::node
