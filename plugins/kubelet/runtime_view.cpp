#include "runtime_view.h"

#include <algorithm>

namespace ukube::kubelet {
namespace {

using runtime::label::kPodName;
using runtime::label::kPodNamespace;

std::string state_text(runtime::ContainerState s) {
  switch (s) {
    case runtime::ContainerState::Created: return "C";
    case runtime::ContainerState::Running: return "R";
    case runtime::ContainerState::Exited: return "E";
    case runtime::ContainerState::Unknown: return "U";
  }
  return "?";
}

}  // namespace

const runtime::PodSandboxStatus* PodRuntime::latest_sandbox() const {
  return sandboxes.empty() ? nullptr : &sandboxes.back();
}

const runtime::ContainerStatus* PodRuntime::latest(const std::string& name) const {
  for (auto it = containers.rbegin(); it != containers.rend(); ++it)
    if (it->metadata.name == name) return &*it;
  return nullptr;
}

const runtime::ContainerStatus* PodRuntime::previous(const std::string& name) const {
  bool skipped = false;
  for (auto it = containers.rbegin(); it != containers.rend(); ++it) {
    if (it->metadata.name != name) continue;
    if (skipped) return &*it;
    skipped = true;
  }
  return nullptr;
}

PodKey RuntimeView::key_of(const runtime::Labels& labels) {
  auto ns = labels.find(kPodNamespace);
  auto name = labels.find(kPodName);
  if (ns == labels.end() || name == labels.end()) return {};
  return ns->second + "/" + name->second;
}

std::string RuntimeView::fingerprint(const Entry& e) {
  std::string out;
  for (const auto& [id, s] : e.sandboxes) out += id + (s.state == runtime::SandboxState::Ready ? "+" : "-");
  for (const auto& [id, c] : e.containers) out += id + state_text(c.state) + std::to_string(c.exit_code);
  return out;
}

std::vector<runtime::PodSandboxStatus> RuntimeView::sandboxes(const runtime::PodSandboxFilter& filter) const {
  auto list = driver_.list_pod_sandboxes(filter);
  if (!network_) return list;
  for (auto& s : list) {
    if (!s.ip.empty() || s.host_network) continue;
    if (auto attached = network_->attachment(s.id); attached && !attached->ips.empty()) {
      s.ip = attached->ips.front();
      s.additional_ips.assign(attached->ips.begin() + 1, attached->ips.end());
    }
  }
  return list;
}

std::set<PodKey> RuntimeView::relist() {
  std::map<PodKey, Entry> fresh;
  for (auto& s : sandboxes({})) {
    PodKey key = key_of(s.labels);
    if (!key.empty()) fresh[key].sandboxes[s.id] = std::move(s);
  }
  for (auto& c : driver_.list_containers()) {
    PodKey key = key_of(c.labels);
    if (!key.empty()) fresh[key].containers[c.id] = std::move(c);
  }
  std::set<PodKey> changed;
  std::lock_guard lock(mutex_);
  for (const auto& [key, entry] : fresh) {
    auto old = pods_.find(key);
    if (old == pods_.end() || fingerprint(old->second) != fingerprint(entry)) changed.insert(key);
  }
  for (const auto& [key, entry] : pods_)
    if (!fresh.count(key)) changed.insert(key);
  pods_ = std::move(fresh);
  sandbox_pods_.clear();
  for (const auto& [key, entry] : pods_)
    for (const auto& [id, sandbox] : entry.sandboxes) sandbox_pods_[id] = key;
  return changed;
}

PodKey RuntimeView::pod_of_sandbox(const std::string& sandbox_id) const {
  std::lock_guard lock(mutex_);
  auto it = sandbox_pods_.find(sandbox_id);
  return it == sandbox_pods_.end() ? PodKey() : it->second;
}

PodRuntime RuntimeView::refresh_pod(const PodKey& key) {
  const auto slash = key.find('/');
  runtime::PodSandboxFilter sandbox_filter;
  sandbox_filter.label_selector = {{kPodNamespace, key.substr(0, slash)}, {kPodName, key.substr(slash + 1)}};
  runtime::ContainerFilter container_filter;
  container_filter.label_selector = sandbox_filter.label_selector;
  Entry entry;
  for (auto& s : sandboxes(sandbox_filter)) entry.sandboxes[s.id] = std::move(s);
  for (auto& c : driver_.list_containers(container_filter)) entry.containers[c.id] = std::move(c);
  PodRuntime out = sorted(entry);
  std::lock_guard lock(mutex_);
  for (const auto& [id, s] : entry.sandboxes) sandbox_pods_[id] = key;
  if (auto old = pods_.find(key); old != pods_.end())
    for (const auto& [id, s] : old->second.sandboxes)
      if (!entry.sandboxes.count(id)) sandbox_pods_.erase(id);
  if (entry.sandboxes.empty() && entry.containers.empty())
    pods_.erase(key);
  else
    pods_[key] = std::move(entry);
  return out;
}

PodRuntime RuntimeView::sorted(const Entry& entry) {
  PodRuntime out;
  for (const auto& [id, s] : entry.sandboxes) out.sandboxes.push_back(s);
  for (const auto& [id, c] : entry.containers) out.containers.push_back(c);
  std::stable_sort(out.sandboxes.begin(), out.sandboxes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.metadata.attempt, a.created_at) < std::tie(b.metadata.attempt, b.created_at);
  });
  std::stable_sort(out.containers.begin(), out.containers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.metadata.name, a.metadata.attempt, a.created_at) <
           std::tie(b.metadata.name, b.metadata.attempt, b.created_at);
  });
  return out;
}

PodRuntime RuntimeView::pod(const PodKey& key) const {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(key);
  return it == pods_.end() ? PodRuntime{} : sorted(it->second);
}

RuntimeView::Counts RuntimeView::counts() const {
  std::lock_guard lock(mutex_);
  Counts out;
  for (const char* state : {"created", "running", "exited", "unknown"}) out.containers[state] = 0;
  for (const auto& [key, entry] : pods_) {
    bool ready = false;
    for (const auto& [id, sb] : entry.sandboxes) ready = ready || sb.state == runtime::SandboxState::Ready;
    if (ready) ++out.ready_pods;
    for (const auto& [id, c] : entry.containers) {
      switch (c.state) {
        case runtime::ContainerState::Created: ++out.containers["created"]; break;
        case runtime::ContainerState::Running: ++out.containers["running"]; break;
        case runtime::ContainerState::Exited: ++out.containers["exited"]; break;
        case runtime::ContainerState::Unknown: ++out.containers["unknown"]; break;
      }
    }
  }
  return out;
}

std::vector<PodKey> RuntimeView::pods() const {
  std::lock_guard lock(mutex_);
  std::vector<PodKey> out;
  for (const auto& [key, entry] : pods_) out.push_back(key);
  return out;
}

}  // namespace ukube::kubelet
