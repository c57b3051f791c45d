// The fake driver's containers: state changes made under the driver's lock, the timed ones
// (start delays, exits, kills after a stop's timeout) run by the shared scheduler.
#include <algorithm>
#include <filesystem>

#include "cri_log.h"
#include "driver_support.h"
#include "fake_driver.h"

namespace ukube::runtime::fake {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

}  // namespace

FakeDriver::Container& FakeDriver::container_or_throw_locked(const std::string& container_id) {
  auto it = containers_.find(container_id);
  if (it == containers_.end())
    throw RuntimeError(RuntimeError::Code::NotFound, "container \"" + container_id + "\" not found");
  return it->second;
}

bool FakeDriver::running_or_starting(const Container& container) const {
  return container.status.state == ContainerState::Running || container.start_pending;
}

std::string FakeDriver::create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                         const PodSandboxConfig& sandbox_config) {
  auto behaviour = shared_.images->behaviour(config.image);
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  auto sandbox = sandboxes_.find(sandbox_id);
  if (sandbox == sandboxes_.end()) throw sandbox_not_found(sandbox_id);
  if (sandbox->second.status.state != SandboxState::Ready)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "pod sandbox \"" + sandbox_id + "\" is not ready: no new containers in it");
  for (const auto& other_id : sandbox->second.containers) {
    const ContainerMetadata& other = containers_.at(other_id).status.metadata;
    if (other.name == config.metadata.name && other.attempt == config.metadata.attempt)
      throw RuntimeError(RuntimeError::Code::AlreadyExists,
                         "container name \"" + config.metadata.name + "\" attempt " +
                             std::to_string(other.attempt) + " is reserved for " + other_id);
  }
  const std::string id = new_id_locked();
  Container& container = containers_[id];
  container.behaviour = std::move(behaviour);
  ContainerStatus& s = container.status;
  s.id = id;
  s.pod_sandbox_id = sandbox_id;
  s.metadata = config.metadata;
  s.state = ContainerState::Created;
  s.created_at = now;
  s.image = config.image;
  s.image_ref = fake_image_id(config.image);
  s.labels = config.labels;
  s.annotations = config.annotations;
  if (!config.log_path.empty())
    s.log_path = (std::filesystem::path(sandbox_config.log_directory) / config.log_path).string();
  sandbox->second.containers.push_back(id);
  containers_by_pod_.add(s.labels, id);
  post_event_locked(container, ContainerEventType::Created, now);
  return id;
}

void FakeDriver::start_container(const std::string& container_id) {
  std::optional<StartedWork> started;
  {
    const int64_t now = shared_.scheduler->now();
    std::lock_guard lock(mutex_);
    Container& container = container_or_throw_locked(container_id);
    if (container.status.state != ContainerState::Created || container.start_pending)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "container \"" + container_id + "\" is " +
                             (container.start_pending ? "already starting"
                                                      : std::string(to_string(container.status.state))) +
                             ", not created: it cannot be started");
    auto sandbox = sandboxes_.find(container.status.pod_sandbox_id);
    if (sandbox == sandboxes_.end() || sandbox->second.status.state != SandboxState::Ready)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "container \"" + container_id + "\" cannot start: its pod sandbox is stopped");
    const int64_t delay = int64_t{container.behaviour->start_delay_ms()} * kNsPerMs;
    if (delay == 0) {
      started = become_running_locked(container, now);
    } else {
      container.start_pending = true;
      if (!schedule_at(now + delay,
                       [id = container_id](FakeDriver& self) { self.on_start_delay_elapsed(id); }))
        started = become_running_locked(container, now);  // shutting down: no one would start it later
    }
  }
  if (started) finish_start(*started);
}

FakeDriver::StartedWork FakeDriver::become_running_locked(Container& container, int64_t now) {
  container.start_pending = false;
  container.status.state = ContainerState::Running;
  container.status.started_at = now;
  post_event_locked(container, ContainerEventType::Started, now);
  return {container.status.id, container.status.log_path, container.behaviour, now};
}

void FakeDriver::finish_start(const StartedWork& work) {
  const ImageBehaviour& behaviour = *work.behaviour;
  if (behaviour.log_lines_size() > 0 && !work.log_path.empty()) {
    try {
      append_stdout_lines(work.log_path, {behaviour.log_lines().begin(), behaviour.log_lines().end()},
                          work.started_at);
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      if (auto it = containers_.find(work.container_id); it != containers_.end())
        it->second.status.message = e.what();
    }
  }
  if (behaviour.exit_after_ms() > 0) {
    const int64_t due = work.started_at + int64_t{behaviour.exit_after_ms()} * kNsPerMs;
    if (!schedule_at(due, [id = work.container_id](FakeDriver& self) { self.on_exit_due(id); }))
      on_exit_due(work.container_id);
  }
}

void FakeDriver::on_start_delay_elapsed(const std::string& container_id) {
  std::optional<StartedWork> started;
  {
    const int64_t now = shared_.scheduler->now();
    std::lock_guard lock(mutex_);
    auto it = containers_.find(container_id);
    if (it == containers_.end() || !it->second.start_pending) return;  // removed or stopped meanwhile
    started = become_running_locked(it->second, now);
  }
  finish_start(*started);
}

void FakeDriver::on_exit_due(const std::string& container_id) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  auto it = containers_.find(container_id);
  if (it == containers_.end() || it->second.status.state != ContainerState::Running) return;
  exit_locked(it->second, it->second.behaviour->exit_code(), now);
}

void FakeDriver::on_stop_timeout(const std::string& container_id) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  auto it = containers_.find(container_id);
  if (it != containers_.end() && running_or_starting(it->second)) kill_locked(it->second, now);
}

void FakeDriver::exit_locked(Container& container, int32_t exit_code, int64_t now) {
  container.start_pending = false;
  ContainerStatus& s = container.status;
  s.state = ContainerState::Exited;
  s.finished_at = now;
  s.exit_code = exit_code;
  s.reason = exit_code == 0 ? "Completed" : "Error";
  post_event_locked(container, ContainerEventType::Stopped, now);
  notify_attached_locked(container);
  exited_.notify_all();
}

void FakeDriver::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  const int64_t now = shared_.scheduler->now();
  std::unique_lock lock(mutex_);
  auto it = containers_.find(container_id);
  if (it == containers_.end() || !running_or_starting(it->second)) return;  // idempotent
  Container& container = it->second;
  if (timeout.count() <= 0 || container.start_pending) {
    // A zero timeout kills at once; so does a stop of one still starting, as nothing runs
    // yet that could handle a SIGTERM.
    kill_locked(container, now);
  } else if (!container.behaviour->ignores_sigterm()) {
    exit_locked(container, kCleanStopExitCode, now);
  } else {
    const int64_t due = now + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    if (!schedule_at(due, [id = container_id](FakeDriver& self) { self.on_stop_timeout(id); }))
      kill_locked(container, now);
  }
  // Returns once exited, as the CRI asks; the container may also be removed meanwhile.
  exited_.wait(lock, [&] {
    auto found = containers_.find(container_id);
    return closed_ || found == containers_.end() || found->second.status.state == ContainerState::Exited;
  });
}

void FakeDriver::erase_container_locked(const std::string& container_id, int64_t now) {
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return;
  Container& container = it->second;
  if (running_or_starting(container)) kill_locked(container, now);  // CRI: removal forces
  notify_attached_locked(container);  // a created container never exits: end its attaches
  post_event_locked(container, ContainerEventType::Deleted, now);
  if (auto sandbox = sandboxes_.find(container.status.pod_sandbox_id); sandbox != sandboxes_.end())
    std::erase(sandbox->second.containers, container_id);
  containers_by_pod_.remove(container.status.labels, container_id);
  containers_.erase(it);
  exited_.notify_all();
}

void FakeDriver::remove_container(const std::string& container_id) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  erase_container_locked(container_id, now);
}

ContainerStatus FakeDriver::container_status(const std::string& container_id) {
  std::lock_guard lock(mutex_);
  return container_or_throw_locked(container_id).status;
}

std::vector<ContainerStatus> FakeDriver::list_containers(const ContainerFilter& filter) {
  std::lock_guard lock(mutex_);
  std::vector<ContainerStatus> out;
  if (!filter.id.empty()) {
    auto it = containers_.find(filter.id);
    if (it != containers_.end() && matches(it->second.status, filter)) out.push_back(it->second.status);
    return out;
  }
  if (!filter.pod_sandbox_id.empty()) {
    auto sandbox = sandboxes_.find(filter.pod_sandbox_id);
    if (sandbox == sandboxes_.end()) return out;
    for (const auto& id : sandbox->second.containers) {
      const ContainerStatus& s = containers_.at(id).status;
      if (matches(s, filter)) out.push_back(s);
    }
    return out;
  }
  if (const auto* ids = containers_by_pod_.find(filter.label_selector)) {
    for (const auto& id : *ids)
      if (const ContainerStatus& s = containers_.at(id).status; matches(s, filter)) out.push_back(s);
    return out;
  }
  for (const auto& [id, container] : containers_)
    if (matches(container.status, filter)) out.push_back(container.status);
  return out;
}

// Running containers only, as containerd reports: an exited one has no usage left.
std::vector<ContainerStats> FakeDriver::list_container_stats(const ContainerFilter& filter) {
  const int64_t now = shared_.scheduler->now();
  std::lock_guard lock(mutex_);
  std::vector<ContainerStats> out;
  for (const auto& [id, container] : containers_) {
    const ContainerStatus& s = container.status;
    if (s.state != ContainerState::Running || !matches(s, filter)) continue;
    ContainerStats stats;
    stats.id = id;
    stats.pod_sandbox_id = s.pod_sandbox_id;
    stats.timestamp = now;
    // core-nanoseconds = cores x nanoseconds running; in double, as the product of two
    // large integers overflows 64 bits within days.
    const double running_ns = static_cast<double>(std::max<int64_t>(0, now - s.started_at));
    stats.cpu_usage_core_nanoseconds =
        static_cast<uint64_t>(static_cast<double>(container.behaviour->cpu_nanocores()) * running_ns / 1e9);
    stats.memory_working_set_bytes = container.behaviour->memory_bytes();
    out.push_back(std::move(stats));
  }
  return out;
}

}  // namespace ukube::runtime::fake
