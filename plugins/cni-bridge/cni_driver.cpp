#include "cni_driver.h"

#include <sys/mount.h>

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "cni_exec.h"
#include "cni_network.h"
#include "ukube/machinery/json.h"
#include "ukube/node/atomic_file.h"

namespace ukube::network::cni {
namespace json = boost::json;
using runtime::node::read_file_if_exists;
using runtime::node::write_file_atomically;

namespace {

// Sandbox ids name files: runtimes make them of hex digits, and nothing else is taken.
void check_sandbox_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 128;
  for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok)
    throw NetworkError("cni-bridge: \"" + id + "\" is not a sandbox id (letters, digits, '-' and '_')");
}

}  // namespace

CniDriver::CniDriver(CniBridgeSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), log_(std::move(log)) {
  std::filesystem::create_directories(settings_.attachments_dir);
  std::filesystem::create_directories(settings_.ipam_dir);
  std::filesystem::create_directories(settings_.netns_dir);
  load_records();
}

void CniDriver::load_records() {
  for (const auto& entry : std::filesystem::directory_iterator(settings_.attachments_dir)) {
    if (entry.path().extension() != ".json") continue;
    try {
      auto text = read_file_if_exists(entry.path());
      if (!text) continue;
      json::object saved = json::parse(*text).as_object();
      Record record;
      record.configs = saved.at("configs").as_array();
      record.result = saved.at("result");
      record.ifname = machinery::string_at(saved, {"ifname"}, "eth0");
      record.attachment = attachment_from_result(record.result);
      records_[entry.path().stem().string()] = std::move(record);
    } catch (const std::exception& e) {
      // A torn or foreign file: its sandbox is then treated as not attached and its lease,
      // if any, released by the kubelet's garbage collection.
      if (log_) log_->warn("cni-bridge: ignoring {}: {}", entry.path().string(), e.what());
    }
  }
}

std::filesystem::path CniDriver::record_path(const std::string& sandbox_id) const {
  return settings_.attachments_dir / (sandbox_id + ".json");
}

std::filesystem::path CniDriver::pin_path(const std::string& sandbox_id) const {
  return settings_.netns_dir / sandbox_id;
}

std::string CniDriver::pin(const PodNetwork& pod) const {
  const auto path = pin_path(pod.sandbox_id);
  if (std::filesystem::exists(path)) unpin(pod.sandbox_id);  // a pin left by a cut-short add
  { std::ofstream touch(path); }
  if (::mount(pod.netns.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    const int error = errno;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw NetworkError("cni-bridge: cannot pin the network namespace " + pod.netns + " of sandbox " +
                       pod.sandbox_id + " at " + path.string() + ": " + std::strerror(error));
  }
  return path.string();
}

void CniDriver::unpin(const std::string& sandbox_id) const {
  const auto path = pin_path(sandbox_id);
  ::umount2(path.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

void CniDriver::configure(const NodeNetwork& node) {
  if (node.pod_cidrs.empty()) return;
  json::object list = network_list(settings_, node.pod_cidrs);
  write_file_atomically(settings_.conflist_path, json::serialize(list) + "\n");
  std::lock_guard lock(mutex_);
  list_ = std::move(list);
}

NetworkStatus CniDriver::status() {
  std::lock_guard lock(mutex_);
  if (list_) return {true, "", ""};
  return {
      false, "NetworkPluginNotReady",
      "Network plugin returns error: cni-bridge has no pod CIDR yet (the Node's spec.podCIDR is unset; the "
      "nodeipam controller assigns it)"};
}

json::value CniDriver::run_chain(const std::string& command, const json::array& configs,
                                 const json::value& prev_result, const PodNetwork& pod,
                                 const std::string& ifname) const {
  CniInvocation call{command, pod.sandbox_id, pod.netns, ifname, cni_args(pod)};
  json::value result = prev_result;
  std::optional<NetworkError> first_failure;
  const size_t n = configs.size();
  for (size_t i = 0; i < n; ++i) {
    const json::object& plugin = configs[command == "DEL" ? n - 1 - i : i].as_object();
    json::object config = plugin;
    if (!result.is_null()) config["prevResult"] = result;
    try {
      json::value answer = run_cni_plugin(settings_.bin_dir, config, call);
      if (command == "ADD") result = std::move(answer);
    } catch (const NetworkError& e) {
      if (command != "DEL") throw;
      if (!first_failure) first_failure = e;  // DEL goes on: each plugin undoes its own part
    }
  }
  if (first_failure) throw *first_failure;
  return result;
}

Attachment CniDriver::add(const PodNetwork& pod) {
  check_sandbox_id(pod.sandbox_id);
  if (pod.netns.empty())
    throw NetworkError("cni-bridge: sandbox " + pod.sandbox_id + " has no network namespace to attach");
  json::object list;
  {
    std::lock_guard lock(mutex_);
    if (!list_) throw NetworkError("cni-bridge: not ready: the node has no pod CIDR yet");
    list = *list_;
  }
  // The chain as this pod runs it: portmap only when the pod has hostPorts.
  json::array configs;
  for (const auto& plugin : list.at("plugins").as_array()) {
    const json::object& p = plugin.as_object();
    if (machinery::string_at(p, {"type"}) == "portmap" && pod.port_mappings.empty()) continue;
    json::object config = plugin_config(list, p, nullptr, pod);
    config.erase("capabilities");
    configs.emplace_back(std::move(config));
  }
  const std::string ifname = pod.interface.empty() ? "eth0" : pod.interface;
  PodNetwork pinned = pod;
  pinned.netns = pin(pod);
  json::value result;
  try {
    run_cni_plugin(settings_.bin_dir, loopback_config(),
                   {"ADD", pod.sandbox_id, pinned.netns, "lo", cni_args(pod)});
    result = run_chain("ADD", configs, nullptr, pinned, ifname);
  } catch (const NetworkError&) {
    // What the first plugins did (an address leased, a veth made) is undone.
    try {
      run_chain("DEL", configs, nullptr, pinned, ifname);
    } catch (const NetworkError& e) {
      if (log_) log_->warn("cni-bridge: undoing a failed attach of sandbox {}: {}", pod.sandbox_id, e.what());
    }
    unpin(pod.sandbox_id);
    throw;
  }
  Record record{configs, result, ifname, attachment_from_result(result)};
  json::object saved{
      {"configs", configs},
      {"result", result},
      {"ifname", ifname},
      {"pod", {{"namespace", pod.pod_namespace}, {"name", pod.pod_name}, {"uid", pod.pod_uid}}}};
  write_file_atomically(record_path(pod.sandbox_id), json::serialize(saved) + "\n");
  std::lock_guard lock(mutex_);
  records_[pod.sandbox_id] = record;
  return record.attachment;
}

void CniDriver::remove(const PodNetwork& given) {
  check_sandbox_id(given.sandbox_id);
  // The pinned namespace is the one ADD attached, whatever is left of the sandbox.
  PodNetwork pod = given;
  const bool pinned = std::filesystem::exists(pin_path(pod.sandbox_id));
  if (pinned) pod.netns = pin_path(pod.sandbox_id).string();
  std::optional<Record> record;
  std::optional<json::object> list;
  {
    std::lock_guard lock(mutex_);
    if (auto it = records_.find(pod.sandbox_id); it != records_.end()) record = it->second;
    list = list_;
  }
  if (!record) {
    // No record: add() was cut short after host-local leased an address. DEL releases it.
    auto owners = lease_owners();
    if (!list || std::find(owners.begin(), owners.end(), pod.sandbox_id) == owners.end()) {
      if (pinned) unpin(pod.sandbox_id);
      return;
    }
    json::array configs;
    for (const auto& plugin : list->at("plugins").as_array())
      if (machinery::string_at(plugin.as_object(), {"type"}) != "portmap")
        configs.emplace_back(plugin_config(*list, plugin.as_object(), nullptr, pod));
    run_chain("DEL", configs, nullptr, pod, pod.interface.empty() ? "eth0" : pod.interface);
    if (pinned) unpin(pod.sandbox_id);
    return;
  }
  run_chain("DEL", record->configs, record->result, pod, record->ifname);
  if (pinned) unpin(pod.sandbox_id);
  std::error_code ignored;
  std::filesystem::remove(record_path(pod.sandbox_id), ignored);
  std::lock_guard lock(mutex_);
  records_.erase(pod.sandbox_id);
}

void CniDriver::check(const PodNetwork& given) {
  PodNetwork pod = given;
  if (std::filesystem::exists(pin_path(pod.sandbox_id))) pod.netns = pin_path(pod.sandbox_id).string();
  std::optional<Record> record;
  {
    std::lock_guard lock(mutex_);
    if (auto it = records_.find(pod.sandbox_id); it != records_.end()) record = it->second;
  }
  if (!record) throw NetworkError("cni-bridge: sandbox " + pod.sandbox_id + " is not attached");
  run_chain("CHECK", record->configs, record->result, pod, record->ifname);
}

std::optional<Attachment> CniDriver::attachment(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(sandbox_id);
  if (it == records_.end()) return std::nullopt;
  return it->second.attachment;
}

std::vector<std::string> CniDriver::lease_owners() const {
  std::vector<std::string> owners;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(settings_.ipam_dir / settings_.network_name, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "lock" || name.starts_with("last_reserved_ip")) continue;
    std::ifstream in(entry.path());
    std::string owner;
    std::getline(in, owner);  // "<container id>\r\n<ifname>"
    while (!owner.empty() && (owner.back() == '\r' || owner.back() == ' ')) owner.pop_back();
    if (!owner.empty()) owners.push_back(owner);
  }
  return owners;
}

std::vector<std::string> CniDriver::attached_sandboxes() {
  std::set<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, record] : records_) ids.insert(id);
  }
  for (auto& owner : lease_owners()) ids.insert(std::move(owner));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(settings_.netns_dir, ec))
    ids.insert(entry.path().filename().string());
  return {ids.begin(), ids.end()};
}

}  // namespace ukube::network::cni
