// The fake driver's identity and its pod sandboxes: records with an IP from the shared pool.
#include <random>

#include "driver_support.h"
#include "fake_driver.h"

namespace ukube::runtime::fake {
namespace {

// The name a sandbox reserves, as containerd reserves <name>_<namespace>_<uid>_<attempt>.
std::string sandbox_name_key(const PodSandboxMetadata& m) {
  return m.name + "_" + m.namespace_ + "_" + m.uid + "_" + std::to_string(m.attempt);
}

}  // namespace

std::shared_ptr<FakeDriver> FakeDriver::create(std::string node_name, SharedParts shared) {
  return std::shared_ptr<FakeDriver>(new FakeDriver(std::move(node_name), std::move(shared)));
}

FakeDriver::FakeDriver(std::string node_name, SharedParts shared)
    : node_name_(std::move(node_name)), shared_(std::move(shared)), id_source_(std::random_device{}()) {}

FakeDriver::~FakeDriver() = default;

VersionInfo FakeDriver::version() {
  return {"ukube-fake", "0.1.0", "v1"};
}

RuntimeStatus FakeDriver::status() {
  RuntimeStatus status;
  status.conditions.push_back({"RuntimeReady", true, "", ""});
  status.conditions.push_back({"NetworkReady", true, "", ""});
  return status;
}

void FakeDriver::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  exited_.notify_all();
}

size_t FakeDriver::sandbox_count() const {
  std::lock_guard lock(mutex_);
  return sandboxes_.size();
}

size_t FakeDriver::container_count() const {
  std::lock_guard lock(mutex_);
  return containers_.size();
}

std::string FakeDriver::new_id_locked() {
  // 64 hex digits, as containerd's ids; random so ids differ across nodes and restarts.
  std::string id(64, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < id.size(); i += 16) {
    uint64_t bits = id_source_();
    for (size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = kHex[bits & 0xf];
  }
  return id;
}

std::string FakeDriver::run_pod_sandbox(const PodSandboxConfig& config) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  const std::string name_key = sandbox_name_key(config.metadata);
  if (auto it = sandbox_names_.find(name_key); it != sandbox_names_.end())
    throw RuntimeError(RuntimeError::Code::AlreadyExists,
                       "pod sandbox name \"" + name_key + "\" is reserved for " + it->second);
  std::string ip;
  if (!config.host_network) {
    try {
      ip = shared_.ips->allocate();
    } catch (const std::runtime_error& e) {
      throw RuntimeError(RuntimeError::Code::Unavailable,
                         std::string("cannot give the pod an IP: ") + e.what());
    }
  }
  const std::string id = new_id_locked();
  Sandbox& sandbox = sandboxes_[id];
  PodSandboxStatus& s = sandbox.status;
  s.id = id;
  s.metadata = config.metadata;
  s.state = SandboxState::Ready;
  s.created_at = now;
  s.ip = std::move(ip);
  s.host_network = config.host_network;
  s.labels = config.labels;
  s.annotations = config.annotations;
  sandbox_names_.emplace(name_key, id);
  sandboxes_by_pod_.add(s.labels, id);
  return id;
}

void FakeDriver::stop_pod_sandbox(const std::string& sandbox_id) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) return;  // idempotent, as the CRI asks
  for (const auto& container_id : it->second.containers) {
    Container& container = containers_.at(container_id);
    if (running_or_starting(container)) kill_locked(container, now);
  }
  it->second.status.state = SandboxState::NotReady;
}

void FakeDriver::remove_pod_sandbox(const std::string& sandbox_id) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) return;
  // erase_container_locked edits the sandbox's list: walk a copy.
  const std::vector<std::string> container_ids = it->second.containers;
  for (const auto& container_id : container_ids) erase_container_locked(container_id, now);
  if (!it->second.status.ip.empty()) shared_.ips->release(it->second.status.ip);
  sandbox_names_.erase(sandbox_name_key(it->second.status.metadata));
  sandboxes_by_pod_.remove(it->second.status.labels, sandbox_id);
  sandboxes_.erase(it);
}

PodSandboxStatus FakeDriver::pod_sandbox_status(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) throw sandbox_not_found(sandbox_id);
  return it->second.status;
}

std::vector<PodSandboxStatus> FakeDriver::list_pod_sandboxes(const PodSandboxFilter& filter) {
  std::lock_guard lock(mutex_);
  std::vector<PodSandboxStatus> out;
  if (!filter.id.empty()) {
    auto it = sandboxes_.find(filter.id);
    if (it != sandboxes_.end() && matches(it->second.status, filter)) out.push_back(it->second.status);
    return out;
  }
  if (const auto* ids = sandboxes_by_pod_.find(filter.label_selector)) {
    for (const auto& id : *ids)
      if (const PodSandboxStatus& s = sandboxes_.at(id).status; matches(s, filter)) out.push_back(s);
    return out;
  }
  for (const auto& [id, sandbox] : sandboxes_)
    if (matches(sandbox.status, filter)) out.push_back(sandbox.status);
  return out;
}

}  // namespace ukube::runtime::fake
