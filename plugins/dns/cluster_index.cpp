#include "cluster_index.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "ukube/machinery/json.h"

namespace ukube::dns {
namespace {

namespace m = ukube::machinery;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(ascii_lower(static_cast<uint8_t>(c)));
  return out;
}

std::string service_key(std::string_view name, std::string_view ns) {
  return lower(name) + "." + lower(ns);
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A port's name, protocol and number; unset members as CoreDNS reads them from a slice.
ServicePort port_of(const boost::json::object& p) {
  ServicePort out;
  out.name = lower(m::string_at(p, {"name"}));
  out.protocol = lower(m::string_at(p, {"protocol"}));
  out.port = static_cast<int32_t>(m::int_or(p, {"port"}, -1));
  return out;
}

std::vector<ServicePort> ports_of(const boost::json::array* ports) {
  std::vector<ServicePort> out;
  m::for_each_object(ports, [&](const boost::json::object& p, size_t) { out.push_back(port_of(p)); });
  if (out.empty()) out.push_back({});  // the sentinel: no declared ports
  return out;
}

template <class Map>
void erase_one(Map& map, const IpAddress& ip, const std::string& key) {
  auto it = map.find(ip);
  if (it == map.end()) return;
  auto& keys = it->second;
  if (auto k = std::find(keys.begin(), keys.end(), key); k != keys.end()) keys.erase(k);
  if (keys.empty()) map.erase(it);
}

}  // namespace

ClusterIndex::ClusterIndex() : modified_(now_seconds()) {}

void ClusterIndex::touch() {
  modified_.store(now_seconds(), std::memory_order_relaxed);
}

void ClusterIndex::set_synced_check(std::function<bool()> check) {
  synced_check_ = std::move(check);
  synced_ = false;
}

bool ClusterIndex::synced() const {
  if (synced_.load(std::memory_order_relaxed)) return true;
  if (!synced_check_ || synced_check_()) synced_ = true;
  return synced_;
}

size_t ClusterIndex::service_count() const {
  std::shared_lock lock(mutex_);
  return services_.size();
}

// --- Services -----------------------------------------------------------------------

void ClusterIndex::drop_service(const std::string& key) {
  auto it = services_.find(key);
  if (it == services_.end()) return;
  for (const auto& ip : it->second.cluster_ips) erase_one(by_cluster_ip_, ip, key);
  services_.erase(it);
}

void ClusterIndex::put_service(const boost::json::object& svc) {
  ServiceRecord r;
  r.name = lower(m::name_of(svc));
  r.ns = lower(m::namespace_of(svc));
  const std::string key = r.name + "." + r.ns;
  const std::string type = m::string_at(svc, {"spec", "type"});
  std::vector<std::string> ips = m::strings_at(svc, {"spec", "clusterIPs"});
  if (ips.empty()) ips.push_back(m::string_at(svc, {"spec", "clusterIP"}));
  if (type == "ExternalName") {
    r.kind = ServiceRecord::Kind::external_name;
    const std::string target = m::string_at(svc, {"spec", "externalName"});
    // An address is no CNAME target: CoreDNS answers such a service with NXDOMAIN.
    if (!IpAddress::parse(target)) r.external_name = Name::from_text(target);
  } else if (ips.front() == "None") {
    r.kind = ServiceRecord::Kind::headless;
  } else {
    for (const auto& ip : ips)
      if (auto a = IpAddress::parse(ip)) r.cluster_ips.push_back(*a);
  }
  r.ports = ports_of(m::array_at(svc, {"spec", "ports"}));

  std::unique_lock lock(mutex_);
  if (auto it = services_.find(key); it != services_.end() && it->second == r) return;
  drop_service(key);
  for (const auto& ip : r.cluster_ips) by_cluster_ip_[ip].push_back(key);
  services_.emplace(key, std::move(r));
  touch();
}

void ClusterIndex::remove_service(const boost::json::object& svc) {
  const std::string key = service_key(m::name_of(svc), m::namespace_of(svc));
  std::unique_lock lock(mutex_);
  drop_service(key);
  touch();
}

// --- EndpointSlices ---------------------------------------------------------------------

void ClusterIndex::drop_slice(const std::string& slice_key) {
  auto it = slices_.find(slice_key);
  if (it == slices_.end()) return;
  const std::string& service = it->second.service_key;
  for (const auto& a : it->second.set.ready) erase_one(by_endpoint_ip_, a.ip, service);
  if (auto e = endpoints_.find(service); e != endpoints_.end()) {
    e->second.erase(slice_key.substr(slice_key.find('/') + 1));
    if (e->second.empty()) endpoints_.erase(e);
  }
  slices_.erase(it);
}

void ClusterIndex::put_endpoint_slice(const boost::json::object& slice) {
  const std::string ns = lower(m::namespace_of(slice));
  const std::string name = m::name_of(slice);
  const std::string slice_key = ns + "/" + name;
  const std::string service = m::string_at(slice, {"metadata", "labels", "kubernetes.io/service-name"});
  // FQDN slices name hosts, not addresses; a slice of no service answers nothing.
  const bool usable = !service.empty() && m::string_at(slice, {"addressType"}) != "FQDN";
  SliceRef ref;
  ref.service_key = lower(service) + "." + ns;
  ref.set.ports = ports_of(m::array_at(slice, {"ports"}));
  m::for_each_object(m::array_at(slice, {"endpoints"}), [&](const boost::json::object& e, size_t) {
    if (m::bool_at(e, {"conditions", "ready"}).value_or(true) == false) return;
    const std::string hostname = lower(m::string_at(e, {"hostname"}));
    for (const auto& text : m::strings_at(e, {"addresses"})) {
      auto ip = IpAddress::parse(text);
      if (!ip) continue;
      ref.set.ready.push_back({*ip, hostname.empty() ? dashed_address(text) : hostname});
    }
  });

  std::unique_lock lock(mutex_);
  if (auto it = slices_.find(slice_key);
      it != slices_.end() && usable && it->second.service_key == ref.service_key && it->second.set == ref.set)
    return;
  drop_slice(slice_key);
  if (usable) {
    for (const auto& a : ref.set.ready) by_endpoint_ip_[a.ip].push_back(ref.service_key);
    endpoints_[ref.service_key][name] = ref.set;
    slices_.emplace(slice_key, std::move(ref));
  }
  touch();
}

void ClusterIndex::remove_endpoint_slice(const boost::json::object& slice) {
  const std::string slice_key = lower(m::namespace_of(slice)) + "/" + m::name_of(slice);
  std::unique_lock lock(mutex_);
  drop_slice(slice_key);
  touch();
}

// --- Namespaces and pods ---------------------------------------------------------------------

void ClusterIndex::put_namespace(const boost::json::object& ns) {
  std::unique_lock lock(mutex_);
  if (namespaces_.insert(lower(m::name_of(ns))).second) touch();
}

void ClusterIndex::remove_namespace(const boost::json::object& ns) {
  std::unique_lock lock(mutex_);
  if (namespaces_.erase(lower(m::name_of(ns)))) touch();
}

void ClusterIndex::drop_pod(const std::string& pod_key) {
  auto it = pods_.find(pod_key);
  if (it == pods_.end()) return;
  const std::string ns = pod_key.substr(0, pod_key.find('/'));
  for (const auto& ip : it->second) erase_one(pod_namespaces_, ip, ns);
  pods_.erase(it);
}

void ClusterIndex::put_pod(const boost::json::object& pod) {
  const std::string ns = lower(m::namespace_of(pod));
  const std::string key = ns + "/" + m::name_of(pod);
  std::vector<IpAddress> ips;
  // A terminating pod is no longer answered for, as CoreDNS ignores it.
  if (!m::has_deletion_timestamp(pod)) {
    std::vector<std::string> texts;
    m::for_each_object(m::array_at(pod, {"status", "podIPs"}), [&](const boost::json::object& ip, size_t) {
      texts.push_back(m::string_at(ip, {"ip"}));
    });
    if (texts.empty()) texts.push_back(m::string_at(pod, {"status", "podIP"}));
    for (const auto& t : texts)
      if (auto ip = IpAddress::parse(t)) ips.push_back(*ip);
  }
  std::unique_lock lock(mutex_);
  if (auto it = pods_.find(key); it != pods_.end() && it->second == ips) return;
  drop_pod(key);
  if (!ips.empty()) {
    for (const auto& ip : ips) pod_namespaces_[ip].push_back(ns);
    pods_.emplace(key, std::move(ips));
  }
  touch();
}

void ClusterIndex::remove_pod(const boost::json::object& pod) {
  const std::string key = lower(m::namespace_of(pod)) + "/" + m::name_of(pod);
  std::unique_lock lock(mutex_);
  drop_pod(key);
  touch();
}

// --- Reading ---------------------------------------------------------------------------

const ServiceRecord* ClusterIndex::Reader::service(std::string_view key) const {
  auto it = index_.services_.find(key);
  return it == index_.services_.end() ? nullptr : &it->second;
}

const std::map<std::string, EndpointSet>* ClusterIndex::Reader::endpoints(std::string_view key) const {
  auto it = index_.endpoints_.find(key);
  return it == index_.endpoints_.end() ? nullptr : &it->second;
}

bool ClusterIndex::Reader::namespace_exists(std::string_view ns) const {
  return index_.namespaces_.find(ns) != index_.namespaces_.end();
}

bool ClusterIndex::Reader::pod_exists(const IpAddress& ip, std::string_view ns) const {
  auto it = index_.pod_namespaces_.find(ip);
  return it != index_.pod_namespaces_.end() &&
         std::find(it->second.begin(), it->second.end(), ns) != it->second.end();
}

const std::vector<std::string>* ClusterIndex::Reader::services_by_cluster_ip(const IpAddress& ip) const {
  auto it = index_.by_cluster_ip_.find(ip);
  return it == index_.by_cluster_ip_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* ClusterIndex::Reader::services_by_endpoint_ip(const IpAddress& ip) const {
  auto it = index_.by_endpoint_ip_.find(ip);
  return it == index_.by_endpoint_ip_.end() ? nullptr : &it->second;
}

}  // namespace ukube::dns
