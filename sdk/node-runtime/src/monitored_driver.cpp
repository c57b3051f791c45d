#include "ukube/node/monitored_driver.h"

#include <signal.h>

#include <spdlog/logger.h>
#include <unistd.h>

#include "ukube/node/atomic_file.h"
#include "ukube/node/exec_sync.h"
#include "ukube/node/monitor_launcher.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/spawn.h"
#include "ukube/node/stream_sessions.h"
#include "ukube/runtime/filters.h"

namespace ukube::runtime::node {

namespace {

// How long a monitor may take to report its container running.
constexpr auto kMonitorStartTimeout = std::chrono::seconds(10);
// How long after SIGKILL a container may take to be reported gone.
constexpr auto kKillWait = std::chrono::seconds(10);

}  // namespace

MonitoredDriver::MonitoredDriver(Identity identity, std::filesystem::path monitor_path,
                                 std::filesystem::path state_dir, std::shared_ptr<spdlog::logger> logger)
    : store_(std::move(state_dir)),
      logger_(logger),
      identity_(std::move(identity)),
      monitor_path_(std::move(monitor_path)),
      events_(logger) {
  // Containers of an earlier driver (a daemon before its restart) are followed like new ones.
  for (const auto& record : store_.list_containers())
    events_.watch_container(record.id, record.sandbox_id, store_.container_dir(record.id));
}

MonitoredDriver::~MonitoredDriver() = default;

void MonitoredDriver::throw_not_found(const char* what, const std::string& id) const {
  throw RuntimeError(RuntimeError::Code::NotFound,
                     message(std::string("no ") + what + " \"" + id + "\" (removed, or never created here)"));
}

VersionInfo MonitoredDriver::version() {
  return VersionInfo{identity_.runtime_name, identity_.runtime_version, "v1"};
}

void MonitoredDriver::launch_in(const std::filesystem::path& dir) {
  launch_monitor(monitor_path_, dir, kMonitorStartTimeout);
}

bool MonitoredDriver::image_in_use(const std::string& image_ref) const {
  for (const auto& record : store_.list_containers())
    if (record.image_ref == image_ref) return true;
  return false;
}

// ---- sandboxes ----

std::string MonitoredDriver::run_pod_sandbox(const PodSandboxConfig& config) {
  SandboxRecord record;
  record.id = StateStore::new_id();
  record.created_at = now_ns();
  record.ready = true;
  record.config = config;
  {
    std::lock_guard lock(sandboxes_mutex_);
    store_.write_sandbox(record);
  }
  try {
    start_sandbox(record);
  } catch (...) {
    try {
      stop_sandbox(record);
      remove_sandbox(record);
    } catch (const std::exception& e) {
      if (logger_) logger_->warn("{}", message(std::string("cleaning up a failed sandbox: ") + e.what()));
    }
    forget_records(store_.sandbox_dir(record.id));
    std::lock_guard lock(sandboxes_mutex_);
    store_.remove_sandbox(record.id);
    throw;
  }
  return record.id;
}

void MonitoredDriver::stop_pod_sandbox(const std::string& sandbox_id) {
  if (!store_.read_sandbox(sandbox_id)) return;
  for (const auto& record : store_.list_containers())
    if (record.sandbox_id == sandbox_id) stop_container(record.id, std::chrono::seconds(0));
  auto record = store_.read_sandbox(sandbox_id);
  if (!record) return;
  stop_sandbox(*record);
  std::lock_guard lock(sandboxes_mutex_);
  if (record = store_.read_sandbox(sandbox_id); record && record->ready) {
    record->ready = false;
    store_.write_sandbox(*record);
  }
}

void MonitoredDriver::remove_pod_sandbox(const std::string& sandbox_id) {
  if (!store_.read_sandbox(sandbox_id)) return;
  for (const auto& record : store_.list_containers())
    if (record.sandbox_id == sandbox_id) remove_container(record.id);
  auto record = store_.read_sandbox(sandbox_id);
  if (!record) return;
  stop_sandbox(*record);
  remove_sandbox(*record);
  forget_records(store_.sandbox_dir(sandbox_id));
  std::lock_guard lock(sandboxes_mutex_);
  store_.remove_sandbox(sandbox_id);
}

PodSandboxStatus MonitoredDriver::pod_sandbox_status(const std::string& sandbox_id) {
  auto record = store_.read_sandbox(sandbox_id);
  if (!record) throw_not_found("pod sandbox", sandbox_id);
  return sandbox_status_of(*record);
}

PodSandboxStatus MonitoredDriver::sandbox_status_of(const SandboxRecord& record) const {
  PodSandboxStatus status;
  status.id = record.id;
  status.metadata = record.config.metadata;
  status.state = record.ready ? SandboxState::Ready : SandboxState::NotReady;
  status.created_at = record.created_at;
  status.host_network = record.config.host_network;
  status.labels = record.config.labels;
  status.annotations = record.config.annotations;
  complete_sandbox_status(record, status);
  return status;
}

std::vector<PodSandboxStatus> MonitoredDriver::list_pod_sandboxes(const PodSandboxFilter& filter) {
  std::vector<PodSandboxStatus> out;
  for (const auto& record : store_.list_sandboxes()) {
    if (!filter.id.empty() && record.id != filter.id) continue;
    if (!labels_match(record.config.labels, filter.label_selector)) continue;
    auto status = sandbox_status_of(record);
    if (filter.state && status.state != *filter.state) continue;
    out.push_back(std::move(status));
  }
  return out;
}

// ---- containers ----

std::string MonitoredDriver::create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                              const PodSandboxConfig& sandbox_config) {
  auto sandbox = store_.read_sandbox(sandbox_id);
  if (!sandbox) throw_not_found("pod sandbox", sandbox_id);
  if (!sandbox->ready)
    throw RuntimeError(
        RuntimeError::Code::FailedPrecondition,
        message("pod sandbox " + sandbox_id + " is stopped; run a new sandbox for new containers"));

  ContainerRecord record;
  record.id = StateStore::new_id();
  record.sandbox_id = sandbox_id;
  record.created_at = now_ns();
  record.config = config;
  const PodSandboxConfig& pod = sandbox_config.log_directory.empty() ? sandbox->config : sandbox_config;
  if (!pod.log_directory.empty() && !config.log_path.empty())
    record.log_path = (std::filesystem::path(pod.log_directory) / config.log_path).string();
  else  // the kubelet always sets both; anyone else still gets a log
    record.log_path = (store_.container_dir(record.id) / "container.log").string();

  std::filesystem::create_directories(store_.container_dir(record.id));
  PreparedContainer prepared;
  try {
    prepared = prepare_container(record, *sandbox, pod);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(store_.container_dir(record.id), ignored);
    throw;
  }
  record.image_ref = prepared.image_ref;
  store_.write_container(record, prepared.spec);
  events_.watch_container(record.id, sandbox_id, store_.container_dir(record.id));
  events_.publish(ContainerEvent{record.id, sandbox_id, ContainerEventType::Created, record.created_at});
  return record.id;
}

std::shared_ptr<std::mutex> MonitoredDriver::container_lock(const std::string& container_id) {
  std::lock_guard lock(locks_mutex_);
  auto& slot = container_locks_[container_id];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

ContainerRecord MonitoredDriver::require_container(const std::string& container_id) const {
  auto record = store_.read_container(container_id);
  if (!record) throw_not_found("container", container_id);
  return *record;
}

MonitoredDriver::Observed MonitoredDriver::observe(const std::string& container_id) const {
  return observe_dir(store_.container_dir(container_id));
}

MonitoredDriver::Observed MonitoredDriver::observe_dir(const std::filesystem::path& dir) const {
  Observed seen;
  // The monitor writes each record once and never changes it: a record read once stands.
  {
    std::lock_guard lock(records_mutex_);
    if (auto known = records_.find(dir.string()); known != records_.end()) {
      seen.start = known->second.start;
      seen.exit = known->second.exit;
    }
  }
  if (!seen.exit) seen.exit = read_exit_record(dir);
  if (!seen.start) seen.start = read_start_record(dir);
  if (seen.exit) {
    seen.state = ContainerState::Exited;
  } else if (!seen.start) {
    seen.state = ContainerState::Created;
  } else if (is_same_process_alive(seen.start->monitor_pid, seen.start->monitor_start_ticks) ||
             is_same_process_alive(seen.start->pid, seen.start->start_ticks)) {
    seen.state = ContainerState::Running;
  } else if ((seen.exit = read_exit_record(dir))) {
    // The monitor recorded the exit and ended between the first look and the /proc check.
    seen.state = ContainerState::Exited;
  } else {
    // Monitor and container both gone without an exit record (the monitor was killed):
    // the real code is lost. Record that once, so every later look agrees.
    ExitRecord lost{255, now_ns(), "Error",
                    "the container's monitor (pid " + std::to_string(seen.start->monitor_pid) +
                        ") ended without recording the container's exit; its exit code is unknown"};
    try {
      write_exit_record(dir, lost);
    } catch (const std::exception& e) {
      if (logger_) logger_->warn("{}", message(e.what()));
    }
    seen.exit = lost;
    seen.state = ContainerState::Exited;
  }
  if (seen.start || seen.exit) {
    std::lock_guard lock(records_mutex_);
    auto& known = records_[dir.string()];
    known.start = seen.start;
    known.exit = seen.exit;
  }
  return seen;
}

void MonitoredDriver::forget_records(const std::filesystem::path& dir) {
  std::lock_guard lock(records_mutex_);
  records_.erase(dir.string());
}

ContainerStatus MonitoredDriver::status_of(const ContainerRecord& record, const Observed& seen) const {
  ContainerStatus status;
  status.id = record.id;
  status.pod_sandbox_id = record.sandbox_id;
  status.metadata = record.config.metadata;
  status.state = seen.state;
  status.created_at = record.created_at;
  if (seen.start) status.started_at = seen.start->started_at;
  if (seen.exit) {
    status.finished_at = seen.exit->finished_at;
    status.exit_code = seen.exit->exit_code;
    status.reason = seen.exit->reason;
    status.message = seen.exit->message;
  }
  status.image = record.config.image;
  status.image_ref = record.image_ref;
  status.labels = record.config.labels;
  status.annotations = record.config.annotations;
  status.log_path = record.log_path;
  complete_container_status(record, status);
  return status;
}

void MonitoredDriver::start_container(const std::string& container_id) {
  auto lock = container_lock(container_id);
  std::lock_guard guard(*lock);
  require_container(container_id);
  Observed seen = observe(container_id);
  if (seen.state != ContainerState::Created)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       message("container " + container_id + " is " + std::string(to_string(seen.state)) +
                               ", not Created: a container starts once; create a new one to run again"));
  // The Started event comes from the event thread, when started.json appears: so it is
  // always ahead of the Stopped event of a container that exits at once.
  launch_in(store_.container_dir(container_id));
}

bool MonitoredDriver::stop_dir(const std::filesystem::path& dir, std::chrono::seconds timeout) {
  Observed seen = observe_dir(dir);
  if (seen.state != ContainerState::Running) return true;
  auto exited = [&] { return observe_dir(dir).state != ContainerState::Running; };
  if (timeout.count() > 0) {
    signal_container(*seen.start, SIGTERM);
    if (events_.wait_until(exited, std::chrono::steady_clock::now() + timeout)) return true;
  }
  signal_container(*seen.start, SIGKILL);
  return events_.wait_until(exited, std::chrono::steady_clock::now() + kKillWait);
}

void MonitoredDriver::stop_locked(const ContainerRecord& record, std::chrono::seconds timeout) {
  if (!stop_dir(store_.container_dir(record.id), timeout))
    throw RuntimeError(
        RuntimeError::Code::DeadlineExceeded,
        message("container " + record.id + " was killed but its monitor did not record an exit within " +
                std::to_string(kKillWait.count()) + " s; see " +
                (store_.container_dir(record.id) / files::kMonitorLog).string()));
}

void MonitoredDriver::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  auto record = store_.read_container(container_id);
  if (!record) return;  // idempotent, as the CRI asks
  auto lock = container_lock(container_id);
  std::lock_guard guard(*lock);
  stop_locked(*record, timeout);
}

void MonitoredDriver::remove_container(const std::string& container_id) {
  auto record = store_.read_container(container_id);
  if (!record) return;
  {
    auto lock = container_lock(container_id);
    std::lock_guard guard(*lock);
    stop_locked(*record, std::chrono::seconds(0));
    events_.unwatch_container(container_id);
    cleanup_container(*record);
    store_.remove_container(container_id);
    forget_records(store_.container_dir(container_id));
  }
  {
    std::lock_guard lock(locks_mutex_);
    container_locks_.erase(container_id);
  }
  events_.publish(ContainerEvent{container_id, record->sandbox_id, ContainerEventType::Deleted, now_ns()});
}

ContainerStatus MonitoredDriver::container_status(const std::string& container_id) {
  auto record = require_container(container_id);
  return status_of(record, observe(container_id));
}

void MonitoredDriver::for_each_matching(
    const ContainerFilter& filter,
    const std::function<void(const ContainerRecord&, const Observed&, ContainerStatus)>& visit) const {
  for (const auto& record : store_.list_containers()) {
    if (!filter.id.empty() && record.id != filter.id) continue;
    if (!filter.pod_sandbox_id.empty() && record.sandbox_id != filter.pod_sandbox_id) continue;
    if (!labels_match(record.config.labels, filter.label_selector)) continue;
    Observed seen = observe(record.id);
    auto status = status_of(record, seen);
    if (filter.state && status.state != *filter.state) continue;
    visit(record, seen, std::move(status));
  }
}

std::vector<ContainerStatus> MonitoredDriver::list_containers(const ContainerFilter& filter) {
  std::vector<ContainerStatus> out;
  for_each_matching(filter, [&](const ContainerRecord&, const Observed&, ContainerStatus status) {
    out.push_back(std::move(status));
  });
  return out;
}

std::vector<ContainerStats> MonitoredDriver::list_container_stats(const ContainerFilter& filter) {
  std::vector<ContainerStats> out;
  for_each_matching(filter,
                    [&](const ContainerRecord& record, const Observed& seen, const ContainerStatus& status) {
                      ContainerStats stats;
                      stats.id = status.id;
                      stats.pod_sandbox_id = status.pod_sandbox_id;
                      stats.timestamp = now_ns();
                      if (status.state == ContainerState::Running && seen.start)
                        fill_stats(record, *seen.start, stats);
                      out.push_back(std::move(stats));
                    });
  return out;
}

// ---- exec and attach ----

ExecTarget MonitoredDriver::running_exec_target(const std::string& container_id, const char* call) const {
  auto record = require_container(container_id);
  Observed seen = observe(container_id);
  if (seen.state != ContainerState::Running)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       message(std::string(call) + ": container " + container_id + " is not running"));
  auto path = store_.container_dir(container_id) / files::kMonitorSpec;
  auto text = read_file_if_exists(path);
  if (!text) throw_not_found("container", container_id);
  return exec_target_of(record, monitor_spec_from_json(*text, path.string()), *seen.start);
}

ExecSyncResult MonitoredDriver::exec_sync(const std::string& container_id,
                                          const std::vector<std::string>& cmd, std::chrono::seconds timeout) {
  return run_exec_sync(running_exec_target(container_id, "exec"), cmd, timeout);
}

std::unique_ptr<StreamSession> MonitoredDriver::exec(const StreamRequest& request,
                                                     StreamCallbacks callbacks) {
  return start_exec_session(running_exec_target(request.container_id, "exec"), request, std::move(callbacks));
}

std::unique_ptr<StreamSession> MonitoredDriver::attach(const StreamRequest& request,
                                                       StreamCallbacks callbacks) {
  auto record = require_container(request.container_id);
  Observed seen = observe(request.container_id);
  if (seen.state != ContainerState::Running)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       message("attach: container " + request.container_id + " is not running"));
  AttachTarget target;
  target.container_dir = store_.container_dir(record.id);
  target.log_path = record.log_path;
  target.monitor_pid = seen.start->monitor_pid;
  target.stdin_once = record.config.stdin_once;
  target.tty = record.config.tty;
  return start_attach_session(target, request, std::move(callbacks));
}

// ---- events ----

uint64_t MonitoredDriver::subscribe(ContainerEventHandler handler) {
  return events_.subscribe(std::move(handler));
}

void MonitoredDriver::unsubscribe(uint64_t subscription) {
  events_.unsubscribe(subscription);
}

}  // namespace ukube::runtime::node
