#include "runc_driver.h"

#include <signal.h>

#include <spdlog/logger.h>

#include <fstream>
#include <map>
#include <sstream>

#include "cgroups.h"
#include "oci_spec.h"
#include "rootfs.h"
#include "ukube/images/reference.h"
#include "ukube/node/atomic_file.h"
#include "ukube/node/network_namespace.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/spawn.h"

namespace ukube::runtime::runc {

namespace {

// A container's bundle (config.json and the root filesystem's mount point) and the writable
// layer above its image, in its folder.
constexpr const char* kBundle = "bundle";
// The file a container's terminationMessagePath is, in its folder; read when it has exited.
constexpr const char* kTerminationLog = "termination-log";
// Upstream's limit on a termination message.
constexpr size_t kMaxTerminationMessage = 4096;
constexpr const char* kScratch = "scratch";

// "uid[:gid]" or "name[:group]" of an image's USER, looked up in its /etc/passwd.
struct ImageUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

std::optional<uint32_t> parse_id(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<uint32_t>(std::stoul(text));
}

ImageUser image_user(const std::string& user, const std::filesystem::path& rootfs) {
  ImageUser out;
  if (user.empty()) return out;
  auto colon = user.find(':');
  std::string name = user.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  if (auto uid = parse_id(name)) {
    out.uid = *uid;
  } else {
    std::ifstream passwd(rootfs / "etc/passwd");
    std::string line;
    bool found = false;
    while (std::getline(passwd, line)) {
      std::vector<std::string> fields;
      std::stringstream split(line);
      for (std::string f; std::getline(split, f, ':');) fields.push_back(f);
      if (fields.size() >= 4 && fields[0] == name) {
        out.uid = parse_id(fields[2]).value_or(0);
        out.gid = parse_id(fields[3]).value_or(0);
        found = true;
        break;
      }
    }
    if (!found)
      throw RuntimeError(RuntimeError::Code::InvalidArgument,
                         "runtime-runc: the image's user \"" + name +
                             "\" is not in its /etc/passwd; set securityContext.runAsUser to a numeric id");
  }
  if (auto gid = parse_id(group)) out.gid = *gid;
  return out;
}

// KEY=VALUE lists: `overrides` replace `base` entries of the same key.
std::vector<std::string> merged_env(std::vector<std::string> base, const std::vector<KeyValue>& overrides) {
  for (const auto& kv : overrides) {
    std::string prefix = kv.key + "=";
    std::erase_if(base, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    base.push_back(prefix + kv.value);
  }
  return base;
}

std::string hosts_file(const std::string& hostname) {
  std::string text =
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  if (!hostname.empty()) text += "127.0.1.1\t" + hostname + "\n";
  return text;
}

std::string resolv_conf(const DnsConfig& dns) {
  if (dns.servers.empty()) {
    // The node's own resolvers, as dnsPolicy Default gives a pod.
    return read_file_if_exists("/etc/resolv.conf").value_or("");
  }
  std::string text;
  for (const auto& server : dns.servers) text += "nameserver " + server + "\n";
  if (!dns.searches.empty()) {
    text += "search";
    for (const auto& s : dns.searches) text += " " + s;
    text += "\n";
  }
  if (!dns.options.empty()) {
    text += "options";
    for (const auto& o : dns.options) text += " " + o;
    text += "\n";
  }
  return text;
}

}  // namespace

RuncDriver::RuncDriver(RuncRuntimeSettings settings, std::filesystem::path state_dir,
                       std::shared_ptr<spdlog::logger> logger)
    : MonitoredDriver({"ukube-runc", "0.1.0", "runtime-runc"}, settings.monitor_path, std::move(state_dir),
                      logger),
      settings_(std::move(settings)),
      images_(settings_.image_store) {
  std::filesystem::create_directories(settings_.runc_root);
}

RuncDriver::~RuncDriver() = default;

RuntimeStatus RuncDriver::status() {
  RuntimeStatus status;
  std::string why = why_runc_cannot_run(settings_.runc_path);
  status.conditions.push_back(
      RuntimeCondition{"RuntimeReady", why.empty(), why.empty() ? "" : "RuncUnavailable", why});
  // Until a network driver is configured, pods get loopback only: nothing to fail.
  status.conditions.push_back(RuntimeCondition{"NetworkReady", true, "", ""});
  return status;
}

std::vector<std::string> RuncDriver::runc_command(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv = {settings_.runc_path.string(), "--root", settings_.runc_root.string()};
  argv.insert(argv.end(), args);
  return argv;
}

int RuncDriver::run_runc(std::initializer_list<std::string> args) const {
  SpawnOptions options;
  options.argv = runc_command(args);
  return run_to_exit(options);
}

MonitorSpec RuncDriver::logged_spec(const std::string& log_path) const {
  MonitorSpec spec;
  spec.log_path = log_path;
  spec.log_max_size_bytes = settings_.log_max_size_bytes;
  spec.log_max_files = settings_.log_max_files;
  return spec;
}

std::string RuncDriver::container_cgroup(const SandboxRecord& sandbox,
                                         const std::string& container_id) const {
  return pod_cgroup(sandbox) + "/" + container_id;
}

std::string RuncDriver::pod_cgroup(const SandboxRecord& sandbox) const {
  if (!sandbox.config.cgroup_parent.empty()) return sandbox.config.cgroup_parent;
  std::string uid = sandbox.config.metadata.uid.empty() ? sandbox.id : sandbox.config.metadata.uid;
  return settings_.cgroup_root + "/pod" + uid;
}

// ---- sandboxes ----

void RuncDriver::write_pod_files(const SandboxRecord& sandbox) const {
  auto dir = store_.sandbox_dir(sandbox.id);
  write_file_atomically(dir / "hosts",
                        hosts_file(sandbox.config.host_network ? "" : sandbox.config.hostname));
  write_file_atomically(dir / "resolv.conf", resolv_conf(sandbox.config.dns));
  write_file_atomically(dir / "hostname", sandbox.config.hostname + "\n");
}

void RuncDriver::start_sandbox(const SandboxRecord& record) {
  if (std::string why = why_runc_cannot_run(settings_.runc_path); !why.empty())
    throw RuntimeError(RuntimeError::Code::FailedPrecondition, why);
  auto dir = store_.sandbox_dir(record.id);
  write_pod_files(record);
  // The holder: ukube-pause in the pod's new namespaces (a hostNetwork pod keeps the host's
  // network and UTS namespaces), under a monitor like any container.
  MonitorSpec spec = logged_spec((dir / "holder.log").string());
  // Its folder as an argument tells, in `ps`, which sandbox a holder is.
  spec.argv = {settings_.pause_path.string(), dir.string()};
  spec.working_dir = "/";
  spec.holder_namespaces = record.config.host_network ? std::vector<std::string>{"ipc"}
                                                      : std::vector<std::string>{"net", "ipc", "uts"};
  if (record.config.share_process_namespace) spec.holder_namespaces.push_back("pid");
  spec.hostname = record.config.hostname;
  write_file_atomically(dir / files::kMonitorSpec, to_json_text(spec));
  launch_in(dir);
}

pid_t RuncDriver::holder_pid(const SandboxRecord& sandbox) const {
  auto dir = store_.sandbox_dir(sandbox.id);
  Observed seen = observe_dir(dir);
  if (seen.state != ContainerState::Running)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       message("pod sandbox " + sandbox.id +
                               " has no running holder process (it exited or was killed; see " +
                               (dir / files::kMonitorLog).string() + "); run a new sandbox"));
  return seen.start->pid;
}

int RuncDriver::port_forward(const std::string& sandbox_id, uint16_t port) {
  auto record = store_.read_sandbox(sandbox_id);
  // Unknown, stopped, or on the host's network: the default says so, or connects on the host.
  if (!record || !record->ready || record->config.host_network)
    return RuntimeDriver::port_forward(sandbox_id, port);
  return connect_loopback_in("/proc/" + std::to_string(holder_pid(*record)) + "/ns/net", port);
}

void RuncDriver::stop_sandbox(const SandboxRecord& record) {
  auto dir = store_.sandbox_dir(record.id);
  if (!stop_dir(dir, std::chrono::seconds(0)) && logger_)
    logger_->warn("runtime-runc: the holder of pod sandbox {} did not exit after SIGKILL", record.id);
}

void RuncDriver::remove_sandbox(const SandboxRecord& record) {
  // A holder that runc ran (a sandbox made by an earlier version) goes with runc's record.
  auto spec_file = store_.sandbox_dir(record.id) / files::kMonitorSpec;
  if (auto text = read_file_if_exists(spec_file);
      text && monitor_spec_from_json(*text, spec_file.string()).runc.active()) {
    run_runc({"delete", "--force", record.id});
    remove_cgroup(container_cgroup(record, record.id));
  }
  remove_cgroup(pod_cgroup(record));
}

void RuncDriver::complete_sandbox_status(const SandboxRecord& record, PodSandboxStatus& status) const {
  if (record.config.host_network) status.ip = settings_.node_ip;
  if (status.state != SandboxState::Ready) return;
  Observed holder = observe_dir(store_.sandbox_dir(record.id));
  if (holder.state != ContainerState::Running) {
    status.state = SandboxState::NotReady;  // the holder died: the pod's namespaces are gone
    return;
  }
  if (!record.config.host_network)
    status.network_namespace = "/proc/" + std::to_string(holder.start->pid) + "/ns/net";
}

// ---- containers ----

RuncDriver::PreparedContainer RuncDriver::prepare_container(const ContainerRecord& record,
                                                            const SandboxRecord& sandbox,
                                                            const PodSandboxConfig& pod) {
  const ContainerConfig& config = record.config;
  std::optional<images::Image> image;
  try {
    image = images_.find(config.image);
  } catch (const images::StoreError& e) {
    throw RuntimeError(RuntimeError::Code::Internal, message(e.what()));
  }
  if (!image)
    throw RuntimeError(
        RuntimeError::Code::NotFound,
        message("image \"" + config.image + "\" is not in the image store " + settings_.image_store.string() +
                "; pull it (imagePullPolicy) or import it with `ukube image import`"));
  pid_t holder = holder_pid(sandbox);
  std::filesystem::path image_root;
  try {
    image_root = images_.rootfs(*image);
  } catch (const images::StoreError& e) {
    throw RuntimeError(RuntimeError::Code::Internal, message(e.what()));
  }

  OciContainer c;
  // Kubernetes' rules: command replaces the image's entrypoint (and drops its cmd), args
  // replace its cmd.
  const auto& ic = image->config;
  if (!config.command.empty()) {
    c.process.args = config.command;
    c.process.args.insert(c.process.args.end(), config.args.begin(), config.args.end());
  } else {
    c.process.args = ic.entrypoint;
    const auto& tail = config.args.empty() ? ic.cmd : config.args;
    c.process.args.insert(c.process.args.end(), tail.begin(), tail.end());
  }
  if (c.process.args.empty())
    throw RuntimeError(RuntimeError::Code::InvalidArgument,
                       message("image \"" + config.image +
                               "\" has no entrypoint or command, and the container sets none; set command"));
  c.process.env = merged_env(ic.env, config.envs);
  if (!env_value(c.process.env, "PATH"))
    c.process.env.push_back(std::string("PATH=") + kDefaultContainerPath);
  if (!env_value(c.process.env, "HOSTNAME") && !pod.hostname.empty())
    c.process.env.push_back("HOSTNAME=" + pod.hostname);
  c.process.cwd =
      !config.working_dir.empty() ? config.working_dir : (ic.working_dir.empty() ? "/" : ic.working_dir);
  ImageUser user = image_user(ic.user, image_root);
  c.process.uid =
      config.security.run_as_user ? static_cast<uint32_t>(*config.security.run_as_user) : user.uid;
  c.process.gid =
      config.security.run_as_group ? static_cast<uint32_t>(*config.security.run_as_group) : user.gid;
  for (auto gid : config.security.supplemental_groups)
    c.process.additional_gids.push_back(static_cast<uint32_t>(gid));
  c.process.terminal = config.tty;
  c.security = config.security;
  c.resources = config.resources;

  std::string ns_of_holder = "/proc/" + std::to_string(holder) + "/ns/";
  // shareProcessNamespace: the pod's one pid namespace, whose init is the holder.
  c.namespaces = {{"pid", sandbox.config.share_process_namespace ? ns_of_holder + "pid" : ""},
                  {"mount", ""},
                  {"ipc", ns_of_holder + "ipc"}};
  if (!sandbox.config.host_network) {
    c.namespaces.push_back({"network", ns_of_holder + "net"});
    c.namespaces.push_back({"uts", ns_of_holder + "uts"});
  }
  auto sandbox_dir = store_.sandbox_dir(sandbox.id);
  for (const char* file : {"hosts", "resolv.conf", "hostname"})
    c.mounts.push_back(bind_mount((sandbox_dir / file).string(), std::string("/etc/") + file, false));
  for (const auto& m : config.mounts)
    c.mounts.push_back(bind_mount(m.host_path, m.container_path, m.readonly));
  // The container's terminationMessagePath: a file of its own it may write, read once it exited.
  if (auto path = config.annotations.find(label::kTerminationMessagePath);
      path != config.annotations.end() && !path->second.empty() && path->second.front() == '/') {
    auto file = store_.container_dir(record.id) / kTerminationLog;
    write_file_atomically(file, "");
    // Writable whatever user the container runs as.
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::group_write |
                  std::filesystem::perms::others_read | std::filesystem::perms::others_write);
    c.mounts.push_back(bind_mount(file.string(), path->second, false));
  }
  c.cgroups_path = container_cgroup(sandbox, record.id);

  auto dir = store_.container_dir(record.id);
  auto bundle = dir / kBundle;
  std::filesystem::create_directories(bundle);
  try {
    mount_rootfs(image_root, dir / kScratch, bundle / "rootfs");
  } catch (const std::exception& e) {
    throw RuntimeError(RuntimeError::Code::Internal, message(e.what()));
  }
  write_file_atomically(bundle / "config.json", oci_config_json(c));

  PreparedContainer prepared;
  prepared.image_ref = image->id;
  prepared.spec = logged_spec(record.log_path);
  prepared.spec.runc = RuncLaunch{settings_.runc_path.string(), settings_.runc_root.string(), bundle.string(),
                                  record.id, oom_counter_file(c.cgroups_path)};
  prepared.spec.stdin_ = config.stdin_;
  prepared.spec.tty = config.tty;
  return prepared;
}

void RuncDriver::complete_container_status(const ContainerRecord& record, ContainerStatus& status) const {
  if (status.state != ContainerState::Exited) return;
  auto text = read_file_if_exists(store_.container_dir(record.id) / kTerminationLog);
  // What the container wrote is its message, as upstream reports it, in place of the runtime's.
  if (text && !text->empty()) status.message = text->substr(0, kMaxTerminationMessage);
}

void RuncDriver::cleanup_container(const ContainerRecord& record) {
  run_runc({"delete", "--force", record.id});
  try {
    unmount_rootfs(store_.container_dir(record.id) / kBundle / "rootfs");
  } catch (const std::exception& e) {
    throw RuntimeError(RuntimeError::Code::Internal, message(e.what()));
  }
}

void RuncDriver::signal_container(const StartRecord& start, int signal) {
  // The container's pid 1: the kernel gives a pid namespace's init only the signals it
  // handles (and SIGKILL), as upstream's runtimes do.
  ::kill(start.pid, signal);
}

ExecTarget RuncDriver::exec_target_of(const ContainerRecord& record, const MonitorSpec&,
                                      const StartRecord&) const {
  ExecTarget target;
  std::vector<std::string> prefix = runc_command({"exec"});
  std::string id = record.id;
  // runc exec takes the container's own environment, working directory and user.
  target.in_container = [prefix, id](const std::vector<std::string>& cmd, bool tty) {
    std::vector<std::string> argv = prefix;
    if (tty) argv.push_back("--tty");
    argv.push_back(id);
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    return argv;
  };
  return target;
}

void RuncDriver::fill_stats(const ContainerRecord& record, const StartRecord&, ContainerStats& stats) const {
  auto sandbox = store_.read_sandbox(record.sandbox_id);
  if (!sandbox) return;
  if (auto usage = read_cgroup_usage(container_cgroup(*sandbox, record.id))) {
    stats.cpu_usage_core_nanoseconds = usage->cpu_ns;
    stats.memory_working_set_bytes = usage->working_set_bytes;
  }
}

// ---- images ----

namespace {

Image to_runtime_image(const images::Image& image) {
  Image out;
  out.id = image.id;
  out.repo_tags = image.names;
  for (const auto& name : image.names) {
    try {
      out.repo_digests.push_back(images::parse_reference(name).repository() + "@" + image.manifest_digest);
    } catch (const std::exception&) {
    }
  }
  out.size = static_cast<uint64_t>(image.size);
  if (auto uid = parse_id(image.config.user.substr(0, image.config.user.find(':'))))
    out.uid = *uid;
  else
    out.username = image.config.user;
  return out;
}

}  // namespace

std::string RuncDriver::pull_image(const std::string& image, const AuthConfig& auth) {
  images::PullOptions options;
  options.auth.username = auth.username;
  options.auth.password = auth.password;
  options.auth.registry_token = auth.registry_token;
  options.insecure_registries = settings_.insecure_registries;
  options.mirrors = settings_.mirrors;
  try {
    return images_.pull(image, options).id;
  } catch (const images::StoreError& e) {
    throw RuntimeError(RuntimeError::Code::NotFound,
                       message(std::string("pulling ") + image + ": " + e.what()));
  }
}

std::vector<Image> RuncDriver::list_images() {
  std::vector<Image> out;
  for (const auto& image : images_.list()) out.push_back(to_runtime_image(image));
  return out;
}

std::optional<Image> RuncDriver::image_status(const std::string& image) {
  std::optional<images::Image> found;
  try {
    found = images_.find(image);
  } catch (const images::StoreError&) {
    return std::nullopt;
  }
  if (!found) return std::nullopt;
  return to_runtime_image(*found);
}

void RuncDriver::remove_unused_image(const std::string& image) {
  images_.remove(image, [this](const std::string& id) { return image_in_use(id); });
}

void RuncDriver::remove_image(const std::string& image) {
  try {
    remove_unused_image(image);
  } catch (const images::StoreError& e) {
    if (!images_.find(image)) return;  // already gone: removal is idempotent
    throw RuntimeError(RuntimeError::Code::FailedPrecondition, message(e.what()));
  }
}

std::vector<std::string> RuncDriver::collect_images(const DiskUsage& disk) {
  std::map<std::string, int64_t> last_used;  // image id → its latest container's creation
  for (const auto& record : store_.list_containers()) {
    auto& latest = last_used[record.image_ref];
    latest = std::max(latest, record.created_at);
  }
  std::vector<ImageUse> uses;
  for (const auto& image : images_.list()) {
    auto used = last_used.find(image.id);
    uses.push_back(ImageUse{image.id, static_cast<uint64_t>(std::max<int64_t>(image.size, 0)),
                            used != last_used.end() ? used->second : image.stored_at, image.stored_at,
                            used != last_used.end()});
  }
  std::vector<std::string> removed;
  for (const auto& id : images_to_collect(uses, disk, settings_.image_gc, now_ns())) {
    try {
      remove_unused_image(id);
      removed.push_back(id);
      if (logger_) logger_->info("runtime-runc: image garbage collection removed {}", id);
    } catch (const std::exception& e) {
      if (logger_)
        logger_->warn("runtime-runc: image garbage collection could not remove {}: {}", id, e.what());
    }
  }
  return removed;
}

}  // namespace ukube::runtime::runc
