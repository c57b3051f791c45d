#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The data of the runtime driver interface (ukube/runtime/driver.h), shaped after the
// CRI's messages (k8s.io/cri-api runtime/v1) so a CRI runtime maps onto it field by field.
// Times are nanoseconds since the Unix epoch, as in the CRI.
namespace ukube::runtime {

using Labels = std::map<std::string, std::string>;

// The labels the kubelet puts on every sandbox and container it asks for, so that
// its whole view of the node can be rebuilt from one List (no checkpoint). Drivers
// store and return them unchanged; they carry no meaning for the driver.
namespace label {
inline constexpr const char* kPodName = "io.kubernetes.pod.name";
inline constexpr const char* kPodNamespace = "io.kubernetes.pod.namespace";
inline constexpr const char* kPodUid = "io.kubernetes.pod.uid";
inline constexpr const char* kContainerName = "io.kubernetes.container.name";
// Annotations (not labels, as upstream) on containers.
inline constexpr const char* kContainerHash = "io.kubernetes.container.hash";
inline constexpr const char* kRestartCount = "io.kubernetes.container.restartCount";
inline constexpr const char* kTerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
inline constexpr const char* kTerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";
}  // namespace label

struct PodSandboxMetadata {
  std::string name;
  std::string uid;
  std::string namespace_;
  uint32_t attempt = 0;
};

struct PortMapping {
  std::string protocol = "TCP";  // TCP, UDP, SCTP
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

struct PodSandboxConfig {
  PodSandboxMetadata metadata;
  std::string hostname;
  // Where the pod's container logs go (each container's log_path is relative to it):
  // <kubelet root>/pod-logs/<namespace>_<name>_<uid>, as upstream's /var/log/pods. The
  // driver creates it when it first writes a log there; the kubelet removes it with the pod.
  std::string log_directory;
  DnsConfig dns;
  std::vector<PortMapping> port_mappings;
  Labels labels;
  Labels annotations;
  bool host_network = false;
  // spec.shareProcessNamespace: the pod's containers share one pid namespace, whose init is
  // the sandbox's holder.
  bool share_process_namespace = false;
  std::string cgroup_parent;
};

enum class SandboxState { Ready, NotReady };

struct PodSandboxStatus {
  std::string id;
  PodSandboxMetadata metadata;
  SandboxState state = SandboxState::NotReady;
  int64_t created_at = 0;
  std::string ip;  // the pod's primary IP; empty for host-network pods
  std::vector<std::string> additional_ips;
  bool host_network = false;
  // A path that opens the sandbox's own network namespace while it is Ready, for a
  // network driver to attach; empty when the sandbox has none (host network, or a runtime
  // without namespaces).
  std::string network_namespace;
  Labels labels;
  Labels annotations;
};

struct PodSandboxFilter {
  std::string id;  // empty: any
  std::optional<SandboxState> state;
  Labels label_selector;  // every pair must match
};

struct ContainerMetadata {
  std::string name;
  uint32_t attempt = 0;
};

struct KeyValue {
  std::string key;
  std::string value;
};

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
};

struct Capabilities {
  std::vector<std::string> add;   // CAP_NET_ADMIN, or NET_ADMIN as pods spell them
  std::vector<std::string> drop;  // ALL drops every capability first
};

// What a container may do (the CRI's LinuxContainerSecurityContext, in part).
struct SecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
  bool readonly_rootfs = false;
  bool no_new_privileges = false;
  Capabilities capabilities;
  std::string seccomp_profile;  // "", "runtime/default", "unconfined"
};

// Linux resources from the pod's requests and limits; 0 means unset.
struct Resources {
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t cpu_shares = 0;
  int64_t memory_limit_in_bytes = 0;
  int64_t pids_limit = 0;
};

struct ContainerConfig {
  ContainerMetadata metadata;
  std::string image;                 // as the pod spec names it; the driver resolves it to its image
  std::vector<std::string> command;  // the entrypoint; empty: the image's
  std::vector<std::string> args;     // empty: the image's
  std::string working_dir;
  std::vector<KeyValue> envs;
  std::vector<Mount> mounts;
  Labels labels;
  Labels annotations;
  std::string log_path;  // relative to the sandbox's log_directory
  bool stdin_ = false;
  bool stdin_once = false;
  bool tty = false;
  Resources resources;
  SecurityContext security;
};

enum class ContainerState { Created, Running, Exited, Unknown };

struct ContainerStatus {
  std::string id;
  std::string pod_sandbox_id;
  ContainerMetadata metadata;
  ContainerState state = ContainerState::Unknown;
  int64_t created_at = 0;
  int64_t started_at = 0;   // 0: never started
  int64_t finished_at = 0;  // 0: not finished
  int32_t exit_code = 0;
  std::string image;      // as asked for
  std::string image_ref;  // what ran: the image's id or digest
  std::string reason;     // on exit: Completed, Error, OOMKilled, ...
  std::string message;
  Labels labels;
  Labels annotations;
  std::string log_path;  // absolute
};

struct ContainerFilter {
  std::string id;
  std::string pod_sandbox_id;
  std::optional<ContainerState> state;
  Labels label_selector;
};

struct ExecSyncResult {
  std::string stdout_;
  std::string stderr_;
  int32_t exit_code = 0;
};

struct Image {
  std::string id;  // sha256:...
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  uint64_t size = 0;
  std::optional<int64_t> uid;  // the image's user, when numeric
  std::string username;
  bool pinned = false;
};

struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;  // base64 of username:password
  std::string server_address;
  std::string identity_token;
  std::string registry_token;
};

struct ContainerStats {
  std::string id;
  std::string pod_sandbox_id;
  int64_t timestamp = 0;
  uint64_t cpu_usage_core_nanoseconds = 0;  // cumulative
  uint64_t memory_working_set_bytes = 0;
  uint64_t writable_layer_bytes = 0;
};

// Status conditions: RuntimeReady and NetworkReady, as the CRI names them.
struct RuntimeCondition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
};

struct RuntimeStatus {
  std::vector<RuntimeCondition> conditions;
};

struct VersionInfo {
  std::string runtime_name;         // e.g. "ukube-process"
  std::string runtime_version;      // e.g. "0.1.0"
  std::string runtime_api_version;  // "v1"
};

enum class ContainerEventType { Created, Started, Stopped, Deleted };

// Pushed by the driver when a container changes state (the CRI's GetContainerEvents),
// so the kubelet reacts at once instead of polling.
struct ContainerEvent {
  std::string container_id;
  std::string pod_sandbox_id;
  ContainerEventType type = ContainerEventType::Created;
  int64_t created_at = 0;
};

}  // namespace ukube::runtime
