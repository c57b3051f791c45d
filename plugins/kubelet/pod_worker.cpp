#include "pod_worker.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <set>

#include "container_spec.h"
#include "lifecycle_hooks.h"
#include "pod_dns.h"
#include "pod_network.h"
#include "pull_credentials.h"
#include "service_env.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::object_at;
using machinery::string_at;
using Clock = std::chrono::system_clock;

namespace {

constexpr std::chrono::seconds kRetryConfigError{10};
// A network driver comes ready within a moment of the node getting its podCIDR.
constexpr std::chrono::seconds kRetryNetwork{1};
// How often a running pod's configMap, secret, downwardAPI and projected volumes are
// brought up to date with the API (upstream: each sync, about every minute).
constexpr std::chrono::seconds kVolumeResync{5};
// Upstream gives a container at least this long to stop after its preStop hook, however
// much of the grace period the hook took.
constexpr std::chrono::seconds kMinimumGraceAfterHook{2};
// A postStart hook holds up the pod's sync; an exec one that hangs is cut off after this.
constexpr std::chrono::seconds kPostStartTimeout{120};
// Upstream's immediateEvictionGracePeriodSeconds: what a pod evicted on a hard threshold gets.
constexpr std::chrono::seconds kEvictionGrace{1};

Clock::time_point from_nanos(int64_t nanos) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(nanos)));
}

// "web-1_default(0c5f...)", as upstream's format.Pod names a pod in messages.
std::string pod_text(const json::object& pod) {
  return machinery::name_of(pod) + "_" + machinery::namespace_of(pod) + "(" + machinery::uid_of(pod) + ")";
}

std::string label_of(const runtime::Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

// The sandboxes and containers of one incarnation (pod uid) of a pod name.
PodRuntime of_incarnation(const PodRuntime& all, const std::string& uid) {
  PodRuntime mine;
  for (const auto& sb : all.sandboxes)
    if (label_of(sb.labels, runtime::label::kPodUid) == uid) mine.sandboxes.push_back(sb);
  for (const auto& c : all.containers)
    if (label_of(c.labels, runtime::label::kPodUid) == uid) mine.containers.push_back(c);
  return mine;
}

// The spec of container `name`, among the app and the init containers.
const json::object* container_spec_named(const json::object& spec, const std::string& name) {
  const json::object* found = nullptr;
  for (const char* list : {"containers", "initContainers"})
    machinery::for_each_object(machinery::array_at(spec, {list}), [&](const json::object& c, size_t) {
      if (!found && string_at(c, {"name"}) == name) found = &c;
    });
  return found;
}

std::chrono::seconds grace_annotation(const runtime::ContainerStatus& c) {
  auto it = c.annotations.find(runtime::label::kTerminationGracePeriod);
  try {
    return std::chrono::seconds(it == c.annotations.end() ? 30 : std::stoll(it->second));
  } catch (const std::exception&) {
    return std::chrono::seconds(30);
  }
}

}  // namespace

// A ConfigMap or Secret, as this node may read it; null when it does not exist.
ObjectPtr PodWorker::lookup_object(const std::string& kind, const std::string& ns, const std::string& name) {
  try {
    return deps_.client->get(kind == "ConfigMap" ? machinery::kConfigMaps : machinery::kSecrets, ns, name);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return ObjectPtr();
    throw;
  }
}

struct PodWorker::Sync {
  PodKey key;
  ObjectPtr pod;
  std::string uid;
  PodRuntime rt;  // this incarnation's (uid's) sandboxes and containers
  std::map<std::string, WaitingReason> waiting;
  std::optional<std::chrono::milliseconds> requeue;
  bool changed = false;  // the runtime state changed: re-read it before reporting
  runtime::PodSandboxConfig sandbox_config;
  std::string sandbox_id;
  std::string pod_ip;
  std::map<std::string, std::string> volume_paths;  // published volumes by name
  std::optional<PodFailure> failure;                // the kubelet ends the pod (deadline, eviction)

  const json::object& spec() const { return machinery::object_or_empty(object_at(*pod, {"spec"})); }
  std::string restart_policy() const { return string_at(spec(), {"restartPolicy"}, "Always"); }
  std::chrono::seconds grace_period() const {
    return std::chrono::seconds(machinery::int_or(spec(), {"terminationGracePeriodSeconds"}, 30));
  }
  void retry_in(std::chrono::milliseconds d) {
    if (!requeue || d < *requeue) requeue = d;
  }
};

PodWorker::PodWorker(PodWorkerDeps deps) : deps_(std::move(deps)) {
  try {
    runtime_name_ = deps_.driver->version().runtime_name;
  } catch (const std::exception&) {
  }
  if (runtime_name_.empty()) runtime_name_ = "runtime";
  if (!deps_.volumes_root.empty() && !deps_.driver->simulated())
    volumes_ = std::make_unique<VolumeManager>(deps_.volumes_root);
}

void PodWorker::forget_pod(const std::string& uid) {
  if (volumes_) volumes_->tear_down(uid);
  std::lock_guard lock(mutex_);
  reported_.erase(uid);
  first_seen_.erase(uid);
  evictions_.erase(uid);
  ended_.erase(uid);
  for (auto it = tokens_.lower_bound(uid + "/"); it != tokens_.end() && it->first.starts_with(uid + "/");)
    it = tokens_.erase(it);
}

std::string PodWorker::service_account_token(const Sync& s, const std::string& audience,
                                             int64_t expiration_seconds) {
  const std::string key = s.uid + "/" + audience + "/" + std::to_string(expiration_seconds);
  const auto now = std::chrono::system_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto found = tokens_.find(key);
    if (found != tokens_.end() && now < found->second.refresh_at) return found->second.token;
  }
  const json::object& pod = *s.pod;
  json::object spec{
      {"expirationSeconds", expiration_seconds},
      {"boundObjectRef",
       {{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", machinery::name_of(pod)}, {"uid", s.uid}}}};
  if (!audience.empty()) spec["audiences"] = json::array{json::value(audience)};
  json::object request{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", spec}};
  const std::string account = string_at(pod, {"spec", "serviceAccountName"}, "default");
  ObjectPtr answer;
  try {
    answer = deps_.client->create(machinery::kServiceAccounts, machinery::namespace_of(pod), request, {},
                                  "token", account);
  } catch (const ApiError& e) {
    throw std::runtime_error("failed to fetch token: " + std::string(e.what()));
  }
  Token token{string_at(*answer, {"status", "token"}),
              now + std::chrono::seconds(expiration_seconds * 8 / 10)};
  std::lock_guard lock(mutex_);
  tokens_[key] = token;
  return token.token;
}

bool PodWorker::mount_volumes(Sync& s) {
  if (!volumes_) return true;
  ProjectionInputs inputs;
  inputs.pod = {s.pod.get(), deps_.node_name, deps_.node_ip, string_at(*s.pod, {"status", "podIP"}),
                deps_.logs_root};
  inputs.lookup = [this](const std::string& kind, const std::string& ns, const std::string& name) {
    return lookup_object(kind, ns, name);
  };
  inputs.token = [this, &s](const std::string& audience, int64_t expiration) {
    return service_account_token(s, audience, expiration);
  };
  try {
    s.volume_paths = volumes_->publish(inputs);
  } catch (const VolumeError& e) {
    event(s, "", "Warning", "FailedMount",
          "MountVolume.SetUp failed for volume \"" + e.volume + "\" : " + e.what());
    s.retry_in(kRetryConfigError);
    return false;
  }
  if (VolumeManager::follows_api_objects(*s.pod)) s.retry_in(kVolumeResync);
  return true;
}

void PodWorker::event(const Sync& s, const std::string& container, const std::string& type,
                      const std::string& reason, const std::string& message) {
  if (!deps_.events || !s.pod) return;
  controller::ObjectReference ref = controller::reference_to(*s.pod, {"", "v1", "Pod"});
  if (!container.empty()) ref.field_path = "spec.containers{" + container + "}";
  deps_.events->event({"kubelet", deps_.node_name}, ref, type, reason, message);
}

controller::Result PodWorker::sync(const PodKey& key) {
  Sync s;
  s.key = key;
  s.pod = deps_.pods->get(key);
  if (s.pod && string_at(*s.pod, {"spec", "nodeName"}) != deps_.node_name) s.pod.reset();
  s.uid = s.pod ? machinery::uid_of(*s.pod) : "";
  if (s.pod) s.pod_ip = string_at(*s.pod, {"status", "podIP"});  // for a preStop httpGet hook
  s.rt = deps_.view->refresh_pod(key);
  remove_other_incarnations(s);
  if (!s.pod) return controller::Result::done();
  {
    std::lock_guard lock(mutex_);
    if (machinery::pod_phase(*s.pod) == "Pending" || machinery::pod_phase(*s.pod).empty())
      first_seen_.try_emplace(s.uid, FirstSeen{std::chrono::steady_clock::now()});
  }
  if (machinery::has_deletion_timestamp(*s.pod)) return terminate(s);
  if (machinery::is_pod_terminal(*s.pod)) return stop_terminal(s);
  return run(s);
}

// Whatever runs under this pod's name but another uid belongs to a pod that is gone (a
// force delete, a StatefulSet pod made anew, a pod deleted while the daemon was down):
// it is stopped within its own grace period and removed.
void PodWorker::remove_other_incarnations(Sync& s) {
  std::vector<const runtime::PodSandboxStatus*> stale_sandboxes;
  std::vector<const runtime::ContainerStatus*> stale_containers;
  for (const auto& sb : s.rt.sandboxes)
    if (label_of(sb.labels, runtime::label::kPodUid) != s.uid) stale_sandboxes.push_back(&sb);
  for (const auto& c : s.rt.containers)
    if (label_of(c.labels, runtime::label::kPodUid) != s.uid) stale_containers.push_back(&c);
  if (stale_sandboxes.empty() && stale_containers.empty()) return;
  std::vector<std::future<void>> stops;
  for (const auto* c : stale_containers)
    if (c->state == runtime::ContainerState::Running)
      stops.push_back(std::async(std::launch::async, [this, id = c->id, grace = grace_annotation(*c)] {
        deps_.driver->stop_container(id, grace);
      }));
  for (auto& f : stops) f.get();
  for (const auto* c : stale_containers) deps_.driver->remove_container(c->id);
  for (const auto* sb : stale_sandboxes) remove_sandbox(*sb);
  deps_.log->info("node {}: removed the containers of a pod {} that no longer exists", deps_.node_name,
                  s.key);
  std::set<std::string> gone;
  for (const auto& sb : s.rt.sandboxes) gone.insert(label_of(sb.labels, runtime::label::kPodUid));
  for (const auto* c : stale_containers) gone.insert(label_of(c->labels, runtime::label::kPodUid));
  gone.erase(s.uid);
  for (const auto& uid : gone) forget_pod(uid);
  s.rt = of_incarnation(s.rt, s.uid);
}

std::optional<std::string> PodWorker::kill_container(const Sync& s, const runtime::ContainerStatus& c,
                                                     std::chrono::seconds grace) {
  std::optional<std::string> hook_failure;
  const json::object* spec = s.pod ? container_spec_named(s.spec(), c.metadata.name) : nullptr;
  std::optional<HookSpec> hook = spec ? hook_of(*spec, HookKind::PreStop) : std::nullopt;
  // As upstream: the hook runs only with a grace period to run in, and what it takes of
  // that period is no longer the container's.
  if (hook && grace.count() > 0 && c.state == runtime::ContainerState::Running) {
    const auto started = std::chrono::steady_clock::now();
    hook_failure =
        run_hook(*hook, {deps_.driver.get(), c.id, s.pod_ip}, {c.metadata.name, pod_text(*s.pod)}, grace);
    const auto took =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    grace = std::max(grace - took, kMinimumGraceAfterHook);
  }
  deps_.driver->stop_container(c.id, grace);
  return hook_failure;
}

void PodWorker::stop_containers(Sync& s, std::chrono::seconds grace) {
  std::vector<std::pair<std::string, std::future<std::optional<std::string>>>> stops;
  for (const auto& c : s.rt.containers) {
    if (c.state != runtime::ContainerState::Running && c.state != runtime::ContainerState::Created) continue;
    event(s, c.metadata.name, "Normal", "Killing", "Stopping container " + c.metadata.name);
    stops.emplace_back(c.metadata.name, std::async(std::launch::async, [this, &s, &c, grace] {
                         return kill_container(s, c, grace);
                       }));
  }
  for (auto& [name, f] : stops)
    if (auto failure = f.get()) event(s, name, "Warning", "FailedPreStopHook", *failure);
  if (!stops.empty()) s.changed = true;
}

controller::Result PodWorker::terminate(Sync& s) {
  const json::object& pod = *s.pod;
  // The grace period runs from the delete; what is left of it is the containers' to use.
  auto deadline = machinery::parse_time(string_at(pod, {"metadata", "deletionTimestamp"}));
  auto left = deadline ? std::chrono::duration_cast<std::chrono::seconds>(*deadline - Clock::now())
                       : std::chrono::seconds(0);
  stop_containers(s, std::max(left, std::chrono::seconds(0)));
  for (const auto& sb : s.rt.sandboxes) stop_sandbox(sb);
  DeleteOptions final_delete;
  final_delete.grace_period_seconds = 0;
  final_delete.precondition_uid = s.uid;
  try {
    deps_.client->remove(machinery::kPods, machinery::namespace_of(pod), machinery::name_of(pod),
                         final_delete);
  } catch (const ApiError& e) {
    if (!is_not_found(e) && !is_conflict(e)) throw;
  }
  for (const auto& sb : s.rt.sandboxes) {
    remove_sandbox(sb);
    std::error_code ignored;
    std::filesystem::remove_all(
        sandbox_config({&pod, deps_.node_name, deps_.node_ip, "", deps_.logs_root}, 0).log_directory,
        ignored);
  }
  deps_.view->refresh_pod(s.key);
  if (deps_.prober) deps_.prober->retain(deps_.node_name + "/" + s.key, {});
  crash_backoff_.forget_prefix(s.uid + "/");
  pull_backoff_.forget_prefix(s.uid + "/");
  forget_pod(s.uid);
  return controller::Result::done();
}

// A pod that ended (Succeeded or Failed) runs nothing more; its containers stay, stopped,
// for `kubectl logs` until the pod is deleted.
controller::Result PodWorker::stop_terminal(Sync& s) {
  stop_containers(s, std::chrono::seconds(0));
  for (const auto& sb : s.rt.sandboxes)
    if (sb.state == runtime::SandboxState::Ready) stop_sandbox(sb);
  return controller::Result::done();
}

bool PodWorker::ensure_sandbox(Sync& s) {
  const json::object& pod = *s.pod;
  PodContext context{&pod, deps_.node_name, deps_.node_ip, "", deps_.logs_root};
  context.dns = deps_.dns;
  const auto* current = s.rt.latest_sandbox();
  if (current && current->state == runtime::SandboxState::Ready) {
    s.sandbox_id = current->id;
    s.sandbox_config = sandbox_config(context, current->metadata.attempt);
    return attach_network(s, *current);
  }
  uint32_t attempt = 0;
  if (current) {
    // The sandbox went away under the pod. A pod that may not restart ends here;
    // otherwise it gets a new sandbox and every container starts again, as upstream.
    if (s.restart_policy() == "Never" && !s.rt.containers.empty()) return false;
    event(s, "", "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    stop_containers(s, std::chrono::seconds(0));
    for (const auto& sb : s.rt.sandboxes) remove_sandbox(sb);
    attempt = current->metadata.attempt + 1;
  }
  s.sandbox_config = sandbox_config(context, attempt);
  if (!s.sandbox_config.host_network) {
    if (auto problem = network_problem(deps_.network.get())) {
      // Upstream's NetworkNotReady: the pod waits for the network, it does not fail.
      event(s, "", "Warning", "NetworkNotReady",
            "network is not ready: container runtime network not ready: " + *problem);
      s.retry_in(kRetryNetwork);
      return false;
    }
  }
  try {
    s.sandbox_id = deps_.driver->run_pod_sandbox(s.sandbox_config);
  } catch (const std::exception& e) {
    event(s, "", "Warning", "FailedCreatePodSandBox",
          std::string("Failed to create pod sandbox: ") + e.what());
    s.retry_in(kRetryConfigError);
    return false;
  }
  s.rt = deps_.view->refresh_pod(s.key);
  const auto* created = s.rt.latest_sandbox();
  if (!created) {
    s.pod_ip = deps_.node_ip;
    return true;
  }
  if (attach_network(s, *created)) return true;
  // As a CRI runtime whose network setup failed: the sandbox goes, the next sync makes another.
  remove_sandbox(*created);
  s.rt = deps_.view->refresh_pod(s.key);
  return false;
}

bool PodWorker::attach_network(Sync& s, const runtime::PodSandboxStatus& sandbox) {
  s.pod_ip = sandbox.ip.empty() || sandbox.host_network ? deps_.node_ip : sandbox.ip;
  if (!deps_.network || sandbox.network_namespace.empty() || !sandbox.ip.empty()) return true;
  try {
    network::Attachment attached = deps_.network->add(pod_network_of(sandbox, &s.sandbox_config));
    if (!attached.ips.empty()) s.pod_ip = attached.ips.front();
    s.changed = true;
    return true;
  } catch (const std::exception& e) {
    event(s, "", "Warning", "FailedCreatePodSandBox",
          "Failed to create pod sandbox: failed to set up the network of sandbox \"" + sandbox.id +
              "\": " + e.what());
    s.retry_in(kRetryNetwork);
    return false;
  }
}

void PodWorker::detach_network(const runtime::PodSandboxStatus& sandbox) {
  if (!deps_.network || sandbox.host_network) return;
  try {
    deps_.network->remove(pod_network_of(sandbox));
  } catch (const std::exception& e) {
    // The namespace goes with the sandbox all the same; the driver's garbage collection
    // releases what is left.
    deps_.log->warn("node {}: detaching the network of sandbox {}: {}", deps_.node_name, sandbox.id,
                    e.what());
  }
}

void PodWorker::stop_sandbox(const runtime::PodSandboxStatus& sandbox) {
  detach_network(sandbox);
  deps_.driver->stop_pod_sandbox(sandbox.id);
}

void PodWorker::remove_sandbox(const runtime::PodSandboxStatus& sandbox) {
  detach_network(sandbox);
  deps_.driver->remove_pod_sandbox(sandbox.id);
}

bool PodWorker::pull_image(Sync& s, const json::object& container) {
  const std::string name = string_at(container, {"name"});
  const std::string image = string_at(container, {"image"});
  const std::string policy = string_at(container, {"imagePullPolicy"}, "IfNotPresent");
  std::optional<runtime::Image> present;
  try {
    present = deps_.driver->image_status(image);
  } catch (const std::exception&) {
  }
  if (present && policy != "Always") {
    event(s, name, "Normal", "Pulled", "Container image \"" + image + "\" already present on machine");
    return true;
  }
  if (policy == "Never") {
    const std::string message = "Container image \"" + image + "\" is not present with pull policy of Never";
    s.waiting[name] = {"ErrImageNeverPull", message};
    event(s, name, "Warning", "ErrImageNeverPull", message);
    return false;
  }
  const std::string key = s.uid + "/" + name + "/" + image;
  if (auto wait = pull_backoff_.remaining_since_last(key, Clock::now())) {
    s.waiting[name] = {"ImagePullBackOff", "Back-off pulling image \"" + image + "\""};
    event(s, name, "Normal", "BackOff", "Back-off pulling image \"" + image + "\"");
    s.retry_in(*wait);
    return false;
  }
  event(s, name, "Normal", "Pulling", "Pulling image \"" + image + "\"");
  const auto started = std::chrono::steady_clock::now();
  try {
    auto lookup = [this](const std::string& kind, const std::string& ns, const std::string& object) {
      return lookup_object(kind, ns, object);
    };
    deps_.driver->pull_image(image, pull_credentials(*s.pod, image, lookup));
  } catch (const std::exception& e) {
    const std::string message = "Failed to pull image \"" + image + "\": " + e.what();
    s.waiting[name] = {"ErrImagePull", message};
    event(s, name, "Warning", "Failed", message);
    event(s, name, "Warning", "Failed", "Error: ErrImagePull");
    pull_backoff_.next(key, Clock::now());
    s.retry_in(pull_backoff_.delay(key));
    return false;
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  uint64_t size = 0;
  try {
    if (auto pulled = deps_.driver->image_status(image)) size = pulled->size;
  } catch (const std::exception&) {
  }
  const std::string duration = std::to_string(took.count()) + "ms";
  event(s, name, "Normal", "Pulled",
        "Successfully pulled image \"" + image + "\" in " + duration + " (" + duration +
            " including waiting). Image size: " + std::to_string(size) + " bytes.");
  return true;
}

bool PodWorker::start_container(Sync& s, const json::object& container, uint32_t attempt) {
  const std::string name = string_at(container, {"name"});
  if (!pull_image(s, container)) return false;
  PodContext context{s.pod.get(), deps_.node_name, deps_.node_ip, s.pod_ip, deps_.logs_root};
  if (volumes_) context.volume_paths = &s.volume_paths;
  std::vector<runtime::KeyValue> services;
  if (deps_.services) {
    services = service_env(*s.pod, *deps_.services);
    context.service_env = &services;
  }
  auto lookup = [this](const std::string& kind, const std::string& object_ns,
                       const std::string& object_name) {
    return lookup_object(kind, object_ns, object_name);
  };
  auto fail = [&](const char* reason, const std::string& message) {
    s.waiting[name] = {reason, message};
    event(s, name, "Warning", "Failed", "Error: " + message);
    s.retry_in(kRetryConfigError);
    return false;
  };
  runtime::ContainerConfig config;
  try {
    config = container_config(context, container, attempt, lookup);
  } catch (const std::exception& e) {
    return fail("CreateContainerConfigError", e.what());
  }
  // As upstream's container GC: one dead container per name stays, for `logs --previous`
  // and lastState; older ones go before another is made.
  for (const auto& c : s.rt.containers)
    if (c.metadata.name == name && c.state == runtime::ContainerState::Exited &&
        c.metadata.attempt + 1 < attempt)
      try {
        deps_.driver->remove_container(c.id);
      } catch (const std::exception& e) {
        deps_.log->warn("node {}: cannot remove the old container {} of {}: {}", deps_.node_name, c.id, s.key,
                        e.what());
      }
  std::string id;
  try {
    id = deps_.driver->create_container(s.sandbox_id, config, s.sandbox_config);
  } catch (const std::exception& e) {
    return fail("CreateContainerError", e.what());
  }
  s.changed = true;
  event(s, name, "Normal", "Created", "Created container: " + name);
  try {
    deps_.driver->start_container(id);
  } catch (const std::exception& e) {
    return fail("RunContainerError", e.what());
  }
  event(s, name, "Normal", "Started", "Started container " + name);
  return run_post_start(s, container, id);
}

bool PodWorker::run_post_start(Sync& s, const json::object& container, const std::string& id) {
  auto hook = hook_of(container, HookKind::PostStart);
  if (!hook) return true;
  const std::string name = string_at(container, {"name"});
  auto failure =
      run_hook(*hook, {deps_.driver.get(), id, s.pod_ip}, {name, pod_text(*s.pod)}, kPostStartTimeout);
  if (!failure) return true;
  // As upstream: the hook's failure is the container's end; its restart policy decides the rest.
  event(s, name, "Warning", "FailedPostStartHook", *failure);
  event(s, name, "Normal", "Killing", "FailedPostStartHook");
  runtime::ContainerStatus started;
  started.id = id;
  started.metadata.name = name;
  started.state = runtime::ContainerState::Running;
  if (auto found = kill_container(s, started, s.grace_period()))
    event(s, name, "Warning", "FailedPreStopHook", *found);
  s.changed = true;
  return false;
}

void PodWorker::restart_with_backoff(Sync& s, const json::object& container,
                                     const runtime::ContainerStatus& last) {
  const std::string name = string_at(container, {"name"});
  const std::string key = s.uid + "/" + name;
  const auto failed = from_nanos(last.finished_at ? last.finished_at : last.created_at);
  if (auto wait = crash_backoff_.remaining(key, failed, Clock::now())) {
    const std::string delay = std::to_string(crash_backoff_.delay(key).count()) + "s";
    s.waiting[name] = {"CrashLoopBackOff", "back-off " + delay + " restarting failed container=" + name +
                                               " pod=" + pod_text(*s.pod)};
    event(s, name, "Warning", "BackOff",
          "Back-off restarting failed container " + name + " in pod " + pod_text(*s.pod));
    s.retry_in(*wait);
    return;
  }
  crash_backoff_.next(key, failed);
  start_container(s, container, last.metadata.attempt + 1);
}

bool PodWorker::past_active_deadline(Sync& s) {
  const auto* deadline = s.spec().if_contains("activeDeadlineSeconds");
  auto seconds = deadline ? machinery::as_int(*deadline) : std::nullopt;
  auto started = machinery::parse_time(string_at(*s.pod, {"status", "startTime"}));
  if (!seconds || !started) return false;
  const auto end = *started + std::chrono::seconds(*seconds);
  const auto now = Clock::now();
  if (now < end) {
    s.retry_in(std::chrono::duration_cast<std::chrono::milliseconds>(end - now) +
               std::chrono::milliseconds(10));
    return false;
  }
  const std::string message = "Pod was active on the node longer than the specified deadline";
  {
    std::lock_guard lock(mutex_);
    ended_[s.uid] = PodFailure{"DeadlineExceeded", message, false};
  }
  event(s, "", "Normal", "DeadlineExceeded", message);
  stop_containers(s, s.grace_period());
  s.failure = PodFailure{"DeadlineExceeded", message, false};
  return true;
}

void PodWorker::evict(const std::string& uid, PodFailure failure) {
  std::lock_guard lock(mutex_);
  evictions_[uid] = std::move(failure);
}

bool PodWorker::evicted(Sync& s) {
  std::optional<PodFailure> failure;
  {
    std::lock_guard lock(mutex_);
    auto it = evictions_.find(s.uid);
    if (it == evictions_.end()) return false;
    failure = it->second;
    evictions_.erase(it);
  }
  {
    std::lock_guard lock(mutex_);
    ended_[s.uid] = *failure;
  }
  event(s, "", "Warning", "Evicted", failure->message);
  // As upstream's hard eviction: the pod gets no more than this grace period.
  stop_containers(s, kEvictionGrace);
  s.failure = std::move(failure);
  return true;
}

controller::Result PodWorker::run(Sync& s) {
  {
    std::lock_guard lock(mutex_);
    if (auto ended = ended_.find(s.uid); ended != ended_.end()) s.failure = ended->second;
  }
  if (s.failure) {  // ended already; the cache has not caught up with its Failed status yet
    stop_terminal(s);
    report(s);
    return controller::Result::done();
  }
  if (evicted(s) || past_active_deadline(s)) {
    report(s);
    return controller::Result::done();
  }
  if (!mount_volumes(s) || !ensure_sandbox(s)) {
    report(s);
    return s.requeue ? controller::Result::requeue_after(*s.requeue) : controller::Result::done();
  }
  const std::string policy = s.restart_policy();
  bool initialized = true;
  if (const auto* inits = machinery::array_at(s.spec(), {"initContainers"}))
    for (const auto& item : *inits) {
      const auto& c = item.as_object();
      const auto* latest = s.rt.latest(string_at(c, {"name"}));
      if (!latest) {
        start_container(s, c, 0);
      } else if (latest->state == runtime::ContainerState::Running) {
        if (is_sidecar(c)) continue;
      } else if (latest->state == runtime::ContainerState::Exited) {
        if (!is_sidecar(c) && latest->exit_code == 0) continue;
        if (is_sidecar(c) || policy != "Never") restart_with_backoff(s, c, *latest);
      }
      initialized = false;
      break;
    }
  if (initialized)
    machinery::for_each_object(machinery::array_at(s.spec(), {"containers"}), [&](const json::object& c,
                                                                                  size_t) {
      const std::string name = string_at(c, {"name"});
      const auto* latest = s.rt.latest(name);
      if (!latest) {
        start_container(s, c, 0);
        return;
      }
      if (latest->state == runtime::ContainerState::Running) {
        auto hash = latest->annotations.find(runtime::label::kContainerHash);
        if (hash == latest->annotations.end() || hash->second == container_hash(c)) return;
        event(s, name, "Normal", "Killing", "Container " + name + " definition changed, will be restarted");
        if (auto failure = kill_container(s, *latest, s.grace_period()))
          event(s, name, "Warning", "FailedPreStopHook", *failure);
        start_container(s, c, latest->metadata.attempt + 1);
        return;
      }
      if (latest->state != runtime::ContainerState::Exited) return;
      if (policy == "Always" || (policy == "OnFailure" && latest->exit_code != 0))
        restart_with_backoff(s, c, *latest);
    });
  probe(s);
  report(s);
  return s.requeue ? controller::Result::requeue_after(*s.requeue) : controller::Result::done();
}

namespace {

// The spec of every container that may run next to the app containers: themselves and
// the sidecars, whose probes run too.
std::vector<const json::object*> probed_containers(const json::object& spec) {
  std::vector<const json::object*> out;
  machinery::for_each_object(machinery::array_at(spec, {"initContainers"}),
                             [&](const json::object& c, size_t) {
                               if (is_sidecar(c)) out.push_back(&c);
                             });
  machinery::for_each_object(machinery::array_at(spec, {"containers"}),
                             [&](const json::object& c, size_t) { out.push_back(&c); });
  return out;
}

}  // namespace

void PodWorker::probe(Sync& s) {
  if (!deps_.prober) return;
  const std::string wake = deps_.node_name + "/" + s.key;
  std::set<std::string> running;
  for (const json::object* c : probed_containers(s.spec())) {
    const std::string name = string_at(*c, {"name"});
    const auto* latest = s.rt.latest(name);
    if (!latest || latest->state != runtime::ContainerState::Running) continue;
    bool killed = false;
    for (ProbeKind kind : {ProbeKind::Startup, ProbeKind::Liveness}) {
      if (killed || !probe_of(*c, kind) || deps_.prober->result(latest->id, kind) != ProbeResult::Failure)
        continue;
      event(s, name, "Normal", "Killing",
            "Container " + name + " failed " + (kind == ProbeKind::Startup ? "startup" : "liveness") +
                " probe, will be restarted");
      if (auto failure = kill_container(s, *latest, s.grace_period()))
        event(s, name, "Warning", "FailedPreStopHook", *failure);
      s.changed = true;
      killed = true;
    }
    if (killed) continue;
    running.insert(latest->id);
    for (ProbeKind kind : {ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness})
      if (auto spec = probe_of(*c, kind))
        deps_.prober->ensure({wake,
                              latest->id,
                              name,
                              kind,
                              *spec,
                              {deps_.driver.get(), latest->id, s.pod_ip},
                              from_nanos(latest->started_at)});
  }
  deps_.prober->retain(wake, running);
}

std::map<std::string, ContainerHealth> PodWorker::health(const Sync& s) const {
  std::map<std::string, ContainerHealth> out;
  if (!deps_.prober || !s.pod) return out;
  for (const json::object* c : probed_containers(s.spec())) {
    const std::string name = string_at(*c, {"name"});
    const auto* latest = s.rt.latest(name);
    if (!latest || latest->state != runtime::ContainerState::Running) continue;
    const bool startup = probe_of(*c, ProbeKind::Startup).has_value();
    const bool readiness = probe_of(*c, ProbeKind::Readiness).has_value();
    if (!startup && !readiness) continue;
    ContainerHealth h;
    h.started = !startup || deps_.prober->result(latest->id, ProbeKind::Startup) == ProbeResult::Success;
    h.ready = !readiness || deps_.prober->result(latest->id, ProbeKind::Readiness) == ProbeResult::Success;
    out[name] = h;
  }
  return out;
}

void PodWorker::report(Sync& s) {
  if (s.changed) {
    s.rt = of_incarnation(deps_.view->refresh_pod(s.key), s.uid);
    s.changed = false;
  }
  PodStatusInputs in{
      s.pod.get(), &s.rt, s.waiting, health(s), runtime_name_, deps_.node_ip, machinery::now_rfc3339(),
      s.failure};
  json::object status = compute_pod_status(in);
  const bool terminal = machinery::is_terminal_phase(string_at(status, {"phase"}));
  const size_t digest = std::hash<std::string>{}(json::serialize(status));
  {
    std::lock_guard lock(mutex_);
    auto it = reported_.find(s.uid);
    if (it != reported_.end() && it->second == digest) return;
  }
  json::object patch{{"status", status}};
  WriteOptions options;
  options.return_object = false;
  try {
    deps_.client->patch(machinery::kPods, machinery::namespace_of(*s.pod), machinery::name_of(*s.pod),
                        PatchType::StrategicMerge, json::serialize(patch), options, "status");
  } catch (const ApiError& e) {
    if (is_not_found(e)) return;  // deleted meanwhile: the delete brings its own sync
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    reported_[s.uid] = digest;
    // The pod runs for the first time: how long it took since this kubelet first saw it.
    auto seen = first_seen_.find(s.uid);
    if (seen != first_seen_.end() && !seen->second.counted && string_at(status, {"phase"}) == "Running") {
      if (deps_.metrics)
        deps_.metrics->observe_pod_start(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - seen->second.at).count());
      seen->second.counted = true;
    }
  }
  if (terminal)
    for (const auto& sb : s.rt.sandboxes)
      if (sb.state == runtime::SandboxState::Ready) stop_sandbox(sb);
}

}  // namespace ukube::kubelet
