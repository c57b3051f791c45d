#include "oci_spec.h"

#include "seccomp_profile.h"

#include <sys/resource.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace ukube::runtime::runc {

namespace json = boost::json;

namespace {

// What upstream's container runtimes grant a container that asks for nothing special.
const std::vector<std::string> kDefaultCapabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

// Every capability runc knows (Linux 5.9's set).
const std::vector<std::string> kAllCapabilities = {"CAP_CHOWN",
                                                   "CAP_DAC_OVERRIDE",
                                                   "CAP_DAC_READ_SEARCH",
                                                   "CAP_FOWNER",
                                                   "CAP_FSETID",
                                                   "CAP_KILL",
                                                   "CAP_SETGID",
                                                   "CAP_SETUID",
                                                   "CAP_SETPCAP",
                                                   "CAP_LINUX_IMMUTABLE",
                                                   "CAP_NET_BIND_SERVICE",
                                                   "CAP_NET_BROADCAST",
                                                   "CAP_NET_ADMIN",
                                                   "CAP_NET_RAW",
                                                   "CAP_IPC_LOCK",
                                                   "CAP_IPC_OWNER",
                                                   "CAP_SYS_MODULE",
                                                   "CAP_SYS_RAWIO",
                                                   "CAP_SYS_CHROOT",
                                                   "CAP_SYS_PTRACE",
                                                   "CAP_SYS_PACCT",
                                                   "CAP_SYS_ADMIN",
                                                   "CAP_SYS_BOOT",
                                                   "CAP_SYS_NICE",
                                                   "CAP_SYS_RESOURCE",
                                                   "CAP_SYS_TIME",
                                                   "CAP_SYS_TTY_CONFIG",
                                                   "CAP_MKNOD",
                                                   "CAP_LEASE",
                                                   "CAP_AUDIT_WRITE",
                                                   "CAP_AUDIT_CONTROL",
                                                   "CAP_SETFCAP",
                                                   "CAP_MAC_OVERRIDE",
                                                   "CAP_MAC_ADMIN",
                                                   "CAP_SYSLOG",
                                                   "CAP_WAKE_ALARM",
                                                   "CAP_BLOCK_SUSPEND",
                                                   "CAP_AUDIT_READ",
                                                   "CAP_PERFMON",
                                                   "CAP_BPF",
                                                   "CAP_CHECKPOINT_RESTORE"};

const std::vector<std::string> kMaskedPaths = {"/proc/acpi",
                                               "/proc/asound",
                                               "/proc/kcore",
                                               "/proc/keys",
                                               "/proc/latency_stats",
                                               "/proc/timer_list",
                                               "/proc/timer_stats",
                                               "/proc/sched_debug",
                                               "/proc/scsi",
                                               "/sys/firmware",
                                               "/sys/devices/virtual/powercap"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

std::string capability_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name.rfind("CAP_", 0) == 0 ? name : "CAP_" + name;
}

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

json::object mount_json(const OciMount& m) {
  return {{"destination", m.destination},
          {"type", m.type},
          {"source", m.source},
          {"options", strings(m.options)}};
}

std::vector<OciMount> default_mounts(bool privileged) {
  std::vector<OciMount> mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", privileged ? "rw" : "ro"}},
      {"/sys/fs/cgroup",
       "cgroup",
       "cgroup",
       {"nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"}}};
  return mounts;
}

json::object resources_json(const Resources& r, bool privileged) {
  json::object resources;
  json::object cpu;
  if (r.cpu_shares > 0) cpu["shares"] = r.cpu_shares;
  if (r.cpu_quota > 0) cpu["quota"] = r.cpu_quota;
  if (r.cpu_period > 0) cpu["period"] = r.cpu_period;
  if (!cpu.empty()) resources["cpu"] = std::move(cpu);
  if (r.memory_limit_in_bytes > 0) resources["memory"] = json::object{{"limit", r.memory_limit_in_bytes}};
  if (r.pids_limit > 0) resources["pids"] = json::object{{"limit", r.pids_limit}};
  // runc allows the usual character devices (null, zero, tty, ...) on top of this.
  resources["devices"] = json::array{json::object{{"allow", privileged}, {"access", "rwm"}}};
  return resources;
}

}  // namespace

std::vector<std::string> effective_capabilities(const SecurityContext& security) {
  std::vector<std::string> caps = security.privileged ? kAllCapabilities : kDefaultCapabilities;
  for (const auto& drop : security.capabilities.drop) {
    if (capability_name(drop) == "CAP_ALL")
      caps.clear();
    else
      std::erase(caps, capability_name(drop));
  }
  for (const auto& add : security.capabilities.add) {
    if (capability_name(add) == "CAP_ALL") {
      caps = kAllCapabilities;
      continue;
    }
    auto name = capability_name(add);
    if (std::find(caps.begin(), caps.end(), name) == caps.end()) caps.push_back(name);
  }
  return caps;
}

OciMount bind_mount(const std::string& source, const std::string& destination, bool readonly) {
  OciMount m{destination, "bind", source, {"rbind", "rprivate"}};
  m.options.push_back(readonly ? "ro" : "rw");
  return m;
}

std::string oci_config_json(const OciContainer& c) {
  const bool privileged = c.security.privileged;
  auto caps = strings(effective_capabilities(c.security));
  json::array gids;
  for (auto gid : c.process.additional_gids) gids.emplace_back(gid);
  json::object user{{"uid", c.process.uid}, {"gid", c.process.gid}};
  // Upstream's 1048576 open files, unless the node allows fewer (raising the hard limit
  // past fs.nr_open fails, even for root).
  uint64_t nofile = 1048576;
  if (struct rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max != RLIM_INFINITY)
    nofile = std::min<uint64_t>(nofile, limit.rlim_max);
  if (!gids.empty()) user["additionalGids"] = std::move(gids);
  json::object process{
      {"terminal", c.process.terminal},
      {"user", std::move(user)},
      {"args", strings(c.process.args)},
      {"env", strings(c.process.env)},
      {"cwd", c.process.cwd.empty() ? "/" : c.process.cwd},
      {"capabilities", json::object{{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", json::array{json::object{{"type", "RLIMIT_NOFILE"}, {"hard", nofile}, {"soft", nofile}}}},
      {"noNewPrivileges", c.security.no_new_privileges}};

  json::array mounts;
  for (const auto& m : default_mounts(privileged)) mounts.push_back(mount_json(m));
  for (const auto& m : c.mounts) mounts.push_back(mount_json(m));

  json::array namespaces;
  for (const auto& ns : c.namespaces) {
    json::object entry{{"type", ns.type}};
    if (!ns.path.empty()) entry["path"] = ns.path;
    namespaces.push_back(std::move(entry));
  }
  json::object linux_section{{"namespaces", std::move(namespaces)},
                             {"resources", resources_json(c.resources, privileged)}};
  if (!c.cgroups_path.empty()) linux_section["cgroupsPath"] = c.cgroups_path;
  // RuntimeDefault confines a container; privileged ones are never confined, as upstream.
  if (!privileged && c.security.seccomp_profile == "runtime/default")
    linux_section["seccomp"] = runtime_default_seccomp();
  if (!privileged) {
    linux_section["maskedPaths"] = strings(kMaskedPaths);
    linux_section["readonlyPaths"] = strings(kReadonlyPaths);
  }

  json::object spec{{"ociVersion", "1.0.2"},
                    {"process", std::move(process)},
                    {"root", json::object{{"path", "rootfs"}, {"readonly", c.security.readonly_rootfs}}},
                    {"mounts", std::move(mounts)},
                    {"linux", std::move(linux_section)}};
  if (!c.hostname.empty()) spec["hostname"] = c.hostname;
  return json::serialize(spec);
}

}  // namespace ukube::runtime::runc
