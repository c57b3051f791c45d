#include "model/node_accounting.h"

#include <algorithm>

namespace ukube::scheduler {
namespace {

void add_scalars(Resources& into, const Resources& r, int64_t sign) {
  for (const auto& [n, v] : r.scalars) {
    auto it = std::lower_bound(into.scalars.begin(), into.scalars.end(), n,
                               [](const auto& e, const std::string& k) { return e.first < k; });
    if (it != into.scalars.end() && it->first == n)
      it->second += sign * v;
    else
      into.scalars.insert(it, {n, sign * v});
  }
}

bool has_affinity(const PodInfo& p) {
  return !p.affinity.required.empty() || !p.affinity.preferred.empty() || !p.anti_affinity.required.empty() ||
         !p.anti_affinity.preferred.empty();
}

}  // namespace

void add_resources(Resources& into, const Resources& r) {
  into.milli_cpu += r.milli_cpu;
  into.memory += r.memory;
  into.ephemeral_storage += r.ephemeral_storage;
  if (!r.scalars.empty()) add_scalars(into, r, 1);
}

void subtract_resources(Resources& from, const Resources& r) {
  from.milli_cpu -= r.milli_cpu;
  from.memory -= r.memory;
  from.ephemeral_storage -= r.ephemeral_storage;
  if (!r.scalars.empty()) add_scalars(from, r, -1);
}

void add_pod(NodeInfo& node, PodInfoPtr pod) {
  add_resources(node.requested, pod->requests);
  add_resources(node.non_zero_requested, pod->non_zero);
  node.requested.pods = static_cast<int64_t>(node.pods.size()) + 1;
  if (has_affinity(*pod)) ++node.pods_with_affinity;
  if (!pod->anti_affinity.required.empty()) ++node.pods_with_required_anti_affinity;
  for (const auto& p : pod->host_ports) node.used_ports.push_back(p);
  node.pods.push_back(std::move(pod));
  ++node.generation;
}

bool remove_pod(NodeInfo& node, const std::string& uid) {
  auto it =
      std::find_if(node.pods.begin(), node.pods.end(), [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (it == node.pods.end()) return false;
  PodInfoPtr pod = std::move(*it);
  *it = std::move(node.pods.back());
  node.pods.pop_back();
  subtract_resources(node.requested, pod->requests);
  subtract_resources(node.non_zero_requested, pod->non_zero);
  node.requested.pods = static_cast<int64_t>(node.pods.size());
  if (has_affinity(*pod)) --node.pods_with_affinity;
  if (!pod->anti_affinity.required.empty()) --node.pods_with_required_anti_affinity;
  for (const auto& p : pod->host_ports) {
    auto used = std::find_if(node.used_ports.begin(), node.used_ports.end(), [&](const HostPort& u) {
      return u.port == p.port && u.protocol == p.protocol && u.ip == p.ip;
    });
    if (used != node.used_ports.end()) node.used_ports.erase(used);
  }
  ++node.generation;
  return true;
}

}  // namespace ukube::scheduler
