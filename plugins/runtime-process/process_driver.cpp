#include "process_driver.h"

#include <signal.h>
#include <sys/stat.h>

#include <spdlog/logger.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/atomic_file.h"
#include "common/proc_info.h"
#include "common/spawn.h"
#include "exec_sync.h"
#include "monitor_launcher.h"
#include "stream_sessions.h"
#include "ukube/runtime/filters.h"

namespace ukube::runtime::process {

namespace {

constexpr const char* kRuntimeName = "ukube-process";
constexpr const char* kRuntimeVersion = "0.1.0";
// How long a monitor may take to report its container running.
constexpr auto kMonitorStartTimeout = std::chrono::seconds(10);
// How long after SIGKILL a container may take to be reported gone.
constexpr auto kKillWait = std::chrono::seconds(10);

[[noreturn]] void throw_not_found(const char* what, const std::string& id) {
  throw RuntimeError(RuntimeError::Code::NotFound, std::string("runtime-process: no ") + what + " \"" + id +
                                                       "\" (removed, or never created here)");
}

}  // namespace

ProcessDriver::ProcessDriver(ProcessRuntimeSettings settings, std::filesystem::path state_dir,
                             std::shared_ptr<spdlog::logger> logger)
    : settings_(std::move(settings)),
      store_(std::move(state_dir)),
      resolver_(settings_.images),
      logger_(logger),
      events_(logger) {
  // Containers of an earlier driver (a daemon before its restart) are followed like new ones.
  for (const auto& record : store_.list_containers())
    events_.watch_container(record.id, record.sandbox_id, store_.container_dir(record.id));
}

ProcessDriver::~ProcessDriver() = default;

VersionInfo ProcessDriver::version() {
  return VersionInfo{kRuntimeName, kRuntimeVersion, "v1"};
}

RuntimeStatus ProcessDriver::status() {
  RuntimeStatus status;
  status.conditions.push_back(RuntimeCondition{"RuntimeReady", true, "", ""});
  // Every sandbox uses the host's network: there is nothing to set up that could fail.
  status.conditions.push_back(RuntimeCondition{"NetworkReady", true, "", ""});
  return status;
}

// ---- sandboxes ----

std::string ProcessDriver::run_pod_sandbox(const PodSandboxConfig& config) {
  SandboxRecord record;
  record.id = StateStore::new_id();
  record.created_at = now_ns();
  record.ready = true;
  record.config = config;
  std::lock_guard lock(sandboxes_mutex_);
  store_.write_sandbox(record);
  return record.id;
}

void ProcessDriver::stop_pod_sandbox(const std::string& sandbox_id) {
  if (!store_.read_sandbox(sandbox_id)) return;
  for (const auto& record : store_.list_containers())
    if (record.sandbox_id == sandbox_id) stop_container(record.id, std::chrono::seconds(0));
  std::lock_guard lock(sandboxes_mutex_);
  if (auto record = store_.read_sandbox(sandbox_id); record && record->ready) {
    record->ready = false;
    store_.write_sandbox(*record);
  }
}

void ProcessDriver::remove_pod_sandbox(const std::string& sandbox_id) {
  if (!store_.read_sandbox(sandbox_id)) return;
  for (const auto& record : store_.list_containers())
    if (record.sandbox_id == sandbox_id) remove_container(record.id);
  std::lock_guard lock(sandboxes_mutex_);
  store_.remove_sandbox(sandbox_id);
}

PodSandboxStatus ProcessDriver::pod_sandbox_status(const std::string& sandbox_id) {
  auto record = store_.read_sandbox(sandbox_id);
  if (!record) throw_not_found("pod sandbox", sandbox_id);
  PodSandboxStatus status;
  status.id = record->id;
  status.metadata = record->config.metadata;
  status.state = record->ready ? SandboxState::Ready : SandboxState::NotReady;
  status.created_at = record->created_at;
  status.ip = settings_.node_ip;
  status.host_network = true;  // no network namespaces: every pod is on the host's
  status.labels = record->config.labels;
  status.annotations = record->config.annotations;
  return status;
}

std::vector<PodSandboxStatus> ProcessDriver::list_pod_sandboxes(const PodSandboxFilter& filter) {
  std::vector<PodSandboxStatus> out;
  for (const auto& record : store_.list_sandboxes()) {
    if (!filter.id.empty() && record.id != filter.id) continue;
    if (!labels_match(record.config.labels, filter.label_selector)) continue;
    auto status = pod_sandbox_status(record.id);
    if (filter.state && status.state != *filter.state) continue;
    out.push_back(std::move(status));
  }
  return out;
}

// ---- containers ----

MonitorSpec ProcessDriver::monitor_spec_for(const ContainerConfig& config, const PodSandboxConfig& sandbox,
                                            const std::string& entrypoint,
                                            const std::string& log_path) const {
  MonitorSpec spec;
  for (const auto& kv : config.envs) spec.env.push_back(kv.key + "=" + kv.value);
  // What a container image would provide: a PATH, and the pod's hostname.
  if (!env_value(spec.env, "PATH")) spec.env.push_back(std::string("PATH=") + kDefaultContainerPath);
  if (!env_value(spec.env, "HOSTNAME") && !sandbox.hostname.empty())
    spec.env.push_back("HOSTNAME=" + sandbox.hostname);
  if (!config.command.empty()) {
    std::string path_list = *env_value(spec.env, "PATH");
    auto executable = find_executable(config.command.front(), path_list);
    if (!executable)
      throw RuntimeError(RuntimeError::Code::NotFound, "runtime-process: the container's command \"" +
                                                           config.command.front() +
                                                           "\" is not found on its PATH (" + path_list +
                                                           "); use an absolute path or set PATH");
    spec.argv.push_back(*executable);
    spec.argv.insert(spec.argv.end(), config.command.begin() + 1, config.command.end());
  } else {
    spec.argv.push_back(entrypoint);
  }
  spec.argv.insert(spec.argv.end(), config.args.begin(), config.args.end());
  spec.working_dir = config.working_dir.empty() ? "/" : config.working_dir;
  spec.log_path = log_path;
  spec.log_max_size_bytes = settings_.log_max_size_bytes;
  spec.log_max_files = settings_.log_max_files;
  spec.rlimit_nofile = settings_.rlimit_nofile;
  spec.rlimit_nproc = settings_.rlimit_nproc;
  spec.rlimit_core = settings_.rlimit_core;
  spec.stdin_ = config.stdin_;
  spec.tty = config.tty;
  for (const auto& m : config.mounts)
    spec.mounts.push_back(BindMount{m.host_path, m.container_path, m.readonly});
  return spec;
}

std::string ProcessDriver::create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                            const PodSandboxConfig& sandbox_config) {
  auto sandbox = store_.read_sandbox(sandbox_id);
  if (!sandbox) throw_not_found("pod sandbox", sandbox_id);
  if (!sandbox->ready)
    throw RuntimeError(
        RuntimeError::Code::FailedPrecondition,
        "runtime-process: pod sandbox " + sandbox_id + " is stopped; run a new sandbox for new containers");
  auto entrypoint = resolver_.resolve(config.image);
  if (!entrypoint)
    throw RuntimeError(RuntimeError::Code::NotFound, resolver_.unresolved_message(config.image));

  ContainerRecord record;
  record.id = StateStore::new_id();
  record.sandbox_id = sandbox_id;
  record.created_at = now_ns();
  record.config = config;
  record.image_ref = image_id_for_path(*entrypoint);
  const PodSandboxConfig& pod = sandbox_config.log_directory.empty() ? sandbox->config : sandbox_config;
  if (!pod.log_directory.empty() && !config.log_path.empty())
    record.log_path = (std::filesystem::path(pod.log_directory) / config.log_path).string();
  else  // the kubelet always sets both; anyone else still gets a log
    record.log_path = (store_.container_dir(record.id) / "container.log").string();
  MonitorSpec spec = monitor_spec_for(config, pod, *entrypoint, record.log_path);
  if (!spec.mounts.empty() && !can_mount() && logger_ && !warned_mounts_.exchange(true))
    logger_->warn(
        "runtime-process: containers get their volumes only when the daemon runs as root (a private mount "
        "namespace each); as user {} they run without them",
        ::geteuid());

  store_.write_container(record, spec);
  events_.watch_container(record.id, sandbox_id, store_.container_dir(record.id));
  events_.publish(ContainerEvent{record.id, sandbox_id, ContainerEventType::Created, record.created_at});
  return record.id;
}

std::shared_ptr<std::mutex> ProcessDriver::container_lock(const std::string& container_id) {
  std::lock_guard lock(locks_mutex_);
  auto& slot = container_locks_[container_id];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

ContainerRecord ProcessDriver::require_container(const std::string& container_id) const {
  auto record = store_.read_container(container_id);
  if (!record) throw_not_found("container", container_id);
  return *record;
}

ProcessDriver::Observed ProcessDriver::observe(const std::string& container_id) const {
  auto dir = store_.container_dir(container_id);
  Observed seen;
  seen.exit = read_exit_record(dir);
  seen.start = read_start_record(dir);
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
      if (logger_) logger_->warn("runtime-process: {}", e.what());
    }
    seen.exit = lost;
    seen.state = ContainerState::Exited;
  }
  return seen;
}

ContainerStatus ProcessDriver::status_of(const ContainerRecord& record) const {
  Observed seen = observe(record.id);
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
  return status;
}

void ProcessDriver::start_container(const std::string& container_id) {
  auto lock = container_lock(container_id);
  std::lock_guard guard(*lock);
  require_container(container_id);
  Observed seen = observe(container_id);
  if (seen.state != ContainerState::Created)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "runtime-process: container " + container_id + " is " +
                           std::string(to_string(seen.state)) +
                           ", not Created: a container starts once; create a new one to run again");
  // The Started event comes from the event thread, when started.json appears: so it is
  // always ahead of the Stopped event of a container that exits at once.
  launch_monitor(settings_.monitor_path, store_.container_dir(container_id), kMonitorStartTimeout);
}

void ProcessDriver::stop_locked(const ContainerRecord& record, std::chrono::seconds timeout) {
  Observed seen = observe(record.id);
  if (seen.state != ContainerState::Running) return;
  pid_t group = seen.start->pid;  // the container leads its own session and process group
  auto exited = [&] { return observe(record.id).state != ContainerState::Running; };
  if (timeout.count() > 0) {
    ::kill(-group, SIGTERM);
    if (events_.wait_until(exited, std::chrono::steady_clock::now() + timeout)) return;
  }
  ::kill(-group, SIGKILL);
  if (!events_.wait_until(exited, std::chrono::steady_clock::now() + kKillWait))
    throw RuntimeError(RuntimeError::Code::DeadlineExceeded,
                       "runtime-process: container " + record.id + " (pid " + std::to_string(group) +
                           ") was killed but its monitor did not record an exit within " +
                           std::to_string(kKillWait.count()) + " s; see " +
                           (store_.container_dir(record.id) / files::kMonitorLog).string());
}

void ProcessDriver::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  auto record = store_.read_container(container_id);
  if (!record) return;  // idempotent, as the CRI asks
  auto lock = container_lock(container_id);
  std::lock_guard guard(*lock);
  stop_locked(*record, timeout);
}

void ProcessDriver::remove_container(const std::string& container_id) {
  auto record = store_.read_container(container_id);
  if (!record) return;
  {
    auto lock = container_lock(container_id);
    std::lock_guard guard(*lock);
    stop_locked(*record, std::chrono::seconds(0));
    events_.unwatch_container(container_id);
    store_.remove_container(container_id);
  }
  {
    std::lock_guard lock(locks_mutex_);
    container_locks_.erase(container_id);
  }
  events_.publish(ContainerEvent{container_id, record->sandbox_id, ContainerEventType::Deleted, now_ns()});
}

ContainerStatus ProcessDriver::container_status(const std::string& container_id) {
  return status_of(require_container(container_id));
}

std::vector<ContainerStatus> ProcessDriver::list_containers(const ContainerFilter& filter) {
  std::vector<ContainerStatus> out;
  for (const auto& record : store_.list_containers()) {
    if (!filter.id.empty() && record.id != filter.id) continue;
    if (!filter.pod_sandbox_id.empty() && record.sandbox_id != filter.pod_sandbox_id) continue;
    if (!labels_match(record.config.labels, filter.label_selector)) continue;
    auto status = status_of(record);
    if (filter.state && status.state != *filter.state) continue;
    out.push_back(std::move(status));
  }
  return out;
}

std::vector<ContainerStats> ProcessDriver::list_container_stats(const ContainerFilter& filter) {
  std::vector<ContainerStats> out;
  for (const auto& status : list_containers(filter)) {
    ContainerStats stats;
    stats.id = status.id;
    stats.pod_sandbox_id = status.pod_sandbox_id;
    stats.timestamp = now_ns();
    if (status.state == ContainerState::Running) {
      // The container's main process only: its children are not counted (no cgroup to
      // sum them up).
      if (auto start = read_start_record(store_.container_dir(status.id))) {
        if (auto stat = read_proc_stat(start->pid)) {
          stats.cpu_usage_core_nanoseconds = ticks_to_ns(stat->utime_ticks + stat->stime_ticks);
          stats.memory_working_set_bytes = read_resident_bytes(start->pid).value_or(0);
        }
      }
    }
    out.push_back(std::move(stats));
  }
  return out;
}

// ---- exec and attach ----

ExecTarget ProcessDriver::running_exec_target(const std::string& container_id, const char* call) const {
  require_container(container_id);
  if (observe(container_id).state != ContainerState::Running)
    throw RuntimeError(
        RuntimeError::Code::FailedPrecondition,
        std::string("runtime-process: ") + call + ": container " + container_id + " is not running");
  auto path = store_.container_dir(container_id) / files::kMonitorSpec;
  auto text = read_file_if_exists(path);
  if (!text) throw_not_found("container", container_id);
  MonitorSpec spec = monitor_spec_from_json(*text, path.string());
  ExecTarget target{spec.env, spec.working_dir, 0};
  // A command run "in" the container sees its volumes too.
  if (!spec.mounts.empty() && can_mount())
    if (auto start = read_start_record(store_.container_dir(container_id)))
      target.mount_namespace_pid = start->pid;
  return target;
}

ExecSyncResult ProcessDriver::exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                                        std::chrono::seconds timeout) {
  return run_exec_sync(running_exec_target(container_id, "exec"), cmd, timeout);
}

std::unique_ptr<StreamSession> ProcessDriver::exec(const StreamRequest& request, StreamCallbacks callbacks) {
  return start_exec_session(running_exec_target(request.container_id, "exec"), request, std::move(callbacks));
}

std::unique_ptr<StreamSession> ProcessDriver::attach(const StreamRequest& request,
                                                     StreamCallbacks callbacks) {
  auto record = require_container(request.container_id);
  Observed seen = observe(request.container_id);
  if (seen.state != ContainerState::Running)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "runtime-process: attach: container " + request.container_id + " is not running");
  AttachTarget target;
  target.container_dir = store_.container_dir(record.id);
  target.log_path = record.log_path;
  target.monitor_pid = seen.start->monitor_pid;
  target.stdin_once = record.config.stdin_once;
  target.tty = record.config.tty;
  return start_attach_session(target, request, std::move(callbacks));
}

// ---- images ----

std::string ProcessDriver::pull_image(const std::string& image, const AuthConfig&) {
  auto path = resolver_.resolve(image);
  if (!path) throw RuntimeError(RuntimeError::Code::NotFound, resolver_.unresolved_message(image));
  std::string id = image_id_for_path(*path);
  std::lock_guard lock(images_mutex_);
  ImageRecord record{id, *path, {}};
  for (auto& existing : store_.list_images())
    if (existing.id == id) record = std::move(existing);
  if (std::find(record.repo_tags.begin(), record.repo_tags.end(), image) == record.repo_tags.end())
    record.repo_tags.push_back(image);
  store_.write_image(record);
  return id;
}

namespace {

Image image_from_record(const ImageRecord& record) {
  Image image;
  image.id = record.id;
  image.repo_tags = record.repo_tags;
  struct stat st {};
  if (::stat(record.path.c_str(), &st) == 0) image.size = static_cast<uint64_t>(st.st_size);
  return image;
}

bool record_names(const ImageRecord& record, const std::string& image) {
  return record.id == image ||
         std::find(record.repo_tags.begin(), record.repo_tags.end(), image) != record.repo_tags.end();
}

}  // namespace

std::vector<Image> ProcessDriver::list_images() {
  std::vector<Image> out;
  for (const auto& record : store_.list_images()) out.push_back(image_from_record(record));
  return out;
}

std::optional<Image> ProcessDriver::image_status(const std::string& image) {
  for (const auto& record : store_.list_images())
    if (record_names(record, image)) return image_from_record(record);
  return std::nullopt;
}

void ProcessDriver::remove_image(const std::string& image) {
  std::lock_guard lock(images_mutex_);
  for (auto& record : store_.list_images()) {
    if (!record_names(record, image)) continue;
    // By tag, the tag goes (the image with it when it was the last); by id, the image.
    std::erase(record.repo_tags, image);
    if (record.id == image || record.repo_tags.empty())
      store_.remove_image(record.id);
    else
      store_.write_image(record);
  }
}

// ---- events ----

uint64_t ProcessDriver::subscribe(ContainerEventHandler handler) {
  return events_.subscribe(std::move(handler));
}

void ProcessDriver::unsubscribe(uint64_t subscription) {
  events_.unsubscribe(subscription);
}

}  // namespace ukube::runtime::process
