#include "pod_status.h"

#include <boost/json.hpp>
#include <chrono>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/time.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::array_at;
using machinery::object_at;
using machinery::string_at;

namespace {

std::string rfc3339_of(int64_t nanos) {
  return machinery::format_time(machinery::Clock::time_point(
      std::chrono::duration_cast<machinery::Clock::duration>(std::chrono::nanoseconds(nanos))));
}

json::object terminated(const runtime::ContainerStatus& c, const std::string& runtime_name) {
  json::object t{{"exitCode", c.exit_code},
                 {"reason", c.reason.empty() ? (c.exit_code == 0 ? "Completed" : "Error") : c.reason},
                 {"startedAt", c.started_at ? json::value(rfc3339_of(c.started_at)) : json::value(nullptr)},
                 {"finishedAt", rfc3339_of(c.finished_at ? c.finished_at : c.created_at)},
                 {"containerID", runtime_name + "://" + c.id}};
  if (!c.message.empty()) t["message"] = c.message;
  return t;
}

struct ContainerReport {
  json::object status;
  bool running = false;
  bool started = false;
  bool ready = false;
  bool exited_ok = false;  // terminated with 0 (init containers: done)
};

ContainerReport container_report(const json::object& spec, const PodStatusInputs& in, bool init_pending) {
  const std::string name = string_at(spec, {"name"});
  const runtime::ContainerStatus* latest = in.runtime->latest(name);
  const runtime::ContainerStatus* previous = in.runtime->previous(name);
  ContainerReport r;
  json::object state, last_state;
  auto waiting = in.waiting.find(name);
  if (latest && latest->state == runtime::ContainerState::Running && waiting == in.waiting.end()) {
    state["running"] = json::object{{"startedAt", rfc3339_of(latest->started_at)}};
    r.running = true;
    auto health = in.health.find(name);
    r.started = health == in.health.end() || health->second.started;
    r.ready = r.started && (health == in.health.end() || health->second.ready);
  } else if (latest && latest->state == runtime::ContainerState::Exited && waiting == in.waiting.end()) {
    state["terminated"] = terminated(*latest, in.runtime_name);
    r.exited_ok = latest->exit_code == 0;
  } else {
    json::object w;
    if (waiting != in.waiting.end()) {
      w["reason"] = waiting->second.reason;
      if (!waiting->second.message.empty()) w["message"] = waiting->second.message;
    } else {
      w["reason"] = init_pending ? "PodInitializing" : "ContainerCreating";
    }
    state["waiting"] = std::move(w);
  }
  // The last run: the container before the newest, or the newest when it is not running
  // and a restart of it is pending (CrashLoopBackOff shows the exit it backs off from).
  const runtime::ContainerStatus* last = previous;
  if (latest && latest->state == runtime::ContainerState::Exited && waiting != in.waiting.end())
    last = latest;
  if (last && last->state == runtime::ContainerState::Exited)
    last_state["terminated"] = terminated(*last, in.runtime_name);

  const uint32_t restarts = latest ? latest->metadata.attempt : 0;
  r.status = {{"name", name},
              {"state", std::move(state)},
              {"lastState", std::move(last_state)},
              {"ready", r.ready},
              {"restartCount", restarts},
              {"image", string_at(spec, {"image"})},
              {"imageID", latest ? latest->image_ref : ""},
              {"started", r.started}};
  if (latest) r.status["containerID"] = in.runtime_name + "://" + latest->id;
  return r;
}

json::object condition(const char* type, bool status, const std::string& reason, const std::string& message) {
  json::object out{{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr}};
  if (!reason.empty()) out["reason"] = reason;
  if (!message.empty()) out["message"] = message;
  return out;
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? " " : "") + n;
  return out + "]";
}

}  // namespace

bool is_sidecar(const json::object& container) {
  return string_at(container, {"restartPolicy"}) == "Always";
}

std::string compute_phase(const json::object& spec, const json::object& status, const std::string& previous) {
  if (machinery::is_terminal_phase(previous)) return previous;
  const std::string policy = string_at(spec, {"restartPolicy"}, "Always");
  // Init containers first: a failed one with restartPolicy Never fails the pod; one not
  // yet done keeps it Pending.
  const auto* init_statuses = array_at(status, {"initContainerStatuses"});
  const auto* init_specs = array_at(spec, {"initContainers"});
  size_t i = 0;
  for (const auto& s : init_statuses ? *init_statuses : json::array{}) {
    const auto& cs = s.as_object();
    const bool sidecar = init_specs && i < init_specs->size() && is_sidecar(init_specs->at(i).as_object());
    ++i;
    if (sidecar) {
      if (!machinery::bool_at(cs, {"started"}).value_or(false)) return "Pending";
      continue;
    }
    if (const auto* t = object_at(cs, {"state", "terminated"})) {
      if (machinery::int_or(*t, {"exitCode"}, 0) == 0) continue;
      if (policy == "Never") return "Failed";
    }
    return "Pending";
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0, unknown = 0;
  const auto* statuses = array_at(status, {"containerStatuses"});
  for (const auto& s : statuses ? *statuses : json::array{}) {
    const auto& cs = s.as_object();
    if (object_at(cs, {"state", "running"})) {
      ++running;
    } else if (const auto* t = object_at(cs, {"state", "terminated"})) {
      ++stopped;
      if (machinery::int_or(*t, {"exitCode"}, 0) == 0) ++succeeded;
    } else if (object_at(cs, {"state", "waiting"})) {
      if (object_at(cs, {"lastState", "terminated"}))
        ++stopped;
      else
        ++waiting;
    } else {
      ++unknown;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json::object compute_pod_status(const PodStatusInputs& in) {
  const json::object& pod = *in.pod;
  const json::object& spec = machinery::object_or_empty(object_at(pod, {"spec"}));
  const auto* sandbox = in.runtime->latest_sandbox();
  const bool sandbox_ready = sandbox && sandbox->state == runtime::SandboxState::Ready;
  json::object status;

  // Init containers, in order; the first not done holds the rest (and every app container).
  json::array init_statuses;
  std::vector<std::string> incomplete;
  bool init_pending = false;
  machinery::for_each_object(array_at(spec, {"initContainers"}), [&](const json::object& c, size_t) {
    ContainerReport r = container_report(c, in, false);
    const bool done = is_sidecar(c) ? r.started : r.exited_ok;
    if (!done) {
      init_pending = true;
      incomplete.push_back(string_at(c, {"name"}));
    }
    init_statuses.emplace_back(std::move(r.status));
  });
  json::array statuses;
  std::vector<std::string> unready;
  machinery::for_each_object(array_at(spec, {"containers"}), [&](const json::object& c, size_t) {
    ContainerReport r = container_report(c, in, init_pending);
    if (!r.ready) unready.push_back(string_at(c, {"name"}));
    statuses.emplace_back(std::move(r.status));
  });
  machinery::for_each_object(array_at(spec, {"initContainers"}), [&](const json::object& c, size_t i) {
    if (is_sidecar(c) && !init_statuses[i].as_object()["ready"].as_bool())
      unready.push_back(string_at(c, {"name"}));
  });
  if (!init_statuses.empty()) status["initContainerStatuses"] = std::move(init_statuses);
  status["containerStatuses"] = std::move(statuses);

  const std::string phase =
      in.failure ? std::string("Failed") : compute_phase(spec, status, machinery::pod_phase(pod));
  status["phase"] = phase;
  const bool terminal = machinery::is_terminal_phase(phase);

  // Every condition the pod has (PodScheduled, DisruptionTarget, ...) with ours set in it.
  const auto* existing = array_at(pod, {"status", "conditions"});
  json::array conditions = existing ? *existing : json::array{};
  auto set = [&](json::object c) { machinery::set_condition(conditions, std::move(c), in.now); };
  set(condition("PodReadyToStartContainers", sandbox_ready && !terminal, "", ""));
  set(condition("Initialized", !init_pending, init_pending ? "ContainersNotInitialized" : "",
                init_pending ? "containers with incomplete status: " + names_list(incomplete) : ""));
  const bool ready = unready.empty() && !terminal;
  const std::string not_ready_reason = ready ? "" : terminal ? "PodCompleted" : "ContainersNotReady";
  const std::string not_ready_message =
      ready || terminal ? "" : "containers with unready status: " + names_list(unready);
  set(condition("ContainersReady", ready, not_ready_reason, not_ready_message));
  set(condition("Ready", ready, not_ready_reason, not_ready_message));
  if (in.failure && in.failure->disruption)
    set(condition("DisruptionTarget", true, "TerminationByKubelet", in.failure->message));
  status["conditions"] = std::move(conditions);
  if (in.failure) {
    status["reason"] = in.failure->reason;
    status["message"] = in.failure->message;
  }

  status["hostIP"] = in.node_ip;
  status["hostIPs"] = json::array{json::object{{"ip", in.node_ip}}};
  std::string pod_ip =
      sandbox ? (sandbox->ip.empty() || sandbox->host_network ? in.node_ip : sandbox->ip) : "";
  // A stopped sandbox's network is detached; its pod keeps the address it had, as upstream.
  if (sandbox && sandbox->ip.empty() && !sandbox->host_network &&
      sandbox->state != runtime::SandboxState::Ready)
    if (auto before = string_at(pod, {"status", "podIP"}); !before.empty()) pod_ip = before;
  if (!pod_ip.empty()) {
    status["podIP"] = pod_ip;
    json::array ips{json::object{{"ip", pod_ip}}};
    if (sandbox)
      for (const auto& extra : sandbox->additional_ips) ips.emplace_back(json::object{{"ip", extra}});
    status["podIPs"] = std::move(ips);
  }
  status["startTime"] = string_at(pod, {"status", "startTime"}, in.now);
  status["qosClass"] = machinery::pod_qos_class(spec);
  return status;
}

}  // namespace ukube::kubelet
