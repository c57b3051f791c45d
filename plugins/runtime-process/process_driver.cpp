#include "process_driver.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/logger.h>

#include <algorithm>

#include "ukube/node/mount_namespace.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/spawn.h"

namespace ukube::runtime::process {

ProcessDriver::ProcessDriver(ProcessRuntimeSettings settings, std::filesystem::path state_dir,
                             std::shared_ptr<spdlog::logger> logger)
    : MonitoredDriver({"ukube-process", "0.1.0", "runtime-process"}, settings.monitor_path,
                      std::move(state_dir), logger),
      settings_(std::move(settings)),
      resolver_(settings_.images) {}

ProcessDriver::~ProcessDriver() = default;

RuntimeStatus ProcessDriver::status() {
  RuntimeStatus status;
  status.conditions.push_back(RuntimeCondition{"RuntimeReady", true, "", ""});
  // Every sandbox uses the host's network: there is nothing to set up that could fail.
  status.conditions.push_back(RuntimeCondition{"NetworkReady", true, "", ""});
  return status;
}

void ProcessDriver::complete_sandbox_status(const SandboxRecord&, PodSandboxStatus& status) const {
  status.ip = settings_.node_ip;
  status.host_network = true;  // no network namespaces: every pod is on the host's
}

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

ProcessDriver::PreparedContainer ProcessDriver::prepare_container(const ContainerRecord& record,
                                                                  const SandboxRecord&,
                                                                  const PodSandboxConfig& pod) {
  const ContainerConfig& config = record.config;
  auto entrypoint = resolver_.resolve(config.image);
  if (!entrypoint)
    throw RuntimeError(RuntimeError::Code::NotFound, resolver_.unresolved_message(config.image));
  PreparedContainer prepared;
  prepared.image_ref = image_id_for_path(*entrypoint);
  prepared.spec = monitor_spec_for(config, pod, *entrypoint, record.log_path);
  if (!prepared.spec.mounts.empty() && !can_mount() && logger_ && !warned_mounts_.exchange(true))
    logger_->warn(
        "runtime-process: containers get their volumes only when the daemon runs as root (a private mount "
        "namespace each); as user {} they run without them",
        ::geteuid());
  return prepared;
}

void ProcessDriver::signal_container(const StartRecord& start, int signal) {
  ::kill(-start.pid, signal);  // the container leads its own session and process group
}

ExecTarget ProcessDriver::exec_target_of(const ContainerRecord&, const MonitorSpec& spec,
                                         const StartRecord& start) const {
  ExecTarget target{spec.env, spec.working_dir, 0, {}};
  // A command run "in" the container sees its volumes too.
  if (!spec.mounts.empty() && can_mount()) target.mount_namespace_pid = start.pid;
  return target;
}

void ProcessDriver::fill_stats(const ContainerRecord&, const StartRecord& start,
                               ContainerStats& stats) const {
  // The container's main process only: its children are not counted (no cgroup to sum
  // them up).
  if (auto stat = read_proc_stat(start.pid)) {
    stats.cpu_usage_core_nanoseconds = ticks_to_ns(stat->utime_ticks + stat->stime_ticks);
    stats.memory_working_set_bytes = read_resident_bytes(start.pid).value_or(0);
  }
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

}  // namespace ukube::runtime::process
